import { describe, expect, it } from 'vitest';

import { SearchCache, searchCacheKey } from './search-cache.js';

describe('SearchCache', () => {
  it('drops the least recently used answers past its size', () => {
    // Each entry counts 2 × (key + body) = 2 × 10 = 20 bytes.
    const sut = new SearchCache({ maxBytes: 40, maxAgeMs: 1_000 });
    sut.set('a', 'v1', 'aaaaaaaaa');
    sut.set('b', 'v1', 'bbbbbbbbb');
    expect(sut.get('a', 'v1')).toBe('aaaaaaaaa');
    sut.set('c', 'v1', 'ccccccccc');
    expect([sut.get('a', 'v1'), sut.get('b', 'v1'), sut.get('c', 'v1')]).toEqual([
      'aaaaaaaaa',
      undefined,
      'ccccccccc',
    ]);
    expect(sut.bytes).toBe(40);
  });

  it('keeps nothing across a change of version', () => {
    const sut = new SearchCache({ maxBytes: 1_000, maxAgeMs: 1_000 });
    sut.set('a', 'v1', 'answer');
    expect(sut.get('a', 'v2')).toBeUndefined();
    expect(sut.get('a', 'v1')).toBeUndefined();
    expect(sut.size).toBe(0);
  });

  it('expires answers by age where the engine has no version', () => {
    let now = 0;
    const sut = new SearchCache({ maxBytes: 1_000, maxAgeMs: 1_000, now: () => now });
    sut.set('a', null, 'answer');
    now = 999;
    expect(sut.get('a', null)).toBe('answer');
    now = 1_000;
    expect(sut.get('a', null)).toBeUndefined();
  });

  it('does not keep an answer larger than the whole cache', () => {
    const sut = new SearchCache({ maxBytes: 10, maxAgeMs: 1_000 });
    sut.set('a', 'v1', 'a long answer');
    expect(sut.size).toBe(0);
  });
});

describe('searchCacheKey', () => {
  const base = { q: 'learning', limit: 20, offset: 0 };

  it('is the same for lists in another order and for absent defaults', () => {
    expect(
      searchCacheKey({
        ...base,
        filters: { years: [2025, 2024], hasCode: true },
        facets: ['year', 'source'],
      }),
    ).toBe(
      searchCacheKey({
        ...base,
        filters: { hasCode: true, years: [2024, 2025] },
        facets: ['source', 'year'],
      }),
    );
    expect(searchCacheKey({ ...base, sort: 'relevance', highlight: false })).toBe(searchCacheKey(base));
  });

  it('differs for every parameter that changes the answer', () => {
    const keys = [
      base,
      { ...base, q: 'Learning' },
      { ...base, limit: 10 },
      { ...base, offset: 20 },
      { ...base, sort: 'upvotes:desc' as const },
      { ...base, highlight: true },
      { ...base, facets: ['year' as const] },
      { ...base, filters: { hasCode: false } },
    ].map(searchCacheKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
