import { describe, expect, it } from 'vitest';

import { parseSearchParams } from './search-params.js';

describe('parseSearchParams', () => {
  it('applies the defaults', () => {
    expect(parseSearchParams({})).toEqual({ ok: true, params: { q: '', limit: 20, offset: 0 } });
  });

  it('coerces decimal integers', () => {
    expect(parseSearchParams({ q: 'diffusion', limit: '5', offset: '10' })).toEqual({
      ok: true,
      params: { q: 'diffusion', limit: 5, offset: 10 },
    });
  });

  it.each([
    [{ limit: '0' }, 'limit', 'limit must be at least 1'],
    [{ limit: '101' }, 'limit', 'limit must be at most 100'],
    [{ limit: 'abc' }, 'limit', 'limit must be an integer'],
    [{ limit: '' }, 'limit', 'limit must be an integer'],
    [{ limit: '0x10' }, 'limit', 'limit must be an integer'],
    [{ limit: '1e1' }, 'limit', 'limit must be an integer'],
    [{ limit: '2.5' }, 'limit', 'limit must be an integer'],
    [{ offset: '-1' }, 'offset', 'offset must be at least 0'],
    [{ offset: '9990', limit: '20' }, 'offset', 'offset + limit must be at most 10000'],
    [{ foo: '1' }, 'foo', 'unknown parameter'],
    [{ 'foo[]': '1' }, 'foo', 'unknown parameter'],
    [{ constructor: '1' }, 'constructor', 'unknown parameter'],
    [{ q: ['a', 'b'] }, 'q', 'q must be a single string'],
    [{ q: { a: 'x' } }, 'q', 'q must be a single string'],
    [{ 'q[]': 'x' }, 'q', 'q must be a single string'],
    [{ 'limit[0]': '5' }, 'limit', 'limit must be a single string'],
  ])('rejects %o naming %s', (query, parameter, message) => {
    expect(parseSearchParams(query)).toEqual({ ok: false, issues: [{ parameter, message }] });
  });

  it('names every bad parameter once', () => {
    const result = parseSearchParams({ limit: 'abc', offset: '-1', foo: '1', 'q[]': 'x', q: 'y' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.parameter).sort()).toEqual(['foo', 'limit', 'offset', 'q']);
  });

  it('does not check offset + limit against a defaulted limit', () => {
    const result = parseSearchParams({ limit: 'abc', offset: '9990' });
    expect(result).toEqual({
      ok: false,
      issues: [{ parameter: 'limit', message: 'limit must be an integer' }],
    });
  });
});
