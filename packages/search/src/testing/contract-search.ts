import type { Paper, SearchFilters, SearchRequest, SearchResponse, SearchSort } from '@paperwire/schema';
import { SearchResponseSchema, authorKey, canonicalPaper, paperIdFromArxiv } from '@paperwire/schema';
import { expect, it } from 'vitest';

import type { SearchIndex } from '../port.js';
import { CORPUS, PROTOTYPE_PAPERS, facetCountsOf, nth } from './corpus.js';

function numberOf(paper: Paper): number {
  return Number(paper.arxivId!.split('.')[1]);
}

function numbers(response: SearchResponse): number[] {
  return response.hits.map(numberOf);
}

/** `actual` is the groups in order, each group's members in any order. */
function expectGroups(actual: number[], groups: number[][], what: string): void {
  expect(actual.length, what).toBe(groups.flat().length);
  let at = 0;
  for (const group of groups) {
    expect(sorted(actual.slice(at, at + group.length)), what).toEqual(sorted(group));
    at += group.length;
  }
}

function sorted(items: readonly number[]): number[] {
  return [...items].sort((a, b) => a - b);
}

function unescapeHtml(html: string): string {
  return html
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
}

/** A paper of its own words, for the typo rules. */
function wordsPaper(n: number, title: string, firstSeenAt = '2025-11-01T00:00:00.000Z'): Paper {
  const arxivId = `2402.${String(n).padStart(5, '0')}`;
  return canonicalPaper({
    id: paperIdFromArxiv(arxivId),
    title,
    abstract: '',
    authors: [],
    authorCount: null,
    publishedAt: null,
    upvotes: null,
    codeUrls: [],
    arxivId,
    sources: [
      {
        name: 'hf',
        url: 'https://hf.example/list',
        format: 'hf-text',
        capturedAt: firstSeenAt,
        upvotes: null,
      },
    ],
    firstSeenAt,
    lastSeenAt: firstSeenAt,
  });
}

/**
 * Filters, sorts, facets, exact totals, highlighting and the typo rules. `current` gives the
 * empty index of the running test.
 */
