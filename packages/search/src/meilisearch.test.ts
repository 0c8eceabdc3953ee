import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

import type { Paper } from '@paperwire/schema';
import { SORTS, canonicalPaper, trendingScore } from '@paperwire/schema';
import type { Settings } from 'meilisearch';
import { describe, expect, it } from 'vitest';

import { checkFilters } from './filters.js';
import {
  DESIRED_SETTINGS,
  createMeiliIndex,
  filterKey,
  firstSeenRange,
  meiliFilter,
  meiliSort,
  pageCovering,
  settingsChanges,
  toDocument,
  toPaper,
  topAuthorKeys,
} from './meilisearch.js';

const paper: Paper = {
  id: 'arxiv-2401_12345',
  title: 'Prototype Learning',
  abstract: 'About prototypes.',
  authors: ['Ada Lovelace'],
  authorCount: 1,
  publishedAt: '2024-01-22',
  upvotes: 3,
  codeUrls: ['https://github.com/a/b'],
  arxivId: '2401.12345',
  sources: [
    {
      name: 'hf',
      url: 'https://huggingface.co/papers',
      format: 'hf-text',
      capturedAt: '2025-11-03T00:00:00.000Z',
      upvotes: 3,
    },
  ],
  firstSeenAt: '2025-11-03T00:00:00.000Z',
  lastSeenAt: '2025-11-03T00:00:00.000Z',
};

describe('meilisearch documents', () => {
  it('carries derived fields for filtering and sorting, and drops them on the way back', () => {
    const doc = toDocument(paper);
    expect(doc).toMatchObject({
      hasCode: true,
      year: 2024,
      publishedAtTs: Date.UTC(2024, 0, 22),
      firstSeenAtTs: Date.UTC(2025, 10, 3),
      authorKeys: [filterKey('ada-lovelace')],
      sourceKeys: [filterKey('hf')],
      sourceNames: ['hf'],
      firstSeenDay: '2025-11-03',
      firstSeenYear: 2025,
      listedUpvotes: 3,
      trending: null,
    });
    expect(toPaper({ ...doc, _rankingScore: 0.5 })).toEqual(paper);
    expect(toDocument({ ...paper, publishedAt: null, codeUrls: [] })).toMatchObject({
      hasCode: false,
      year: null,
      publishedAtTs: null,
    });
  });
});

describe('trending and authors on meilisearch', () => {
  it('sorts on the trending score of the paper, the number the SQLite index stores', () => {
    const rising = canonicalPaper({
      ...paper,
      sources: [
        ...paper.sources,
        { ...paper.sources[0]!, capturedAt: '2025-11-03T06:00:00.000Z', upvotes: 33 },
      ],
      upvotes: 33,
      lastSeenAt: '2025-11-03T06:00:00.000Z',
    });
    const score = trendingScore(rising);
    // 30 upvotes in 6 hours, last gained at 06:00.
    expect(score).toBeCloseTo(Math.log2(5) + Date.UTC(2025, 10, 3, 6) / 3_600_000 / 24, 9);
    expect(toDocument(rising).trending).toBe(score);
    expect(meiliSort('trending', false)).toEqual(['trending:desc']);
    expect(meiliSort('trending', true)).toEqual(['trending:desc', 'firstSeenAtTs:desc', 'id:asc']);
  });

  it('takes the most frequent author keys of a distribution, ties to the smaller key', () => {
    const distribution: Record<string, number> = {};
    for (let i = 1; i <= 25; i += 1) distribution[filterKey(`author-${String(i).padStart(2, '0')}`)] = i % 5;
    distribution[filterKey('josé-garcía')] = 9;
    // A value not in filterKey form is no key.
    distribution['kxyz'] = 99;
    const top = topAuthorKeys(distribution);
    expect(top).toHaveLength(20);
    expect(top[0]).toEqual({ key: 'josé-garcía', count: 9 });
    expect(top.slice(1, 6).map((t) => t.key)).toEqual([
      'author-04',
      'author-09',
      'author-14',
      'author-19',
      'author-24',
    ]);
    expect(top.map((t) => t.count)).toEqual([...top.map((t) => t.count)].sort((a, b) => b - a));
    expect(topAuthorKeys({})).toEqual([]);
  });

  it('counts author keys most frequent first, the other facets by value', () => {
    expect(DESIRED_SETTINGS.faceting.sortFacetValuesBy).toEqual({ '*': 'alpha', authorKeys: 'count' });
    expect(DESIRED_SETTINGS.filterableAttributes).toContain('authorKeys');
    expect(DESIRED_SETTINGS.sortableAttributes).toContain('trending');
  });
});

