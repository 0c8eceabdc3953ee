import { join } from 'node:path';

import { createLogger } from '@paperwire/observability';
import { newRunId, Runs, SourceState, waitForRun } from '@paperwire/pipeline';
import { createRedis, jobOptions, Producer } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';
import type { JobPayload } from '@paperwire/schema';
import { tempDir, uniquePrefix, type TempDir } from '@paperwire/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createParserWorker } from './worker.js';

let data: TempDir;
let producer: Producer;
let client: ReturnType<typeof createRedis>;
let runs: Runs;
let worker: ReturnType<typeof createParserWorker>;

beforeAll(async () => {
  data = await tempDir('parser-worker');
  const prefix = uniquePrefix('parser-worker');
  const redisUrl = inject('redisUrl');
  producer = new Producer({ connection: createRedis(redisUrl, 'producer'), prefix });
  client = createRedis(redisUrl, 'client');
  runs = new Runs(client, prefix);
  worker = createParserWorker(
    {
      store: new RawStore(join(data.path, 'raw')),
      producer,
      runs,
      sources: new SourceState(client, prefix),
      logger: createLogger('parser-test', 'silent'),
    },
    { connection: createRedis(redisUrl, 'worker'), prefix, concurrency: 1 },
  );
});

afterAll(async () => {
  await worker.close();
  await producer.close();
  producer.connection.disconnect();
  client.disconnect();
  await data.remove();
});

function page(n: number): JobPayload<'page.fetched'>['page'] {
  const hex = n.toString(16).padStart(2, '0');
  return {
    key: hex.repeat(32),
    manifestId: hex.repeat(16),
    url: `https://huggingface.co/papers?page=${n}`,
    sourceName: 'hf',
    capturedAt: '2025-11-03T08:00:00.000Z',
    contentType: 'text/plain',
    formatHint: null,
    size: 10,
  };
}

/** A run waiting for one page, as the fetcher leaves it once the page is queued. */
async function runWithPage(manifestId: string): Promise<string> {
  const runId = newRunId('ingest');
  await runs.start(runId, { kind: 'ingest', expected: 0 });
  await runs.openPage(runId, manifestId);
  return runId;
}

describe('the parser worker', () => {
  it('closes a page whose job payload is invalid as failed, so its run ends', async () => {
    const { manifestId } = page(1);
    const runId = await runWithPage(manifestId);
    // Straight into the queue: the producer would refuse this payload.
    await producer
      .queue('parse')
      .add('page.fetched', { page: { ...page(1), key: 'not a sha256' }, unchanged: false, runId });

    const state = await waitForRun(runs, runId, { timeoutMs: 20_000, intervalMs: 25 });
    expect(state).toMatchObject({ pagesPending: 0, pagesFailed: 1, pagesParsed: 0, done: true });
  });

  it('closes a page whose raw body is missing as failed once its last attempt fails', async () => {
    const payload = { page: page(2), unchanged: false } as const;
    const runId = await runWithPage(payload.page.manifestId);
    const data = { ...payload, runId };
    const job = await producer
      .queue('parse')
      .add('page.fetched', data, { ...jobOptions('page.fetched', data), attempts: 1 });

    const state = await waitForRun(runs, runId, { timeoutMs: 20_000, intervalMs: 25 });
    expect(state).toMatchObject({ pagesPending: 0, pagesFailed: 1, done: true });
    expect((await producer.queue('parse').getJob(job.id!))?.failedReason).toMatch(/no raw page/);
  });
});
