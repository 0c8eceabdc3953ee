import { describe, expect, it } from 'vitest';

import { addDays, compareListed, dayHit, dayUpvotes, listedUpvotes, spanOf } from './days.js';
import { canonicalPaper } from './merge.js';
import type { Paper, PaperSource } from './paper.js';

function source(
  capturedAt: string,
  upvotes: number | null,
  url = 'https://huggingface.co/papers',
): PaperSource {
  return { name: 'hf', url, format: 'hf-json', capturedAt, upvotes };
}

function paper(id: string, sources: PaperSource[]): Paper {
  const seen = sources.map((s) => s.capturedAt).sort();
  return canonicalPaper({
    id,
    title: `Paper ${id}`,
    abstract: '',
    authors: [],
    authorCount: null,
    publishedAt: null,
    upvotes: null,
    codeUrls: [],
    arxivId: null,
    sources,
    firstSeenAt: seen[0]!,
    lastSeenAt: seen.at(-1)!,
  });
}

describe('dayUpvotes', () => {
  it("is the latest count of the first day's captures, not a later day's", () => {
    const sut = paper('arxiv-1', [
      source('2025-11-03T08:00:00.000Z', 4, 'https://huggingface.co/papers?date=2025-11-03'),
      source('2025-11-03T20:00:00.000Z', 9, 'https://huggingface.co/api/daily_papers'),
      source('2025-11-05T08:00:00.000Z', 40, 'https://huggingface.co/papers?date=2025-11-05'),
    ]);
    expect(sut.upvotes).toBe(40);
    expect(dayUpvotes(sut)).toBe(9);
    expect(listedUpvotes(sut)).toBe(9);
    expect(dayHit(sut)).toEqual({ ...sut, dayUpvotes: 9 });
  });

  it('skips captures without a count and breaks a tie of instants by the higher count', () => {
    const at = '2025-11-03T08:00:00.000Z';
    const sut = paper('arxiv-1', [
      source(at, 3, 'https://a.example/'),
      source(at, 7, 'https://b.example/'),
      source('2025-11-03T09:00:00.000Z', null, 'https://c.example/'),
    ]);
    expect(dayUpvotes(sut)).toBe(7);
  });

  it('is null when no capture of the first day kept a count; the order then takes the latest count', () => {
    const sut = paper('arxiv-1', [
      source('2025-11-03T08:00:00.000Z', null, 'https://export.arxiv.org/rss/cs'),
      source('2025-11-04T08:00:00.000Z', 12),
    ]);
    expect(dayUpvotes(sut)).toBeNull();
    expect(listedUpvotes(sut)).toBe(12);
  });
});

describe('compareListed', () => {
  it('puts higher counts first, unknown counts last, then the earliest seen, then the id', () => {
    const a = paper('arxiv-a', [source('2025-11-03T08:00:00.000Z', 5)]);
    const b = paper('arxiv-b', [source('2025-11-03T09:00:00.000Z', 50)]);
    const c = paper('arxiv-c', [source('2025-11-03T07:00:00.000Z', null)]);
    const d = paper('arxiv-d', [source('2025-11-03T06:00:00.000Z', 5)]);
    const e = paper('arxiv-e', [source('2025-11-03T06:00:00.000Z', 5)]);
    expect([a, b, c, d, e].sort(compareListed).map((p) => p.id)).toEqual([
      'arxiv-b',
      'arxiv-d',
      'arxiv-e',
      'arxiv-a',
      'arxiv-c',
    ]);
  });
});

describe('spanOf', () => {
  it('gives the day, its ISO week from Monday and its calendar month', () => {
    expect(spanOf('2025-11-03', 'day')).toEqual({ from: '2025-11-03', to: '2025-11-03' });
    // 2025-11-03 is a Monday, 2025-11-09 a Sunday.
    expect(spanOf('2025-11-03', 'week')).toEqual({ from: '2025-11-03', to: '2025-11-09' });
    expect(spanOf('2025-11-09', 'week')).toEqual({ from: '2025-11-03', to: '2025-11-09' });
    expect(spanOf('2026-01-01', 'week')).toEqual({ from: '2025-12-29', to: '2026-01-04' });
    expect(spanOf('2024-02-10', 'month')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(spanOf('2025-12-31', 'month')).toEqual({ from: '2025-12-01', to: '2025-12-31' });
  });

  it('steps over month and year ends', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
  });
});