describe('days on meilisearch', () => {
  it("orders a day by that day's count, and the fields it filters and sorts on are in the settings", () => {
    const later = {
      ...paper.sources[0]!,
      url: 'https://huggingface.co/api/daily_papers',
      capturedAt: '2025-11-04T00:00:00.000Z',
      upvotes: 30,
    };
    expect(toDocument({ ...paper, upvotes: 30, sources: [...paper.sources, later] }).listedUpvotes).toBe(3);
    expect(DESIRED_SETTINGS.filterableAttributes).toEqual(
      expect.arrayContaining(['firstSeenDay', 'firstSeenYear', 'firstSeenAtTs']),
    );
    expect(DESIRED_SETTINGS.sortableAttributes).toEqual(
      expect.arrayContaining(['listedUpvotes', 'firstSeenAtTs', 'id']),
    );
  });

  it('filters a span of days as [first day, the day after the last)', () => {
    expect(firstSeenRange('2025-11-03', '2025-11-09')).toEqual([
      `firstSeenAtTs >= ${Date.UTC(2025, 10, 3)}`,
      `firstSeenAtTs < ${Date.UTC(2025, 10, 10)}`,
    ]);
    expect(firstSeenRange(undefined, undefined)).toEqual([]);
  });

  it('refuses a bad day request before it reaches the engine', async () => {
    const sut = createMeiliIndex({ url: 'http://127.0.0.1:9', indexName: 'unused' });
    await expect(sut.listed({ from: '2025-13-01', to: '2025-11-03', limit: 5, offset: 0 })).rejects.toThrow(
      RangeError,
    );
    await expect(sut.days({ from: '2025-11-04', to: '2025-11-03', limit: 5 })).rejects.toThrow(RangeError);
  });
});

describe('settingsChanges', () => {
  const fresh: Settings = {
    searchableAttributes: ['*'],
    filterableAttributes: [],
    sortableAttributes: [],
    rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness'],
    typoTolerance: {
      enabled: true,
      minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 },
      disableOnWords: [],
      disableOnAttributes: [],
      disableOnNumbers: false,
    },
    pagination: { maxTotalHits: 1000 },
    faceting: { maxValuesPerFacet: 100, sortFacetValuesBy: { '*': 'alpha' } },
  };

  it('asks a fresh index for what differs from the defaults', () => {
    expect(Object.keys(settingsChanges(fresh)).sort()).toEqual([
      'faceting',
      'filterableAttributes',
      'pagination',
      'rankingRules',
      'searchableAttributes',
      'sortableAttributes',
    ]);
  });

  it('asks nothing of an index that already has the settings, in whatever order sets come back', () => {
    const applied: Settings = {
      ...fresh,
      ...DESIRED_SETTINGS,
      filterableAttributes: [...DESIRED_SETTINGS.filterableAttributes].reverse(),
      sortableAttributes: [...DESIRED_SETTINGS.sortableAttributes].reverse(),
    };
    expect(settingsChanges(applied)).toEqual({});
  });

  it('corrects facet value order set by count or by value for every facet', () => {
    const alpha: Settings = {
      ...fresh,
      ...DESIRED_SETTINGS,
      faceting: { maxValuesPerFacet: 1000, sortFacetValuesBy: { '*': 'alpha' } },
    };
    expect(settingsChanges(alpha)).toEqual({ faceting: DESIRED_SETTINGS.faceting });
  });

  it('counts totals exactly far past the deepest page, and corrects an index that counts fewer', () => {
    expect(DESIRED_SETTINGS.pagination.maxTotalHits).toBeGreaterThanOrEqual(1_000_000);
    const capped: Settings = { ...fresh, ...DESIRED_SETTINGS, pagination: { maxTotalHits: 10_000 } };
    expect(settingsChanges(capped)).toEqual({ pagination: DESIRED_SETTINGS.pagination });
  });

  it('corrects searchable attribute order, ranking rules and typo tolerance', () => {
    const drifted: Settings = {
      ...fresh,
      ...DESIRED_SETTINGS,
      searchableAttributes: ['abstract', 'title', 'authors'],
      rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness'],
      typoTolerance: { enabled: false },
    };
    expect(settingsChanges(drifted)).toEqual({
      searchableAttributes: DESIRED_SETTINGS.searchableAttributes,
      rankingRules: DESIRED_SETTINGS.rankingRules,
      typoTolerance: DESIRED_SETTINGS.typoTolerance,
    });
  });
});

