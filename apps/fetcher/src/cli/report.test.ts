import { join } from 'node:path';

import type { RunFailure, RunState } from '@paperwire/pipeline';
import { RawStore } from '@paperwire/rawstore';
import { tempDir, type TempDir } from '@paperwire/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { failureLines, reportedFailures, summarize, type ReportedFailure } from './report.js';

const KEY = 'a'.repeat(64);

function state(overrides: Partial<RunState> = {}): RunState {
  return {
    runId: 'ingest-20251103T080000Z-abcdef',
    kind: 'ingest',
    source: null,
    startedAt: '2025-11-03T08:00:00.000Z',
    expected: 2,
    fetched: 1,
    unchanged: 0,
    failed: 1,
    refused: 0,
    skipped: 0,
    pagesPending: 0,
    pagesParsed: 0,
    pagesFailed: 1,
    chunksPending: 0,
    chunksFailed: 0,
    papersIndexed: 0,
    papersSighted: 0,
    done: true,
    ...overrides,
  };
}

function failure(overrides: Partial<RunFailure> = {}): RunFailure {
  return {
    stage: 'fetch',
    outcome: 'failed',
    reason: 'GET https://example.org/missing answered 404 Not Found',
    url: 'https://example.org/missing',
    source: 'example',
    httpStatus: 404,
    pageKey: null,
    manifestId: null,
    jobId: 'job-1',
    at: '2025-11-03T08:00:01.000Z',
    ...overrides,
  };
}

describe('failureLines', () => {
  it('says what failed and why, the HTTP status, and where the raw page is kept', () => {
    const failures: ReportedFailure[] = [
      { ...failure(), rawPath: null },
      {
        ...failure({
          stage: 'parse',
          reason: 'cannot parse page: no format accepts it\nfirst bytes: {"x": 1}',
          url: 'file:///tmp/bad.json',
          source: 'local',
          httpStatus: null,
          pageKey: KEY,
        }),
        rawPath: `/data/raw/objects/aa/aa/${KEY}.gz`,
      },
    ];
    expect(failureLines(state(), failures)).toEqual([
      'failed: fetch of https://example.org/missing (source example): GET https://example.org/missing answered 404 Not Found',
      '  HTTP 404; raw page: none archived',
      'failed: parse of file:///tmp/bad.json (source local): cannot parse page: no format accepts it',
      '    first bytes: {"x": 1}',
      `  raw page: ${KEY} in /data/raw/objects/aa/aa/${KEY}.gz`,
    ]);
  });

  it('names a refusal as one', () => {
    const lines = failureLines(state({ failed: 0, refused: 1, pagesFailed: 0 }), [
      {
        ...failure({
          outcome: 'refused',
          reason: 'refused http://10.0.0.1/: private address',
          httpStatus: null,
        }),
        rawPath: null,
      },
    ]);
    expect(lines[0]).toMatch(/^refused: fetch of https:\/\/example.org\/missing \(source example\): refused/);
  });

  it('counts failures without a recorded reason instead of hiding them', () => {
    const lines = failureLines(state({ failed: 3, pagesFailed: 0 }), [{ ...failure(), rawPath: null }]);
    expect(lines.at(-1)).toMatch(/^2 more failed without a recorded reason/);
  });

  it('lists at most 50 on the terminal, and says how many more --json has', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({
      ...failure({ url: `https://example.org/${i}` }),
      rawPath: null,
    }));
    const lines = failureLines(state({ failed: 60, pagesFailed: 0 }), many);
    expect(lines).toHaveLength(101);
    expect(lines.at(-1)).toBe('… and 10 more failures (--json lists every one)');
  });
});

describe('summarize', () => {
  it('is ok only when the run is done, in time, with nothing failed or refused', () => {
    expect(summarize(state({ failed: 0, pagesFailed: 0 }), [], false)).toMatchObject({
      ok: true,
      failedTotal: 0,
    });
    expect(summarize(state(), [], false)).toMatchObject({ ok: false, failedTotal: 2 });
    expect(summarize(state({ failed: 0, pagesFailed: 0, refused: 1 }), [], false).ok).toBe(false);
    expect(summarize(state({ failed: 0, pagesFailed: 0, done: false }), [], true)).toMatchObject({
      ok: false,
      timedOut: true,
    });
  });

  it('is one JSON object with the counts, the extra fields and the failures', () => {
    const summary = summarize(state(), [{ ...failure(), rawPath: null }], false, { papersInIndex: 68 });
    const parsed = JSON.parse(JSON.stringify(summary)) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      runId: 'ingest-20251103T080000Z-abcdef',
      done: true,
      ok: false,
      timedOut: false,
      papersInIndex: 68,
      failures: [{ stage: 'fetch', httpStatus: 404, rawPath: null }],
    });
  });
});

describe('reportedFailures', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await tempDir('report');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it("finds a failed chunk's page through its manifest, and every archived page's file", async () => {
    const store = new RawStore(join(dir.path, 'raw'));
    const { page } = await store.put(Buffer.from('a page'), {
      url: 'https://example.org/page',
      sourceName: 'example',
      capturedAt: '2025-11-03T00:00:00.000Z',
      contentType: null,
      formatHint: null,
    });
    const reported = await reportedFailures(store, [
      failure({ stage: 'index', url: null, source: null, httpStatus: null, manifestId: page.manifestId }),
      failure({ stage: 'parse', pageKey: page.key, httpStatus: null }),
      // A manifest this store does not hold: reported without a page.
      failure({ stage: 'index', url: null, manifestId: 'b'.repeat(32), httpStatus: null }),
    ]);
    expect(reported[0]).toMatchObject({
      pageKey: page.key,
      url: 'https://example.org/page',
      source: 'example',
      rawPath: store.bodyFile(page.key),
    });
    expect(reported[1]?.rawPath).toBe(store.bodyFile(page.key));
    expect(reported[2]).toMatchObject({ pageKey: null, rawPath: null });
  });
});
