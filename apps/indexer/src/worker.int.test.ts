import { join } from 'node:path';

import { createLogger, createMetrics } from '@paperwire/observability';
import { newRunId, Runs, waitForRun } from '@paperwire/pipeline';
import { createRedis, Producer } from '@paperwire/queue';
import { createSqliteIndex, type SearchIndex } from '@paperwire/search';
import { tempDir, uniquePrefix, type TempDir } from '@paperwire/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createIndexerWorker } from './worker.js';

let data: TempDir;
let producer: Producer;
let client: Redis;
let runs: Runs;
let index: SearchIndex;
let worker: ReturnType<typeof createIndexerWorker>;

beforeAll(async () => {
  data = await tempDir('indexer-worker');
  const prefix = uniquePrefix('indexer-worker');
  const redisUrl = inject('redisUrl');
  producer = new Producer({ connection: createRedis(redisUrl, 'producer'), prefix });
  client = createRedis(redisUrl, 'client');
  runs = new Runs(client, prefix);
  index = createSqliteIndex({ path: join(data.path, 'index', 'papers.sqlite') });
  await index.ensureSettings();
  worker = createIndexerWorker(
    {
      index,
      locks: client,
      lockPrefix: `${prefix}:lock:paper:`,
      lockTtlMs: 10_000,
      metrics: createMetrics('indexer'),
      runs,
      logger: createLogger('indexer-test', 'silent'),
    },
    { connection: createRedis(redisUrl, 'worker'), prefix, concurrency: 1 },
  );
});

afterAll(async () => {
  await worker.close();
  await producer.close();
  producer.connection.disconnect();
  client.disconnect();
  await index.close();
  await data.remove();
});

describe('the indexer worker', () => {
  it.each(['papers.parsed', 'papers.sighted'] as const)(
    'closes a %s chunk whose payload is invalid as failed, so its run ends',
    async (name) => {
      const runId = newRunId('ingest');
      const jobId = `${'ab'.repeat(16)}-${runId}-0`;
      await runs.start(runId, { kind: 'ingest', expected: 0 });
      // As the parser leaves a run: the chunk pending under its job id, the page parsed.
      await runs.openPage(runId, 'ab'.repeat(16));
      await runs.openChunk(runId, jobId);
      await runs.closePage(runId, 'ab'.repeat(16), 'parsed');
      // Straight into the queue: the producer would refuse this payload.
      await producer
        .queue('index')
        .add(
          name,
          { manifestId: 'ab'.repeat(16), chunk: 0, chunks: 1, papers: [], ids: [], runId },
          { jobId },
        );

      const state = await waitForRun(runs, runId, { timeoutMs: 20_000, intervalMs: 25 });
      expect(state).toMatchObject({ chunksPending: 0, chunksFailed: 1, papersIndexed: 0, done: true });
    },
  );
});