export function searchFeatureContract(current: () => SearchIndex): void {
  const search = async (request: Partial<SearchRequest>): Promise<SearchResponse> =>
    SearchResponseSchema.parse(await current().search({ q: '', limit: 100, offset: 0, ...request }));

  it('filters by every typed value, alone and combined, for a query and a placeholder', async () => {
    await current().upsert([...CORPUS]);
    const garcia = authorKey('Jose Garcia-Lopez');
    const cases: { filters: SearchFilters; holds: (p: Paper) => boolean }[] = [
      {
        filters: { from: '2024-07-30' },
        holds: (p) => p.publishedAt !== null && p.publishedAt >= '2024-07-30',
      },
      {
        filters: { to: '2024-01-10' },
        holds: (p) => p.publishedAt !== null && p.publishedAt <= '2024-01-10',
      },
      {
        filters: { from: '2024-01-01', to: '2024-12-31' },
        holds: (p) => p.publishedAt?.startsWith('2024') === true,
      },
      {
        filters: { since: '2025-11-03T00:00:00Z' },
        holds: (p) => p.firstSeenAt >= '2025-11-03T00:00:00.000Z',
      },
      { filters: { hasCode: true }, holds: (p) => p.codeUrls.length > 0 },
      { filters: { hasCode: false }, holds: (p) => p.codeUrls.length === 0 },
      { filters: { minUpvotes: 5 }, holds: (p) => p.upvotes !== null && p.upvotes >= 5 },
      { filters: { minUpvotes: 0 }, holds: (p) => p.upvotes !== null },
      { filters: { authors: [garcia] }, holds: (p) => [1, 6].includes(numberOf(p)) },
      {
        filters: { authors: [authorKey('ADA lovelace'), authorKey('Grace Hopper')] },
        holds: (p) => p.authors.some((a) => a === 'Ada Lovelace' || a === 'Grace Hopper'),
      },
      { filters: { sources: ['arxiv'] }, holds: (p) => p.sources.some((s) => s.name === 'arxiv') },
      {
        filters: { sources: ['rss', 'arxiv'] },
        holds: (p) => p.sources.some((s) => s.name === 'rss' || s.name === 'arxiv'),
      },
      { filters: { years: [2024] }, holds: (p) => p.publishedAt?.startsWith('2024') === true },
      {
        filters: { years: [2022, 2025] },
        holds: (p) => /^(2022|2025)-/.test(p.publishedAt ?? ''),
      },
      {
        filters: { hasCode: true, years: [2024], sources: ['hf'], authors: [garcia] },
        holds: (p) => numberOf(p) === 1,
      },
      { filters: { authors: [], sources: [], years: [] }, holds: () => true },
      // Values that would be syntax in a filter expression match nothing and break nothing.
      {
        filters: {
          sources: [
            '" OR 1=1 --',
            'hf" OR sourceNames = "arxiv',
            'hf\\',
            `k${Buffer.from('hf').toString('hex')}`,
          ],
        },
        holds: () => false,
      },
      {
        filters: { authors: ['ada-lovelace" OR hasCode = true', "ada-lovelace') OR 1=1 --"] },
        holds: () => false,
      },
    ];
    for (const q of ['', 'prototype']) {
      for (const { filters, holds } of cases) {
        const expected = CORPUS.filter(
          (p) => (q === '' || PROTOTYPE_PAPERS.includes(numberOf(p))) && holds(p),
        );
        const response = await search({ q, filters });
        const what = `q=${JSON.stringify(q)} filters=${JSON.stringify(filters)}`;
        expect(sorted(numbers(response)), what).toEqual(sorted(expected.map(numberOf)));
        expect(response.total, what).toBe(expected.length);
      }
    }
  });

  it('refuses a since instant outside the years 0000-9999 instead of matching everything', async () => {
    await current().upsert([...CORPUS]);
    for (const since of ['+010000-01-01T00:00:00Z', '9999-12-31T23:59:59-05:00', '-000001-01-01T00:00:00Z'])
      for (const q of ['', 'prototype'])
        await expect(
          current().search({ q, limit: 10, offset: 0, filters: { since } }),
          `q=${JSON.stringify(q)} since=${since}`,
        ).rejects.toThrow(RangeError);
    expect((await search({ filters: { since: '9999-12-31T23:59:59Z' } })).total).toBe(0);
    expect((await search({ filters: { since: '0000-01-01T00:00:00Z' } })).total).toBe(CORPUS.length);
  });

  it('sorts a placeholder search strictly, unknown values last, ties by newest then id', async () => {
    await current().upsert([...CORPUS]);
    const expected: Record<SearchSort, number[]> = {
      relevance: [9, 8, 5, 3, 4, 2, 6, 1, 7],
      'firstSeenAt:desc': [9, 8, 5, 3, 4, 2, 6, 1, 7],
      'publishedAt:desc': [8, 5, 4, 9, 6, 1, 2, 7, 3],
      'publishedAt:asc': [7, 2, 1, 9, 6, 5, 4, 8, 3],
      'upvotes:desc': [3, 9, 4, 6, 1, 8, 5, 2, 7],
      // 6/h at 11-06 02:00, 10/h at 11-03 04:00, 1/h at 11-03 08:00, 2/h at 11-01 02:00; the
      // papers without a velocity after them, newest first.
      trending: [9, 3, 4, 1, 8, 5, 2, 6, 7],
    };
    for (const [sort, order] of Object.entries(expected) as [SearchSort, number[]][]) {
      expect(numbers(await search({ sort })), sort).toEqual(order);
      const page = await search({ sort, limit: 3, offset: 2 });
      expect(numbers(page), `${sort} page`).toEqual(order.slice(2, 5));
      expect(page.total).toBe(order.length);
    }
    const filtered = await search({ sort: 'publishedAt:asc', filters: { hasCode: true } });
    expect(numbers(filtered)).toEqual([1, 6, 5, 3]);
  });

  it("sorts a query's matches strictly, unknown values last, ties by relevance", async () => {
    await current().upsert([...CORPUS]);
    const cases: [SearchSort, number[][]][] = [
      // 6 and 9 were published the same day; 6 has the word in its title, 9 only in its abstract.
      ['publishedAt:desc', [[4], [6], [9], [1], [2], [7], [3]]],
      ['publishedAt:asc', [[7], [2], [1], [6], [9], [4], [3]]],
      ['upvotes:desc', [[3], [4, 6], [9], [1], [7], [2]]],
      ['firstSeenAt:desc', [[9], [4], [3], [6], [2], [1], [7]]],
      // Papers without a velocity last, in relevance order: the word in the title first.
      ['trending', [[9], [3], [4], [1], [6, 7], [2]]],
      [
        'relevance',
        [
          [1, 4, 6, 7],
          [2, 3, 9],
        ],
      ],
    ];
    for (const [sort, groups] of cases) {
      const response = await search({ q: 'prototype', sort });
      expectGroups(numbers(response), groups, sort);
      expect(response.total).toBe(PROTOTYPE_PAPERS.length);
    }
  });

  it('counts facets over the whole result set, not the page', async () => {
    await current().upsert([...CORPUS]);
    const matching = CORPUS.filter((p) => PROTOTYPE_PAPERS.includes(numberOf(p)));
    const page = await search({ q: 'prototype', limit: 1, facets: ['year', 'hasCode', 'source', 'authors'] });
    expect(page.hits).toHaveLength(1);
    expect(page.total).toBe(matching.length);
    expect(page.facetDistribution).toEqual(facetCountsOf(matching));

    const withCode = CORPUS.filter((p) => p.codeUrls.length > 0);
    const filtered = await search({
      limit: 2,
      offset: 2,
      filters: { hasCode: true },
      facets: ['source', 'year', 'authors'],
    });
    const { source, year, authors } = facetCountsOf(withCode);
    expect(filtered.facetDistribution).toEqual({ source, year, authors });

    expect((await search({ q: 'prototype' })).facetDistribution).toBeUndefined();
    const none = await search({ q: 'zzzzzz', facets: ['year', 'hasCode', 'source'] });
    expect(none.total).toBe(0);
    expect(none.facetDistribution).toEqual({ year: {}, hasCode: {}, source: {} });
  });

  it('counts facets over the whole index', async () => {
    await expect(current().facets()).resolves.toEqual({ year: {}, hasCode: {}, source: {}, authors: {} });
    await current().upsert([...CORPUS]);
    await expect(current().facets()).resolves.toEqual(facetCountsOf(CORPUS));
  });

  it('counts authors per name key, the most frequent only, each under one spelling', async () => {
    await current().upsert([...CORPUS]);
    // José García-López (paper 1) and Jose Garcia Lopez (paper 6) are one author.
    expect((await search({ facets: ['authors'] })).facetDistribution).toEqual({
      authors: { 'José García-López': 2, 'Ada Lovelace': 2, 'Grace Hopper': 2, 'Alan Turing': 1 },
    });
    // The name a facet gives filters by every spelling of it.
    const byName = await search({
      filters: { authors: [authorKey('José García-López')] },
      facets: ['authors'],
    });
    expect(sorted(numbers(byName))).toEqual([1, 6]);
    expect(byName.facetDistribution).toEqual({ authors: { 'José García-López': 2, 'Ada Lovelace': 1 } });

    // Thirty-two authors over six papers: the top twenty by count, ties to the smaller key.
    const many = Array.from({ length: 6 }, (_, i) => {
      const k = i + 1;
      const names = Array.from({ length: 5 * k }, (_, j) => `Author ${String(j + 1).padStart(2, '0')}`);
      return canonicalPaper({
        ...wordsPaper(k, `Crowded Paper ${k}`),
        authors: k <= 3 ? ['Zed Last', ...names, 'Aaron First'] : names,
      });
    });
    await current().upsert(many);
    const crowded = await search({ q: 'crowded', facets: ['authors'] });
    expect(crowded.total).toBe(6);
    const expected: Record<string, number> = {};
    const count = (j: number): number => 6 - Math.ceil(j / 5) + 1;
    for (let j = 1; j <= 15; j += 1) expected[`Author ${String(j).padStart(2, '0')}`] = count(j);
    // Count 3: Aaron First, Author 16 … 20 and Zed Last; the first five keys of them make twenty.
    expected['Aaron First'] = 3;
    for (let j = 16; j <= 19; j += 1) expected[`Author ${j}`] = 3;
    expect(crowded.facetDistribution?.authors).toEqual(expected);
    expect(Object.keys(crowded.facetDistribution!.authors!)).toHaveLength(20);
    expect(Object.values(crowded.facetDistribution!.authors!)).toEqual(
      [...Object.values(expected)].sort((a, b) => b - a),
    );
  });

  it('sorts by trend the sightings it merged, wherever they came from', async () => {
    const page = 'https://huggingface.co/api/daily_papers?date=2025-11-03';
    const seen = (n: number, hour: number, upvotes: number | null): Paper => {
      const capturedAt = new Date(Date.UTC(2025, 10, 3) + hour * 3_600_000).toISOString();
      return canonicalPaper({
        ...wordsPaper(n, `Rising Paper ${n}`, capturedAt),
        upvotes,
        sources: [{ name: 'hf-api', url: page, format: 'hf-json', capturedAt, upvotes }],
      });
    };
    // 1: 40/h until hour 2. 2: 10/h until hour 60, so it trends more than 1 from then on
    // (40 · 2^(-58/24) < 10). 3: 3/h until hour 31. 4: seen twice, no gain: last.
    const sightings = [
      [seen(1, 0, 0), seen(1, 2, 80), seen(1, 30, 80)],
      [seen(2, 54, 0), seen(2, 56, 20), seen(2, 60, 60), seen(2, 61, null)],
      [seen(3, 30, 0), seen(3, 31, 3)],
      [seen(4, 0, 7), seen(4, 31, 7)],
    ];
    // One sighting per upsert, the later ones first: the index keeps what the trend needs.
    for (const s of sightings.flat().reverse()) await current().upsert([s]);
    expect(numbers(await search({ sort: 'trending' }))).toEqual([2, 1, 3, 4]);
    expect(numbers(await search({ sort: 'trending', limit: 2, offset: 1 }))).toEqual([1, 3]);
    expect(numbers(await search({ q: 'rising paper', sort: 'trending' }))).toEqual([2, 1, 3, 4]);
    expect(numbers(await search({ sort: 'trending', filters: { minUpvotes: 10 } }))).toEqual([2, 1]);
    const stored = await current().get(seen(2, 0, null).id);
    expect(stored?.upvotes).toBe(60);
    expect(stored?.sources.map((s) => [s.capturedAt.slice(8, 13), s.upvotes])).toEqual([
      ['05T06', 0],
      ['05T12', 60],
      ['05T13', null],
    ]);
  });

  it('pages through filtered results with an exact total', async () => {
    await current().upsert([...CORPUS]);
    const cases: { q: string; filters: SearchFilters; expected: number[] }[] = [
      { q: '', filters: { sources: ['hf'] }, expected: [1, 3, 4, 7, 8, 9] },
      { q: 'prototype', filters: { hasCode: false }, expected: [2, 4, 7, 9] },
      { q: '', filters: { from: '2024-01-01', minUpvotes: 1 }, expected: [1, 4, 6, 8, 9] },
    ];
    for (const { q, filters, expected } of cases) {
      const seen: number[] = [];
      for (let offset = 0; offset < expected.length + 2; offset += 2) {
        const page = await search({ q, filters, limit: 2, offset });
        expect(page.total).toBe(expected.length);
        expect(page.hits.length).toBe(Math.max(0, Math.min(2, expected.length - offset)));
        seen.push(...numbers(page));
      }
      expect(sorted(seen)).toEqual(expected);
    }
  });

  it('highlights matches in marks and escapes everything else', async () => {
    const long = canonicalPaper({
      ...nth(5),
      id: paperIdFromArxiv('2401.00099'),
      arxivId: '2401.00099',
      title: 'Kernel Methods at Scale',
      abstract: `${Array.from({ length: 80 }, (_, i) => `filler${i}`).join(' ')} a prototype <i>here</i> ${Array.from({ length: 80 }, (_, i) => `tail${i}`).join(' ')}.`,
    });
    await current().upsert([...CORPUS, long]);
    const response = await search({ q: 'prototype', highlight: true });
    const formatted = new Map(response.hits.map((h) => [numberOf(h), h._formatted]));
    expect(formatted.get(7)).toEqual({
      title: '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>Prototype</mark> attacks',
      abstract: 'Escaping &amp; markup &lt;b&gt;matter&lt;/b&gt;.',
    });
    expect(formatted.get(2)?.abstract).toMatch(
      /^We learn <mark>prototype<\/mark>s as anchors\.$|<mark>prototypes<\/mark>/,
    );
    for (const hit of response.hits) {
      const f = hit._formatted!;
      expect(f.title.includes('<mark>') || f.abstract.includes('<mark>')).toBe(true);
      // The title is whole; the abstract may be cropped, but is the paper's own text.
      expect(unescapeHtml(f.title.replace(/<\/?mark>/g, ''))).toBe(hit.title);
      for (const piece of unescapeHtml(f.abstract.replace(/<\/?mark>/g, '')).split('…'))
        expect(hit.abstract).toContain(piece.trim());
      expect(f.abstract.replace(/<\/?mark>/g, '')).not.toMatch(/<|>/);
    }
    const cropped = formatted.get(99)!.abstract;
    expect(cropped).toMatch(/^…/);
    expect(cropped).toMatch(/…$/);
    expect(cropped).toContain('<mark>prototype</mark> &lt;i&gt;here&lt;/i&gt;');
    expect(cropped.split(' ').length).toBeLessThan(60);

    const typo = await search({ q: 'protoytpe ', highlight: true });
    expect(typo.hits.find((h) => numberOf(h) === 7)?._formatted?.title).toContain('<mark>Prototype</mark>');
    const plain = await search({ q: 'prototype' });
    for (const hit of plain.hits) expect(hit._formatted).toBeUndefined();
    const placeholder = await search({ highlight: true, limit: 3 });
    for (const hit of placeholder.hits) {
      expect(hit._formatted?.title).not.toContain('<mark>');
      expect(unescapeHtml(hit._formatted!.title)).toBe(hit.title);
    }
  });

  it('tolerates typos as Meilisearch counts them, and no more', async () => {
    const forgetting = wordsPaper(1, 'Forgetting Anchor Lora');
    // Newer, so only the typo rule can put the exact match before it.
    const anchors = wordsPaper(2, 'Anchors Everywhere', '2025-11-05T00:00:00.000Z');
    await current().upsert([forgetting, anchors]);
    const only = async (q: string): Promise<number[]> => numbers(await search({ q }));
    const a = numberOf(forgetting);
    const b = numberOf(anchors);
    // A trailing space: the last word is complete, so only typos can make it match.
    for (const q of [
      'forgettign ',
      'forgetxinx ',
      'xorgetting ',
      'orgetting ',
      'anchr ',
      'anchro ',
      'ancher ',
    ])
      expect(await only(q), q).toEqual([a]);
    expect(await only('anchor '), 'exact before typo').toEqual([a, b]);
    expect(await only('anchors '), 'exact before typo').toEqual([b, a]);
    for (const q of [
      'fxrgetxinx ', // three typos in a ten-letter word
      'forgtxtng ', // three typos
      'lxra ', // a typo in a four-letter word
      'lor ',
      'bnchor ', // a first-letter typo in a six-letter word counts as two
      'nchor ',
      'axchxr ', // two typos in a six-letter word
      'xorgetxing ', // first-letter typo (two) and one more
    ])
      expect(await only(q), q).toEqual([]);
  });

  it('matches the last word as a prefix while it is being typed', async () => {
    const forgetting = wordsPaper(1, 'Forgetting Anchor Lora');
    await current().upsert([forgetting, wordsPaper(2, 'Anchors Everywhere')]);
    expect(numbers(await search({ q: 'forget' }))).toEqual([numberOf(forgetting)]);
    expect(numbers(await search({ q: 'lora forget' }))).toEqual([numberOf(forgetting)]);
    expect(numbers(await search({ q: 'forgte' }))).toEqual([numberOf(forgetting)]);
    expect((await search({ q: 'forget ' })).total).toBe(0);
    expect((await search({ q: 'lo' })).total).toBe(1);
  });

  it('answers searchJson with the JSON text of the same search', async () => {
    await current().upsert([...CORPUS]);
    const request: SearchRequest = {
      q: 'prototype',
      limit: 3,
      offset: 1,
      facets: ['year'],
      highlight: true,
      filters: { hasCode: true },
    };
    const text = await current().searchJson(request);
    const { processingTimeMs: _, ...answer } = SearchResponseSchema.parse(JSON.parse(text));
    const { processingTimeMs: __, ...expected } = await search(request);
    expect(expected.hits.length).toBeGreaterThan(0);
    expect(answer).toEqual(expected);
  });
}
