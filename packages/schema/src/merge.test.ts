import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { canonicalPaper, mergePapers } from './merge.js';
import type { Paper, PaperSource } from './paper.js';
import { PaperSchema } from './paper.js';
import { upvoteVelocity } from './trending.js';

const ID = 'arxiv-2401_00001';

// Small value pools, so generated sightings often collide on instants, URLs and lengths:
// ties are where a merge loses commutativity or associativity.
const instants = [
  '2025-11-01T00:00:00.000Z',
  '2025-11-02T00:00:00.000Z',
  '2025-11-02T12:00:00.000Z',
  '2025-11-03T00:00:00.000Z',
];
const pageUrls = [
  'https://huggingface.co/papers',
  'https://huggingface.co/papers?date=2025-11-02',
  'file:///digests/a.txt',
];

const sourceArb: fc.Arbitrary<PaperSource> = fc.record({
  name: fc.constantFrom('hf', 'hf-api', 'arxiv'),
  url: fc.constantFrom(...pageUrls),
  format: fc.constantFrom('hf-text', 'hf-json', 'arxiv-atom'),
  capturedAt: fc.constantFrom(...instants),
  upvotes: fc.option(fc.nat(50), { nil: null }),
});

/** One sighting of paper ID, as a parser might produce it (not necessarily canonical). */
const sightingArb: fc.Arbitrary<Paper> = fc
  .record({
    title: fc.constantFrom('Prototype Learning', 'Prototype learning', 'Prototype Learning, v2'),
    abstract: fc.constantFrom('', 'Short.', 'A longer abstract.', 'Another abstract.', 'B longer abstract.'),
    authors: fc.constantFrom<string[]>(
      [],
      ['Ada'],
      ['Bob'],
      ['Ada', 'Bob'],
      ['Bob', 'Ada'],
      ['Ada', 'Bob', 'Cy'],
    ),
    authorCount: fc.option(fc.nat(5), { nil: null }),
    publishedAt: fc.option(fc.constantFrom('2024-01-02', '2024-03-04', '2025-01-01'), { nil: null }),
    upvotes: fc.option(fc.nat(50), { nil: null }),
    codeUrls: fc.subarray([
      'https://github.com/b/repo',
      'https://github.com/a/repo',
      'https://gitlab.com/c/d',
    ]),
    arxivId: fc.option(fc.constantFrom('2401.00001', '2401.00002'), { nil: null }),
    sources: fc.array(sourceArb, { minLength: 1, maxLength: 3 }),
    extraSeen: fc.constantFrom(...instants),
  })
  .map(({ sources, extraSeen, ...rest }) => {
    const seen = [...sources.map((s) => s.capturedAt), extraSeen].sort();
    return { id: ID, ...rest, sources, firstSeenAt: seen[0]!, lastSeenAt: seen[seen.length - 1]! };
  });

const mergeAll = ([first, ...rest]: Paper[]): Paper => rest.reduce(mergePapers, canonicalPaper(first!));

