import type { JobPayload, Paper } from '@paperwire/schema';
import { describe, expect, it } from 'vitest';

import { RetryLaterError } from './errors.js';
import { jobOptions, retryDelay } from './options.js';

const manifestId = 'a'.repeat(32);
const page = {
  key: 'b'.repeat(64),
  manifestId,
  url: 'https://huggingface.co/papers',
  sourceName: 'hf',
  capturedAt: '2025-11-03T08:00:00.000Z',
  contentType: 'text/html',
  formatHint: 'hf-html',
  size: 10,
} as const;

const paper: Paper = {
  id: 'arxiv-2511_00001',
  title: 'A paper',
  abstract: '',
  authors: [],
  authorCount: null,
  publishedAt: null,
  upvotes: null,
  codeUrls: [],
  arxivId: '2511.00001',
  sources: [{ name: 'hf', url: page.url, format: 'hf-html', capturedAt: page.capturedAt, upvotes: null }],
  firstSeenAt: page.capturedAt,
  lastSeenAt: page.capturedAt,
};

const sighted = (ids: string[]): JobPayload<'papers.sighted'> => ({
  manifestId,
  papers: ids.map((id) => ({ ...paper, id })),
});

describe('jobOptions', () => {
  it('retries five times with jittered exponential backoff, trims completed jobs and keeps failed ones', () => {
    expect(jobOptions('page.fetched', { page, unchanged: false })).toEqual({
      jobId: manifestId,
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: false,
    });
  });

  it('gives a fetch without a capture time no id: every such fetch is new work', () => {
    const opts = jobOptions('page.fetch', {
      url: page.url,
      sourceName: 'hf',
      formatHint: null,
      capturedAt: null,
    });
    expect(opts.jobId).toBeUndefined();
    expect(opts.attempts).toBe(5);
  });

  it('gives a fetch of a URL at a capture time one id, without colons', () => {
    const fetch = (url: string, capturedAt: string) =>
      jobOptions('page.fetch', { url, sourceName: 'hf', formatHint: null, capturedAt }).jobId;
    const id = fetch('https://example.org/a?b=c', '2025-11-03T08:00:00.000Z');
    expect(id).toMatch(/^fetch-[0-9a-f]{32}$/);
    expect(fetch('https://example.org/a?b=c', '2025-11-03T08:00:00.000Z')).toBe(id);
    expect(fetch('https://example.org/a?b=c', '2025-11-04T08:00:00.000Z')).not.toBe(id);
    expect(fetch('https://example.org/a?b=d', '2025-11-03T08:00:00.000Z')).not.toBe(id);
  });

  it('ids a parsed chunk by manifest and chunk number', () => {
    const opts = jobOptions('papers.parsed', { manifestId, chunk: 3, chunks: 4, papers: [paper] });
    expect(opts.jobId).toBe(`${manifestId}-3`);
  });

  it('ids a sighting by manifest and the set of paper ids, in any order', () => {
    const id = jobOptions('papers.sighted', sighted(['arxiv-1', 'title-x'])).jobId;
    expect(id).toMatch(new RegExp(`^${manifestId}-seen-[0-9a-f]{16}$`));
    expect(jobOptions('papers.sighted', sighted(['title-x', 'arxiv-1'])).jobId).toBe(id);
    expect(jobOptions('papers.sighted', sighted(['title-x'])).jobId).not.toBe(id);
  });

  it('never produces an id with a colon', () => {
    const ids = [
      jobOptions('page.fetched', { page, unchanged: true }).jobId,
      jobOptions('papers.parsed', { manifestId, chunk: 0, chunks: 1, papers: [paper] }).jobId,
      jobOptions('papers.sighted', sighted(['arxiv-1'])).jobId,
      jobOptions('page.fetch', {
        url: 'http://x:80/',
        sourceName: 's',
        formatHint: null,
        capturedAt: page.capturedAt,
      }).jobId,
    ];
    for (const id of ids) expect(id).not.toContain(':');
  });

  it('puts the run id into job ids, so the same page in two runs is two jobs', () => {
    const runId = 'reparse-20251103T080000Z-abc123';
    expect(jobOptions('page.fetched', { page, unchanged: false, runId }).jobId).toBe(
      `${manifestId}-${runId}`,
    );
    expect(
      jobOptions('papers.parsed', { manifestId, chunk: 2, chunks: 3, papers: [paper], runId }).jobId,
    ).toBe(`${manifestId}-${runId}-2`);
    expect(jobOptions('papers.sighted', { ...sighted(['arxiv-1']), runId }).jobId).toMatch(
      new RegExp(`^${manifestId}-${runId}-seen-[0-9a-f]{16}$`),
    );
    const fetch = { url: page.url, sourceName: 'hf', formatHint: null, capturedAt: page.capturedAt };
    expect(jobOptions('page.fetch', { ...fetch, runId }).jobId).not.toBe(
      jobOptions('page.fetch', fetch).jobId,
    );
    expect(jobOptions('page.fetch', { ...fetch, runId }).jobId).toBe(
      jobOptions('page.fetch', { ...fetch, runId }).jobId,
    );
  });

  it('backs fetch jobs off as a RetryLaterError asks, else exponentially with jitter', () => {
    const fetch = jobOptions('page.fetch', {
      url: page.url,
      sourceName: 'hf',
      formatHint: null,
      capturedAt: null,
    });
    expect(fetch.backoff).toEqual({ type: 'retry-later', delay: 1000, jitter: 0.5 });
    expect(retryDelay(1, new RetryLaterError('429', 120_000))).toBe(120_000);
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      const max = 1000 * 2 ** (attempt - 1);
      const delay = retryDelay(attempt, new Error('503'));
      expect(delay).toBeGreaterThanOrEqual(max / 2);
      expect(delay).toBeLessThanOrEqual(max);
    }
  });
});
