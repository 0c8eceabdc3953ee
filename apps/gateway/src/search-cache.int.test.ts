import { join } from 'node:path';

import { createSqliteIndex, SearchBusyError, type SearchIndex } from '@paperwire/search';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { seedPapers } from './testing/fixture.js';
import { seededSqliteIndex, serve, type Running, type SeededIndex } from './testing/serve.js';

const PAPERS = await seedPapers();

describe('search result cache', () => {
  let seeded: SeededIndex;
  let gateway: Running;

  beforeAll(async () => {
    seeded = await seededSqliteIndex(PAPERS, { searchThreads: 1 });
    gateway = await serve({ index: seeded.index, searchCacheBytes: 1024 * 1024 });
  });

  afterAll(async () => {
    await gateway.close();
    await seeded.close();
  });

  const search = async (query: string) => {
    const response = await fetch(`${gateway.base}/v1/search?${query}`);
    return { cache: response.headers.get('x-paperwire-cache'), body: await response.text() };
  };

  it('answers a repeated search from the cache with the same body, whatever the order of its lists', async () => {
    const first = await search('q=learning&year=2025,2024&facets=year,hasCode');
    const again = await search('q=learning&year=2024,2025&facets=hasCode,year');
    expect(first.cache).toBe('miss');
    expect(again).toEqual({ cache: 'hit', body: first.body });
    // Another query text is another answer.
    expect((await search('q=Learning&year=2025,2024&facets=year,hasCode')).cache).toBe('miss');
  });

  it('forgets every answer when another process writes to the index', async () => {
    const before = await search('q=quokka');
    expect(JSON.parse(before.body).total).toBe(0);
    expect((await search('q=quokka')).cache).toBe('hit');
    // The indexer's connection, not the gateway's: the gateway sees it through the data version.
    const writer = createSqliteIndex({ path: join(seeded.dir.path, 'papers.sqlite') });
    try {
      await writer.upsert([{ ...PAPERS[0]!, title: 'Quokka counts by drone' }]);
    } finally {
      await writer.close();
    }
    const after = await search('q=quokka');
    expect(after.cache).toBe('miss');
    expect(JSON.parse(after.body).hits.map((h: { title: string }) => h.title)).toEqual([
      'Quokka counts by drone',
    ]);
  });

  it('reports hits and misses in /metrics', async () => {
    const text = await (await fetch(`${gateway.base}/metrics`)).text();
    expect(text).toMatch(/paperwire_search_cache_total\{result="hit",app="gateway"\} [1-9]/);
    expect(text).toMatch(/paperwire_search_cache_total\{result="miss",app="gateway"\} [1-9]/);
    expect(text).toMatch(/paperwire_search_cache_hit_ratio\{app="gateway"\} 0\.\d+/);
  });
});

describe('search when every search thread is busy', () => {
  let seeded: SeededIndex;
  let gateway: Running;

  beforeAll(async () => {
    seeded = await seededSqliteIndex(PAPERS);
    const index = seeded.index;
    const busy = new Proxy(index, {
      get: (target, name: keyof SearchIndex) =>
        name === 'search' || name === 'searchJson'
          ? () => Promise.reject(new SearchBusyError(256))
          : typeof target[name] === 'function'
            ? (target[name] as (...args: unknown[]) => unknown).bind(target)
            : target[name],
    });
    gateway = await serve({ index: busy });
  });

  afterAll(async () => {
    await gateway.close();
    await seeded.close();
  });

  it('answers 503 with Retry-After and a message, and still serves papers', async () => {
    const response = await fetch(`${gateway.base}/v1/search?q=learning`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toEqual({
      error: 'busy',
      message: 'search is busy: 256 searches are already waiting; try again in a second',
    });
    const paper = await fetch(`${gateway.base}/v1/papers/${PAPERS[0]!.id}`);
    expect(paper.status).toBe(200);
  });
});