describe('mergePapers', () => {
  it('yields valid papers', () => {
    fc.assert(
      fc.property(sightingArb, sightingArb, (a, b) => {
        expect(PaperSchema.parse(mergePapers(a, b))).toEqual(mergePapers(a, b));
      }),
    );
  });

  it('is commutative', () => {
    fc.assert(
      fc.property(sightingArb, sightingArb, (a, b) => {
        expect(mergePapers(a, b)).toEqual(mergePapers(b, a));
      }),
      { numRuns: 2000 },
    );
  });

  it('is associative', () => {
    fc.assert(
      fc.property(sightingArb, sightingArb, sightingArb, (a, b, c) => {
        expect(mergePapers(mergePapers(a, b), c)).toEqual(mergePapers(a, mergePapers(b, c)));
      }),
      { numRuns: 3000 },
    );
  });

  it('is idempotent: merging a sighting again changes nothing', () => {
    fc.assert(
      fc.property(sightingArb, sightingArb, (a, b) => {
        const merged = mergePapers(a, b);
        expect(mergePapers(merged, merged)).toEqual(merged);
        expect(mergePapers(merged, b)).toEqual(merged);
        expect(mergePapers(merged, a)).toEqual(merged);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same record for any arrival order of many sightings', () => {
    fc.assert(
      fc.property(
        fc
          .array(sightingArb, { minLength: 2, maxLength: 6 })
          .chain((sightings) =>
            fc.tuple(fc.constant(sightings), fc.shuffledSubarray(sightings, { minLength: sightings.length })),
          ),
        ([sightings, shuffled]) => {
          expect(mergeAll(shuffled)).toEqual(mergeAll(sightings));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('keeps the earliest firstSeenAt, the latest lastSeenAt and never lets null overwrite a value', () => {
    fc.assert(
      fc.property(fc.array(sightingArb, { minLength: 1, maxLength: 5 }), (sightings) => {
        const merged = mergeAll(sightings);
        expect(merged.firstSeenAt).toBe(sightings.map((s) => s.firstSeenAt).sort()[0]);
        expect(merged.lastSeenAt).toBe(
          sightings
            .map((s) => s.lastSeenAt)
            .sort()
            .at(-1),
        );
        if (sightings.some((s) => s.publishedAt !== null)) expect(merged.publishedAt).not.toBeNull();
        if (sightings.some((s) => s.arxivId !== null)) expect(merged.arxivId).not.toBeNull();
        if (sightings.some((s) => s.abstract !== '')) expect(merged.abstract).not.toBe('');
        if (sightings.some((s) => s.authors.length > 0)) expect(merged.authors).not.toEqual([]);
        expect(merged.codeUrls).toEqual([...new Set(sightings.flatMap((s) => s.codeUrls))].sort());
        expect(merged.authorCount ?? 0).toBeGreaterThanOrEqual(merged.authors.length);
        const counted = sightings
          .flatMap((s) => s.sources)
          .filter((src) => src.upvotes !== null)
          .sort((x, y) => x.capturedAt.localeCompare(y.capturedAt) || x.upvotes! - y.upvotes!);
        expect(merged.upvotes).toBe(counted.at(-1)?.upvotes ?? null);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps an entry for every page URL and source name seen', () => {
    fc.assert(
      fc.property(fc.array(sightingArb, { minLength: 1, maxLength: 5 }), (sightings) => {
        const pairs = (sources: PaperSource[]) =>
          [...new Set(sources.map((s) => `${s.url} ${s.name}`))].sort();
        expect(pairs(mergeAll(sightings).sources)).toEqual(pairs(sightings.flatMap((s) => s.sources)));
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps what the upvote velocity needs: the same velocity as from every capture merged', () => {
    fc.assert(
      fc.property(fc.array(sightingArb, { minLength: 1, maxLength: 6 }), (sightings) => {
        const merged = mergeAll(sightings);
        expect(upvoteVelocity(merged)).toEqual(
          upvoteVelocity({ sources: sightings.flatMap((s) => s.sources) }),
        );
        // At most four captures per page and source name: the latest, and of the counted ones
        // the latest, the first and the first at the peak.
        const perPage = new Map<string, number>();
        for (const s of merged.sources)
          perPage.set(`${s.url} ${s.name}`, (perPage.get(`${s.url} ${s.name}`) ?? 0) + 1);
        for (const n of perPage.values()) expect(n).toBeLessThanOrEqual(4);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the first counted capture and the first at the peak of a page', () => {
    const url = pageUrls[0]!;
    const at = (capturedAt: string, upvotes: number | null): Paper => ({
      id: ID,
      title: 'Prototype Learning',
      abstract: '',
      authors: [],
      authorCount: null,
      publishedAt: null,
      upvotes,
      codeUrls: [],
      arxivId: null,
      sources: [{ name: 'hf', url, format: 'hf-json', capturedAt, upvotes }],
      firstSeenAt: capturedAt,
      lastSeenAt: capturedAt,
    });
    const merged = mergeAll([
      at(instants[2]!, 9),
      at(instants[3]!, null),
      at(instants[0]!, 3),
      at(instants[1]!, 9),
    ]);
    expect(merged.sources.map((s) => [s.capturedAt, s.upvotes])).toEqual([
      [instants[0], 3],
      [instants[1], 9],
      [instants[2], 9],
      [instants[3], null],
    ]);
    expect(merged.upvotes).toBe(9);
  });

  it('keeps both names of a page listed by two sources', () => {
    const url = pageUrls[0]!;
    const listed = (name: string, capturedAt: string): Paper => ({
      id: ID,
      title: 'Prototype Learning',
      abstract: '',
      authors: [],
      authorCount: null,
      publishedAt: null,
      upvotes: null,
      codeUrls: [],
      arxivId: null,
      sources: [{ name, url, format: 'hf-text', capturedAt, upvotes: null }],
      firstSeenAt: capturedAt,
      lastSeenAt: capturedAt,
    });
    const merged = mergeAll([listed('hf-daily', instants[1]!), listed('hf', instants[0]!)]);
    expect(merged.sources).toEqual([
      { name: 'hf', url, format: 'hf-text', capturedAt: instants[0], upvotes: null },
      { name: 'hf-daily', url, format: 'hf-text', capturedAt: instants[1], upvotes: null },
    ]);
  });

  it('takes upvotes from the latest capture that showed a count', () => {
    const at = (capturedAt: string, upvotes: number | null, url = pageUrls[0]!): Paper => ({
      id: ID,
      title: 'Prototype Learning',
      abstract: '',
      authors: [],
      authorCount: null,
      publishedAt: null,
      upvotes,
      codeUrls: [],
      arxivId: null,
      sources: [{ name: 'hf', url, format: 'hf-text', capturedAt, upvotes }],
      firstSeenAt: capturedAt,
      lastSeenAt: capturedAt,
    });
    const newest = at(instants[3]!, 7);
    const older = at(instants[1]!, 30, pageUrls[1]);
    const newestWithoutCount = at(instants[3]!, null, pageUrls[2]);
    expect(mergeAll([newest, older]).upvotes).toBe(7);
    expect(mergeAll([older, newest]).upvotes).toBe(7);
    expect(mergeAll([older, newestWithoutCount]).upvotes).toBe(30);
  });

  it('refuses to merge different papers', () => {
    fc.assert(
      fc.property(sightingArb, (a) => {
        expect(() => mergePapers(a, { ...a, id: 'arxiv-2401_00002' })).toThrow(/different papers/);
      }),
      { numRuns: 10 },
    );
  });
});

describe('canonicalPaper', () => {
  it('is a fixed point of merging', () => {
    fc.assert(
      fc.property(sightingArb, (a) => {
        const canonical = canonicalPaper(a);
        expect(canonicalPaper(canonical)).toEqual(canonical);
        expect(mergePapers(canonical, a)).toEqual(canonical);
      }),
    );
  });
});
