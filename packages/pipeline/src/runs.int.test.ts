import { createRedis, Producer } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';
import { tempDir, uniquePrefix, type TempDir } from '@paperwire/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import {
  describeRun,
  jobGivenUp,
  newRunId,
  reparse,
  reparseRun,
  Runs,
  RunTimeoutError,
  SourceState,
  waitForRun,
} from './index.js';

let producer: Producer;
let runs: Runs;
let data: TempDir;

beforeAll(async () => {
  producer = new Producer({
    connection: createRedis(inject('redisUrl'), 'producer'),
    prefix: uniquePrefix('runs'),
  });
  runs = await Runs.of(producer);
  data = await tempDir('runs-int');
});

afterAll(async () => {
  await producer.close();
  producer.connection.disconnect();
  await data.remove();
});

describe('Runs', () => {
  it('is done once every fetch ended and nothing it queued is pending, counting each item once', async () => {
    const runId = newRunId('ingest');
    await runs.start(runId, { kind: 'ingest', expected: 0 });
    await runs.expect(runId, 2);
    expect((await runs.get(runId))?.done).toBe(false);

    await runs.openPage(runId, 'm1');
    await runs.closeFetch(runId, 'src|https://a.example/', 'fetched');
    // A retried job reports again: no effect.
    expect(await runs.closeFetch(runId, 'src|https://a.example/', 'fetched')).toBe(false);
    await runs.closeFetch(runId, 'src|https://b.example/', 'unchanged');
    let state = (await runs.get(runId))!;
    expect(state).toMatchObject({ fetched: 1, unchanged: 1, pagesPending: 1, done: false });

    await runs.openChunk(runId, 'm1-r-0');
    await runs.openChunk(runId, 'm1-r-0');
    await runs.closePage(runId, 'm1', 'parsed');
    await runs.closePage(runId, 'm1', 'parsed');
    state = (await runs.get(runId))!;
    expect(state).toMatchObject({ pagesPending: 0, pagesParsed: 1, chunksPending: 1, done: false });

    await runs.closeChunk(runId, 'm1-r-0', { indexed: 68 });
    await runs.closeChunk(runId, 'm1-r-0', { indexed: 68 });
    state = (await runs.get(runId))!;
    expect(state).toMatchObject({ chunksPending: 0, papersIndexed: 68, done: true });
    expect(describeRun(state)).toBe('68 indexed, 0 failed, 1 unchanged');
  });

  it('counts a chunk the indexer wrote before the parser marked it pending, once', async () => {
    const runId = newRunId('ingest');
    await runs.start(runId, { kind: 'ingest', expected: 0 });
    await runs.openPage(runId, 'm2');
    await runs.closeChunk(runId, 'c1', { sighted: 5 });
    await runs.openChunk(runId, 'c1');
    await runs.closePage(runId, 'm2', 'parsed');
    expect(await runs.get(runId)).toMatchObject({ chunksPending: 0, papersSighted: 5, done: true });
  });

  it('forgets a failed fetch so it can run again', async () => {
    const runId = newRunId('backfill');
    await runs.start(runId, { kind: 'backfill', expected: 1 });
    await runs.closeFetch(runId, 'd|x', 'failed');
    expect(await runs.get(runId)).toMatchObject({ failed: 1, done: true });
    expect(await runs.reopenFetch(runId, 'd|x')).toBe('failed');
    expect(await runs.get(runId)).toMatchObject({ failed: 0, done: false });
    expect(await runs.fetchOutcome(runId, 'd|x')).toBeNull();
    await runs.closeFetch(runId, 'd|x', 'fetched');
    expect(await runs.reopenFetch(runId, 'd|x')).toBeNull();
    expect(await runs.get(runId)).toMatchObject({ fetched: 1, failed: 0, done: true });
  });

  it('keeps why each failed item failed, once, and forgets it when its fetch gets another chance', async () => {
    const runId = newRunId('backfill');
    await runs.start(runId, { kind: 'backfill', expected: 2 });
    const item = 'd|https://a.example/2025-11-01';
    await runs.closeFetch(runId, item, 'failed', {
      reason: 'GET https://a.example/2025-11-01 answered 404 Not Found',
      url: 'https://a.example/2025-11-01',
      source: 'd',
      httpStatus: 404,
    });
    // A second report of the same item (a job settled twice) neither counts nor rewrites the reason.
    await runs.closeFetch(runId, item, 'failed', { reason: 'something else' });
    await runs.closeFetch(runId, 'd|http://10.0.0.1/', 'refused', {
      reason: 'refused http://10.0.0.1/: 10.0.0.1 is a private address',
    });
    // An outcome that is not a failure keeps no reason, whatever it is given.
    await runs.closeFetch(runId, 'd|https://a.example/ok', 'fetched', { reason: 'not a failure' });

    await runs.openPage(runId, 'm-bad');
    await runs.closePage(runId, 'm-bad', 'failed', {
      reason: 'cannot parse page: no format accepts it',
      url: 'file:///tmp/bad.json',
      pageKey: 'c'.repeat(64),
    });
    await runs.openChunk(runId, 'm-ok-r-0');
    await runs.closeChunk(runId, 'm-ok-r-0', 'failed', { reason: 'x'.repeat(5_000), manifestId: 'm-ok' });

    const failures = await runs.failures(runId);
    expect(failures).toHaveLength(4);
    const of = (stage: string, outcome = 'failed') =>
      failures.find((f) => f.stage === stage && f.outcome === outcome);
    expect(of('fetch')).toMatchObject({
      reason: 'GET https://a.example/2025-11-01 answered 404 Not Found',
      url: 'https://a.example/2025-11-01',
      source: 'd',
      httpStatus: 404,
      pageKey: null,
    });
    expect(of('fetch', 'refused')).toMatchObject({
      httpStatus: null,
      reason: expect.stringMatching(/^refused/),
    });
    expect(of('parse')).toMatchObject({
      manifestId: 'm-bad',
      pageKey: 'c'.repeat(64),
      url: 'file:///tmp/bad.json',
    });
    expect(of('index')).toMatchObject({ jobId: 'm-ok-r-0', manifestId: 'm-ok' });
    expect(of('index')?.reason.length).toBeLessThanOrEqual(2_001);
    expect(failures.map((f) => f.at)).toEqual(failures.map((f) => f.at).sort());
    expect(await runs.get(runId)).toMatchObject({ failed: 1, refused: 1, pagesFailed: 1, chunksFailed: 1 });

    expect(await runs.reopenFetch(runId, item)).toBe('failed');
    expect((await runs.failures(runId)).map((f) => f.url)).not.toContain('https://a.example/2025-11-01');
  });

  it('records the reason of a parse or index job given up for good, from its payload and error', async () => {
    const runId = newRunId('reparse');
    await runs.start(runId, { kind: 'reparse', expected: 0 });
    const page = {
      key: 'd'.repeat(64),
      manifestId: 'e'.repeat(32),
      url: 'https://hf.example/papers',
      sourceName: 'hf',
      capturedAt: '2025-11-03T00:00:00.000Z',
      contentType: null,
      formatHint: null,
      size: 3,
    };
    await runs.openPage(runId, page.manifestId);
    await jobGivenUp(runs, {
      jobId: 'parse-job-1',
      name: 'page.fetched',
      data: { page, unchanged: false, runId },
      error: new Error(`cannot parse page ${page.key} from ${page.url}: no format accepts it`),
    });
    await runs.openChunk(runId, 'chunk-job-1');
    await jobGivenUp(runs, {
      jobId: 'chunk-job-1',
      name: 'papers.parsed',
      data: { manifestId: page.manifestId, runId, papers: [] },
      error: new Error('index unreachable'),
    });
    expect(await runs.get(runId)).toMatchObject({ pagesFailed: 1, chunksFailed: 1, done: true });
    expect(await runs.failures(runId)).toEqual([
      expect.objectContaining({
        stage: 'parse',
        reason: expect.stringMatching(/no format accepts it/),
        url: page.url,
        source: 'hf',
        pageKey: page.key,
        manifestId: page.manifestId,
        jobId: 'parse-job-1',
      }),
      expect.objectContaining({
        stage: 'index',
        reason: 'index unreachable',
        manifestId: page.manifestId,
        jobId: 'chunk-job-1',
      }),
    ]);
  });

  it('gives up waiting at the deadline, saying what is still pending', async () => {
    const runId = newRunId('ingest');
    await runs.start(runId, { kind: 'ingest', expected: 1 });
    const error = await waitForRun(runs, runId, { timeoutMs: 100, intervalMs: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunTimeoutError);
    expect((error as Error).message).toMatch(/0\/1 fetches ended/);
  });
});

describe('SourceState', () => {
  it('keeps the last fetch, papers found and the ledger of days per source', async () => {
    const state = await SourceState.of(producer);
    await state.recordFetch('hf', { at: '2025-11-03T08:00:00.000Z', status: 'fetched', url: 'https://x/' });
    await state.recordFetch('hf', {
      at: '2025-11-03T09:00:00.000Z',
      status: 'failed',
      url: 'https://x/',
      error: '503',
    });
    await state.recordPapers('hf', 68, '2025-11-03T08:00:01.000Z');
    expect(await state.status('hf')).toEqual({
      lastFetchAt: '2025-11-03T09:00:00.000Z',
      lastStatus: 'failed',
      lastError: '503',
      lastUrl: 'https://x/',
      lastOkAt: '2025-11-03T08:00:00.000Z',
      papersFound: 68,
      lastParsedAt: '2025-11-03T08:00:01.000Z',
    });
    await state.markDay('hf', '2025-11-01', 'r1');
    await state.markDay('hf', '2025-11-02', 'r1');
    expect(await state.daysDone('hf')).toEqual(new Set(['2025-11-01', '2025-11-02']));
    expect(await state.daysDone('other')).toEqual(new Set());
  });
});

describe('reparse', () => {
  it('queues every matching archived page with its capture time, under job ids of its own', async () => {
    const store = new RawStore(data.path);
    const pages = [
      { body: 'one', source: 'hf', capturedAt: '2025-11-01T00:00:00.000Z' },
      { body: 'two', source: 'hf', capturedAt: '2025-11-03T00:00:00.000Z' },
      { body: 'three', source: 'arxiv', capturedAt: '2025-11-03T00:00:00.000Z' },
    ];
    for (const p of pages) {
      const { page } = await store.put(Buffer.from(p.body), {
        url: `https://${p.source}.example/${p.body}`,
        sourceName: p.source,
        capturedAt: p.capturedAt,
        contentType: null,
        formatHint: null,
      });
      // The page's original job, still in Redis (as a failed one stays forever): a reparse must
      // not be swallowed by it as a duplicate.
      await producer.enqueue('page.fetched', { page, unchanged: false });
    }
    const queue = producer.queue('parse');
    expect(await queue.count()).toBe(3);

    expect(await reparse({ store, producer }, { source: 'hf', since: '2025-11-02' })).toEqual({ pages: 1 });
    const run = await reparseRun({ store, producer }, {});
    expect(run.pages).toBe(3);

    const jobs = await queue.getJobs(['waiting']);
    expect(jobs).toHaveLength(3 + 1 + 3);
    const reparsed = jobs.filter((j) => j.data.runId === run.runId);
    expect(reparsed.map((j) => j.data.page.capturedAt).sort()).toEqual(pages.map((p) => p.capturedAt).sort());
    expect(reparsed.every((j) => j.data.unchanged === false && j.id?.endsWith(`-${run.runId}`))).toBe(true);
    expect(await runs.get(run.runId)).toMatchObject({ kind: 'reparse', pagesPending: 3, done: false });

    await expect(reparse({ store, producer }, { since: 'last week' })).rejects.toThrow(/since/);
  });
});
