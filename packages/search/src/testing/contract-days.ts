import type { Paper, PaperSource } from '@paperwire/schema';
import {
  canonicalPaper,
  compareListed,
  dayHit,
  firstSeenDay,
  mergePapers,
  paperIdFromArxiv,
} from '@paperwire/schema';
import { expect, it } from 'vitest';

import type { SearchIndex } from '../port.js';

const LISTING = (date: string) => `https://huggingface.co/papers?date=${date}`;
const API = 'https://huggingface.co/api/daily_papers';

function capture(
  capturedAt: string,
  upvotes: number | null,
  url = LISTING(capturedAt.slice(0, 10)),
): PaperSource {
  return { name: 'hf', url, format: 'hf-json', capturedAt, upvotes };
}

/** One sighting of paper number `n` (arXiv 2511.000nn) on one page. */
function sighting(n: number, source: PaperSource): Paper {
  const arxivId = `2511.${String(n).padStart(5, '0')}`;
  return canonicalPaper({
    id: paperIdFromArxiv(arxivId),
    title: `Listed paper number ${n}`,
    abstract: `What paper ${n} is about.`,
    authors: [],
    authorCount: null,
    publishedAt: null,
    upvotes: source.upvotes,
    codeUrls: [],
    arxivId,
    sources: [source],
    firstSeenAt: source.capturedAt,
    lastSeenAt: source.capturedAt,
  });
}

/**
 * Papers over five days, with what makes a day's order: counts of the first day that differ from
 * the latest count, papers with no count, equal counts, captures at the edges of a day, and papers
 * seen again days later.
 */
function daySightings(): Paper[] {
  return [
    sighting(1, capture('2025-10-30T08:00:00.000Z', 4)),
    sighting(2, capture('2025-11-01T00:00:00.000Z', 10)),
    sighting(3, capture('2025-11-01T23:59:59.999Z', 10)),
    sighting(4, capture('2025-11-01T12:00:00.000Z', null)),
    // First listed with 2 upvotes, 90 a few days later: its day says 2.
    sighting(5, capture('2025-11-01T06:00:00.000Z', 2)),
    sighting(5, capture('2025-11-04T06:00:00.000Z', 90, API)),
    // No count on its first day: the latest count orders it.
    sighting(6, capture('2025-11-01T07:00:00.000Z', null, 'https://export.arxiv.org/rss/cs')),
    sighting(6, capture('2025-11-02T07:00:00.000Z', 7, API)),
    // Two captures of its first day: the later one's count.
    sighting(7, capture('2025-11-03T08:00:00.000Z', 1)),
    sighting(7, capture('2025-11-03T20:00:00.000Z', 11, API)),
    sighting(8, capture('2025-11-03T00:00:00.000Z', 11)),
    sighting(9, capture('2025-11-04T00:00:00.000Z', 0)),
  ];
}

function oracle(sightings: Paper[]): Paper[] {
  const byId = new Map<string, Paper>();
  for (const s of sightings) {
    const seen = byId.get(s.id);
    byId.set(s.id, seen ? mergePapers(seen, s) : s);
  }
  return [...byId.values()];
}

function listedIn(papers: Paper[], from: string, to: string): Paper[] {
  return papers.filter((p) => firstSeenDay(p) >= from && firstSeenDay(p) <= to).sort(compareListed);
}

