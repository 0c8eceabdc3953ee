import { describe, expect, it } from 'vitest';

import { canonicalPaper, mergePapers } from './merge.js';
import type { Paper, PaperSource } from './paper.js';
import { TRENDING_HALF_LIFE_HOURS, trendAt, trendingScore, upvoteVelocity } from './trending.js';

const PAGE = 'https://huggingface.co/api/daily_papers?date=2025-11-03';

function capture(capturedAt: string, upvotes: number | null, url = PAGE): PaperSource {
  return { name: 'hf-api', url, format: 'hf-json', capturedAt, upvotes };
}

function sighting(id: string, source: PaperSource): Paper {
  return canonicalPaper({
    id,
    title: `Paper ${id}`,
    abstract: '',
    authors: [],
    authorCount: null,
    publishedAt: null,
    upvotes: source.upvotes,
    codeUrls: [],
    arxivId: null,
    sources: [source],
    firstSeenAt: source.capturedAt,
    lastSeenAt: source.capturedAt,
  });
}

/** The record the index keeps of these captures of one paper, merged in the order given. */
function merged(id: string, captures: PaperSource[]): Paper {
  return captures.map((c) => sighting(id, c)).reduce(mergePapers);
}

const at = (hour: number): string => new Date(Date.UTC(2025, 10, 3) + hour * 3_600_000).toISOString();

describe('upvoteVelocity', () => {
  it('is the upvotes gained per hour from the first counted capture to the first showing the peak', () => {
    const sut = merged('arxiv-1', [
      capture(at(0), 10),
      capture(at(2), 30),
      capture(at(4), 50),
      // No gain after hour 4: the peak was first shown then.
      capture(at(10), 50),
      capture(at(12), null),
    ]);
    expect(sut.upvotes).toBe(50);
    const velocity = upvoteVelocity(sut);
    expect(velocity).toMatchObject({ perHour: 10, gainedAt: at(4) });
    expect(velocity?.score).toBeCloseTo(Math.log2(10) + Date.parse(at(4)) / 3_600_000 / 24, 9);
  });

  it('is null without two counted captures of one page with a gain between them', () => {
    expect(upvoteVelocity(merged('arxiv-1', [capture(at(0), 10)]))).toBeNull();
    expect(upvoteVelocity(merged('arxiv-1', [capture(at(0), 10), capture(at(5), 10)]))).toBeNull();
    expect(upvoteVelocity(merged('arxiv-1', [capture(at(0), 10), capture(at(5), 4)]))).toBeNull();
    expect(upvoteVelocity(merged('arxiv-1', [capture(at(0), null), capture(at(5), null)]))).toBeNull();
    // Two pages that each showed one count: no page gained (their counts need not agree).
    expect(
      upvoteVelocity(
        merged('arxiv-1', [capture(at(0), 1), capture(at(5), 40, 'https://huggingface.co/papers')]),
      ),
    ).toBeNull();
  });

  it('spreads a gain over at least an hour', () => {
    const sut = merged('arxiv-1', [capture(at(0), 10), capture(at(0.1), 12)]);
    expect(upvoteVelocity(sut)?.perHour).toBe(2);
  });

  it('takes the page that trends most', () => {
    const other = 'https://huggingface.co/papers';
    const sut = merged('arxiv-1', [
      capture(at(0), 0),
      capture(at(10), 100),
      capture(at(20), 5, other),
      capture(at(21), 9, other),
    ]);
    // 10/h last gaining at hour 10 against 4/h at hour 21: 10 · 2^(-11/24) ≈ 7.3 > 4.
    expect(upvoteVelocity(sut)).toMatchObject({ perHour: 10, gainedAt: at(10) });
  });

  it('is the same for the merged record as for every capture it was merged from, in any order', () => {
    const captures = [capture(at(3), 7), capture(at(1), 2), capture(at(8), 7), capture(at(5), 6)];
    const all = { sources: captures };
    for (const order of [
      captures,
      [...captures].reverse(),
      [captures[2]!, captures[0]!, captures[3]!, captures[1]!],
    ])
      expect(upvoteVelocity(merged('arxiv-1', order))).toEqual(upvoteVelocity(all));
    expect(upvoteVelocity(all)).toMatchObject({ perHour: 2.5, gainedAt: at(3) });
  });
});

describe('trendingScore', () => {
  it('orders papers as their decayed velocities do, at every instant', () => {
    const papers = [
      // Fast a day ago.
      merged('arxiv-1', [capture(at(0), 0), capture(at(2), 80)]),
      // Slow but gaining now.
      merged('arxiv-2', [capture(at(20), 0), capture(at(26), 60)]),
      // Moderate, in between.
      merged('arxiv-3', [capture(at(10), 5), capture(at(14), 65)]),
    ];
    const scores = papers.map((p) => trendingScore(p)!);
    const byScore = [0, 1, 2].sort((a, b) => scores[b]! - scores[a]!);
    for (const now of [at(26), at(30), at(100), at(1000)]) {
      const nowHours = Date.parse(now) / 3_600_000;
      const decayed = papers.map((p) => {
        const v = upvoteVelocity(p)!;
        return v.perHour * 2 ** (-(nowHours - Date.parse(v.gainedAt) / 3_600_000) / TRENDING_HALF_LIFE_HOURS);
      });
      expect(
        [0, 1, 2].sort((a, b) => decayed[b]! - decayed[a]!),
        now,
      ).toEqual(byScore);
      decayed.forEach((d, i) => expect(trendAt(scores[i]!, now)).toBeCloseTo(d, 6));
    }
    // arxiv-1 gained 40/h until hour 2; arxiv-2 10/h until hour 26: 40 · 2^(-24/24) = 20 > 10.
    expect(byScore).toEqual([0, 2, 1]);
  });

  it('halves the trend every half-life after the last gain', () => {
    const score = trendingScore(merged('arxiv-1', [capture(at(0), 0), capture(at(4), 40)]))!;
    expect(trendAt(score, at(4))).toBeCloseTo(10, 9);
    expect(trendAt(score, at(4 + TRENDING_HALF_LIFE_HOURS))).toBeCloseTo(5, 9);
    expect(trendAt(score, at(4 + 3 * TRENDING_HALF_LIFE_HOURS))).toBeCloseTo(1.25, 9);
  });
});
