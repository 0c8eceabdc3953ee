import { authorKey } from '@paperwire/schema';
import { describe, expect, it } from 'vitest';

import { parseSearchRequest } from './search-params.js';

const ok = (query: Record<string, unknown>) => {
  const parsed = parseSearchRequest(query);
  if (!parsed.ok)
    throw new Error(`expected ${JSON.stringify(query)} to parse: ${JSON.stringify(parsed.issues)}`);
  return parsed.request;
};

describe('parseSearchRequest', () => {
  it('applies the defaults and asks for nothing else', () => {
    expect(ok({})).toEqual({ q: '', limit: 20, offset: 0 });
  });

  it('maps every parameter onto the engine request', () => {
    expect(
      ok({
        q: 'diffusion',
        from: '2024-01-01',
        to: '2024-12-31',
        since: '2025-11-03T09:30:00+01:00',
        hasCode: 'true',
        minUpvotes: '10',
        authors: ['José García-López', 'Ada Lovelace,Alan Turing'],
        source: 'hf,arxiv',
        year: ['2024', '2025'],
        sort: 'firstSeenAt:desc',
        facets: 'year,source',
        limit: '5',
        offset: '10',
        highlight: 'true',
      }),
    ).toEqual({
      q: 'diffusion',
      limit: 5,
      offset: 10,
      filters: {
        from: '2024-01-01',
        to: '2024-12-31',
        since: '2025-11-03T08:30:00.000Z',
        hasCode: true,
        minUpvotes: 10,
        authors: ['jose-garcia-lopez', 'ada-lovelace', 'alan-turing'],
        sources: ['hf', 'arxiv'],
        years: [2024, 2025],
      },
      sort: 'firstSeenAt:desc',
      facets: ['year', 'source'],
      highlight: true,
    });
  });

  it('turns author names into the keys the engine matches', () => {
    expect(ok({ authors: '  JOSÉ   garcía lópez ' }).filters?.authors).toEqual([
      authorKey('José García-López'),
    ]);
  });

  it('reads a since date as midnight UTC', () => {
    expect(ok({ since: '2025-11-03' }).filters?.since).toBe('2025-11-03T00:00:00.000Z');
  });

  it('keeps each list value once', () => {
    const request = ok({ year: '2024,2024', source: ['hf', 'hf'], facets: 'year,year' });
    expect(request.filters).toEqual({ years: [2024], sources: ['hf'] });
    expect(request.facets).toEqual(['year']);
  });

  it('leaves relevance and no highlighting implicit', () => {
    expect(ok({ sort: 'relevance', highlight: 'false', hasCode: 'false' })).toEqual({
      q: '',
      limit: 20,
      offset: 0,
      filters: { hasCode: false },
    });
  });

  it('keeps q exactly as sent', () => {
    expect(ok({ q: '  "a" OR b*  ' }).q).toBe('  "a" OR b*  ');
  });

  it('accepts offset + limit up to the window', () => {
    expect(ok({ offset: '9900', limit: '100' })).toMatchObject({ offset: 9900, limit: 100 });
  });

  it('names every bad parameter once, with cross-parameter rules only when each is valid', () => {
    const parsed = parseSearchRequest({
      limit: 'abc',
      offset: '9990',
      foo: '1',
      'q[]': 'x',
      q: 'y',
      year: 'x,y',
    });
    expect(parsed).toEqual({
      ok: false,
      issues: [
        { parameter: 'limit', message: 'limit must be an integer' },
        { parameter: 'foo', message: 'unknown parameter' },
        { parameter: 'q', message: 'q is a plain parameter (q=value), not q[]' },
        { parameter: 'year', message: 'year must be integers' },
      ],
    });
  });

  it('names both offset rules and the date order', () => {
    expect(parseSearchRequest({ offset: '9999', limit: '2', from: '2025-02-01', to: '2025-01-01' })).toEqual({
      ok: false,
      issues: [
        { parameter: 'offset', message: expect.stringContaining('offset + limit must be at most 10000') },
        { parameter: 'from', message: 'from (2025-02-01) must be on or before to (2025-01-01)' },
      ],
    });
  });

  it.each([
    [{ q: 123 }, 'q', 'q must be a string'],
    [{ q: { a: 'x' } }, 'q', 'q must be a string'],
    [{ q: ['a', 1] }, 'q', 'q must be a string'],
  ])('rejects %j naming %s', (query, parameter, message) => {
    expect(parseSearchRequest(query)).toEqual({ ok: false, issues: [{ parameter, message }] });
  });
});
