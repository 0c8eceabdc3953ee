import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { createLogger } from '@paperwire/observability';
import { ingest, newRunId, Runs, SourceState, stateKeys, waitForRun } from '@paperwire/pipeline';
import { createRedis, Producer } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';
import { tempDir, uniquePrefix, waitFor, type TempDir } from '@paperwire/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { loadEnv } from './env.js';
import { startFetcher, type RunningFetcher } from './fetcher.js';
import { hfTextPage, startDigestServer, type DigestServer } from './testing/digest-server.js';

describe('a fetch job given up for good', () => {
  let server: DigestServer;
  let data: TempDir;
  let fetcher: RunningFetcher;
  let producer: Producer;
  let runs: Runs;
  let state: SourceState;

  beforeAll(async () => {
    server = await startDigestServer({
      '/page.txt': (_req, res) =>
        void res.writeHead(200, { 'content-type': 'text/plain' }).end(
          hfTextPage('2025-11-03', [
            {
              title: 'Archives That Cannot Be Written',
              abstract: 'One paragraph.',
              authors: 2,
              upvotes: 1,
            },
          ]),
        ),
    });
    data = await tempDir('final-failure');
    // A file where the raw store's directory belongs: every archive write fails.
    await writeFile(join(data.path, 'raw'), 'not a directory');
    const sourcesFile = join(data.path, 'sources.yaml');
    await writeFile(sourcesFile, 'sources: []\n');
    const env = loadEnv({
      REDIS_URL: inject('redisUrl'),
      DATA_DIR: data.path,
      QUEUE_PREFIX: uniquePrefix('final-failure'),
      LOG_LEVEL: 'silent',
      MEILI_URL: '',
      METRICS_PORT: '0',
      SOURCES_FILE: sourcesFile,
      FETCH_ALLOW_HOSTS: '127.0.0.1',
      FETCH_RETRY_BASE_MS: '20',
      FETCH_HOST_INTERVAL_MS: '1',
      FETCH_HOST_BURST: '50',
    });
    fetcher = await startFetcher(env, createLogger('fetcher', 'silent'));
    producer = new Producer({ connection: createRedis(env.REDIS_URL, 'producer'), prefix: env.QUEUE_PREFIX });
    runs = new Runs(producer.connection, producer.prefix);
    state = new SourceState(producer.connection, producer.prefix);
  });

  afterAll(async () => {
    await fetcher?.close();
    await producer?.close();
    producer?.connection.disconnect();
    await server?.close();
    await data?.remove();
  });

  function failedJob(url: string) {
    return waitFor(
      async () =>
        (await producer.queue('fetch').getFailed()).find((j) => (j.data as { url?: string }).url === url),
      { what: `the fetch job of ${url} in the failed set` },
    );
  }

  async function ingestOne(url: string, sourceName: string): Promise<string> {
    const runId = newRunId('ingest');
    await ingest({ store: RawStore.inDataDir(data.path), producer, runs }, [url], {
      capturedAt: null,
      sourceName,
      formatHint: null,
      runId,
    });
    return runId;
  }

  it('ends its fetch as failed in the run when archiving the page failed on every attempt', async () => {
    const url = `${server.origin}/page.txt`;
    const runId = await ingestOne(url, 'unarchivable');
    const done = await waitForRun(runs, runId, { timeoutMs: 45_000, intervalMs: 50 });
    expect(done).toMatchObject({ fetched: 0, failed: 1, pagesPending: 0, done: true });
    const job = await failedJob(url);
    expect(job.attemptsMade).toBe(5);
    const status = await state.status('unarchivable');
    expect(status.lastStatus).toBe('failed');
    expect(status.lastError).toBe(job.failedReason);
    expect(job.failedReason).toMatch(/raw/);
  });

  it("keeps the fetch's own error as the job's failure when recording the source status fails", async () => {
    const url = `${server.origin}/missing.txt`;
    // A source status key of the wrong type: every status write fails.
    const client = createRedis(inject('redisUrl'), 'client');
    await client.set(stateKeys.source(producer.prefix, 'unrecordable'), 'a string');
    client.disconnect();
    const runId = await ingestOne(url, 'unrecordable');
    const done = await waitForRun(runs, runId, { timeoutMs: 20_000, intervalMs: 50 });
    expect(done).toMatchObject({ failed: 1, done: true });
    expect((await failedJob(url)).failedReason).toMatch(/answered 404/);
  });

  it('ends the fetch of a job whose payload is invalid as failed, and says why in the source status', async () => {
    const url = `${server.origin}/page.txt?invalid`;
    const runId = newRunId('ingest');
    await runs.start(runId, { kind: 'ingest', expected: 1 });
    // Past the producer's check, as a payload written by an older or foreign producer would be.
    await producer
      .queue('fetch')
      .add('page.fetch', { url, sourceName: 'invalid', runId, capturedAt: 'yesterday' }, { attempts: 5 });
    const done = await waitForRun(runs, runId, { timeoutMs: 20_000, intervalMs: 50 });
    expect(done).toMatchObject({ failed: 1, done: true });
    const status = await state.status('invalid');
    expect(status.lastStatus).toBe('failed');
    expect(status.lastError).toMatch(/invalid payload/);
    expect((await failedJob(url)).attemptsMade).toBe(1);
  });
});