/** Days: papers by the UTC date of their first sighting, every engine alike. */
export function daysContract(subject: () => SearchIndex): void {
  it('has no days while empty', async () => {
    const index = subject();
    await expect(index.days({ limit: 10 })).resolves.toEqual([]);
    await expect(
      index.listed({ from: '2025-11-03', to: '2025-11-03', limit: 10, offset: 0 }),
    ).resolves.toEqual({ total: 0, hits: [], previous: null, next: null });
  });

  it('lists the days with papers newest first, with counts, within a range and a limit', async () => {
    const index = subject();
    const sightings = daySightings();
    await index.upsert(sightings);
    const papers = oracle(sightings);
    const counts = new Map<string, number>();
    for (const p of papers) counts.set(firstSeenDay(p), (counts.get(firstSeenDay(p)) ?? 0) + 1);
    const expected = [...counts]
      .sort(([a], [b]) => (a < b ? 1 : -1))
      .map(([date, n]) => ({ date, papers: n }));
    expect(expected.map((d) => d.date)).toEqual(['2025-11-04', '2025-11-03', '2025-11-01', '2025-10-30']);

    await expect(index.days({ limit: 100 })).resolves.toEqual(expected);
    await expect(index.days({ limit: 2 })).resolves.toEqual(expected.slice(0, 2));
    await expect(index.days({ from: '2025-10-31', to: '2025-11-03', limit: 100 })).resolves.toEqual(
      expected.slice(1, 3),
    );
    await expect(index.days({ to: '2025-11-02', limit: 1 })).resolves.toEqual([expected[2]]);
    await expect(index.days({ from: '2025-11-05', limit: 100 })).resolves.toEqual([]);
  });

  it("lists a day's papers by the upvotes of that day, with the nearest days around it", async () => {
    const index = subject();
    const sightings = daySightings();
    await index.upsert(sightings);
    const papers = oracle(sightings);

    const day = await index.listed({ from: '2025-11-01', to: '2025-11-01', limit: 50, offset: 0 });
    const expected = listedIn(papers, '2025-11-01', '2025-11-01').map(dayHit);
    // 2 and 3 tie at 10 (2 seen first); 6 has no count that day but 7 later; 5 showed 2; 4 none.
    expect(expected.map((h) => [h.arxivId, h.dayUpvotes, h.upvotes])).toEqual([
      ['2511.00002', 10, 10],
      ['2511.00003', 10, 10],
      ['2511.00006', null, 7],
      ['2511.00005', 2, 90],
      ['2511.00004', null, null],
    ]);
    expect(day).toEqual({ total: 5, hits: expected, previous: '2025-10-30', next: '2025-11-03' });

    const third = await index.listed({ from: '2025-11-03', to: '2025-11-03', limit: 50, offset: 0 });
    expect(third.hits.map((h) => [h.arxivId, h.dayUpvotes])).toEqual([
      ['2511.00008', 11],
      ['2511.00007', 11],
    ]);

    const page = await index.listed({ from: '2025-11-01', to: '2025-11-01', limit: 2, offset: 2 });
    expect(page).toEqual({ ...day, hits: expected.slice(2, 4) });

    const first = await index.listed({ from: '2025-10-30', to: '2025-10-30', limit: 5, offset: 0 });
    expect(first).toMatchObject({ total: 1, previous: null, next: '2025-11-01' });
    const last = await index.listed({ from: '2025-11-04', to: '2025-11-04', limit: 5, offset: 0 });
    expect(last).toMatchObject({ total: 1, previous: '2025-11-03', next: null });
    // A day without papers still knows its neighbours.
    const quiet = await index.listed({ from: '2025-11-02', to: '2025-11-02', limit: 5, offset: 0 });
    expect(quiet).toEqual({ total: 0, hits: [], previous: '2025-11-01', next: '2025-11-03' });
  });

  it('lists a span of days as one list, and moves a paper to an earlier day once seen before', async () => {
    const index = subject();
    const sightings = daySightings();
    await index.upsert(sightings);
    const week = await index.listed({ from: '2025-10-27', to: '2025-11-02', limit: 50, offset: 0 });
    expect(week).toEqual({
      total: 6,
      hits: listedIn(oracle(sightings), '2025-10-27', '2025-11-02').map(dayHit),
      previous: null,
      next: '2025-11-03',
    });

    const earlier = sighting(9, capture('2025-10-30T09:00:00.000Z', 3));
    await index.upsert([earlier]);
    const papers = oracle([...sightings, earlier]);
    await expect(index.days({ limit: 10 })).resolves.toEqual([
      { date: '2025-11-03', papers: 2 },
      { date: '2025-11-01', papers: 5 },
      { date: '2025-10-30', papers: 2 },
    ]);
    const day = await index.listed({ from: '2025-10-30', to: '2025-10-30', limit: 5, offset: 0 });
    expect(day.hits).toEqual(listedIn(papers, '2025-10-30', '2025-10-30').map(dayHit));
    expect(day.hits.map((h) => [h.arxivId, h.dayUpvotes, h.upvotes])).toEqual([
      ['2511.00001', 4, 4],
      ['2511.00009', 3, 0],
    ]);
  });

  it('refuses bad day requests', async () => {
    const index = subject();
    for (const request of [
      { from: '2025-11-31', to: '2025-11-31', limit: 5, offset: 0 },
      { from: '2025-11-04', to: '2025-11-03', limit: 5, offset: 0 },
      { from: '2025-11-03', to: '2025-11-03', limit: 0, offset: 0 },
      { from: '2025-11-03', to: '2025-11-03', limit: 5, offset: -1 },
    ])
      await expect(index.listed(request), JSON.stringify(request)).rejects.toThrow(RangeError);
    await expect(index.days({ from: 'yesterday', limit: 5 })).rejects.toThrow(RangeError);
    await expect(index.days({ limit: 1.5 })).rejects.toThrow(RangeError);
  });
}