describe('meilisearch filters', () => {
  it('builds every filter from computed values only', () => {
    const filters = checkFilters({
      from: '2024-01-01',
      to: '2024-12-31',
      since: '2025-11-01T00:00:00Z',
      hasCode: false,
      minUpvotes: 3,
      years: [2024, 2023],
      authors: ['jose-garcia'],
      sources: ['hf'],
    });
    expect(meiliFilter(filters)).toEqual([
      `publishedAtTs >= ${Date.UTC(2024, 0, 1)}`,
      `publishedAtTs <= ${Date.UTC(2024, 11, 31)}`,
      `firstSeenAtTs >= ${Date.UTC(2025, 10, 1)}`,
      'hasCode = false',
      'upvotes >= 3',
      'year IN [2024, 2023]',
      `authorKeys IN ["${filterKey('jose-garcia')}"]`,
      `sourceKeys IN ["${filterKey('hf')}"]`,
    ]);
    expect(meiliFilter(checkFilters({}))).toEqual([]);
    expect(meiliFilter(checkFilters({ authors: [], sources: [] }))).toEqual([]);
  });

  it('never lets a source name or an author key reach the expression as syntax', () => {
    const hostile = ['a" OR hasCode = true OR sourceKeys = "', 'x\\', '] OR [', 'ünï-cödé', '🦎'];
    const [condition] = meiliFilter(checkFilters({ sources: hostile }));
    expect(condition).toMatch(/^sourceKeys IN \["k[0-9a-f]+"(, "k[0-9a-f]+")*\]$/);
    expect(new Set(hostile.map(filterKey)).size).toBe(hostile.length);
    const [authors] = meiliFilter(checkFilters({ authors: hostile }));
    expect(authors).toMatch(/^authorKeys IN \["k[0-9a-f]+"(, "k[0-9a-f]+")*\]$/);
  });

  it('refuses values of the wrong form', () => {
    expect(() => checkFilters({ from: '2024-1-1' })).toThrow(/from/);
    expect(() => checkFilters({ to: '2024-02-30' })).toThrow(/to/);
    expect(() => checkFilters({ since: 'yesterday' })).toThrow(/since/);
    expect(() => checkFilters({ minUpvotes: 1.5 })).toThrow(/minUpvotes/);
    expect(() => checkFilters({ minUpvotes: -1 })).toThrow(/minUpvotes/);
    expect(() => checkFilters({ years: [Number.NaN] })).toThrow(/years/);
    expect(() => checkFilters({ hasCode: 'true' as unknown as boolean })).toThrow(/hasCode/);
    expect(() => checkFilters({ authors: [''] })).toThrow(/authors/);
  });

  it('sorts strictly, and a placeholder search by newest then id after that', () => {
    expect(meiliSort('relevance', false)).toEqual([]);
    expect(meiliSort('upvotes:desc', false)).toEqual(['upvotes:desc']);
    expect(meiliSort('publishedAt:asc', true)).toEqual(['publishedAtTs:asc', 'firstSeenAtTs:desc', 'id:asc']);
    expect(meiliSort('relevance', true)).toEqual(['firstSeenAtTs:desc', 'id:asc']);
    expect(DESIRED_SETTINGS.rankingRules[0]).toBe('sort');
    for (const sort of SORTS)
      for (const criterion of meiliSort(sort, false))
        expect(DESIRED_SETTINGS.sortableAttributes).toContain(criterion.split(':')[0]);
  });
});

describe('pageCovering', () => {
  it('finds the smallest aligned page that holds the whole window', () => {
    for (let offset = 0; offset < 120; offset += 1) {
      for (const limit of [1, 5, 7, 20, 100]) {
        const { page, hitsPerPage } = pageCovering(offset, limit);
        const start = (page - 1) * hitsPerPage;
        expect(start).toBeLessThanOrEqual(offset);
        expect(start + hitsPerPage).toBeGreaterThanOrEqual(offset + limit);
        expect(hitsPerPage).toBeGreaterThanOrEqual(limit);
      }
    }
    expect(pageCovering(40, 20)).toEqual({ page: 3, hitsPerPage: 20 });
    expect(pageCovering(5, 10)).toEqual({ page: 1, hitsPerPage: 15 });
  });
});

describe('meilisearch adapter errors', () => {
  it('names the Meilisearch URL when the engine is unreachable', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const index = createMeiliIndex({ url, indexName: 'papers', requestTimeoutMs: 2000 });
    await expect(index.ping()).rejects.toThrow(`meilisearch at ${url}: cannot check health`);
    await expect(index.search({ q: 'x', limit: 1, offset: 0 })).rejects.toThrow(
      `meilisearch at ${url}: cannot read index papers`,
    );
    // A failed start is not remembered: the next call tries the engine again.
    await expect(index.stats()).rejects.toThrow(`meilisearch at ${url}: cannot read index papers`);
  });
});

/** A local port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
}
