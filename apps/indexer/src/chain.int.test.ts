import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { createLogger, createMetrics } from '@paperwire/observability';
import { archivePage, fetchItem, newRunId, Runs, SourceState, waitForRun } from '@paperwire/pipeline';
import { createRedis, Producer } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';
import type { JobPayload } from '@paperwire/schema';
import { createSqliteIndex, type SearchIndex } from '@paperwire/search';
import { repoRoot, tempDir, uniquePrefix, type TempDir } from '@paperwire/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// The parser app's own worker: this test runs the whole chain page → parse → index.
import { createParserWorker } from '../../parser/src/worker.js';
import { createIndexerWorker } from './worker.js';

const logger = createLogger('reindex-test', 'silent');
const digest = join(repoRoot, 'infra/digests/hf-daily-papers-2025-11-03.txt');

let data: TempDir;
let prefix: string;
let producer: Producer;
let client: Redis;
let runs: Runs;
let store: RawStore;
let parser: ReturnType<typeof createParserWorker>;

beforeAll(async () => {
  data = await tempDir('reindex');
  prefix = uniquePrefix('reindex');
  const redisUrl = inject('redisUrl');
  producer = new Producer({ connection: createRedis(redisUrl, 'producer'), prefix });
  client = createRedis(redisUrl, 'client');
  runs = new Runs(client, prefix);
  store = new RawStore(join(data.path, 'raw'));
  parser = createParserWorker(
    { store, producer, runs, sources: new SourceState(client, prefix), logger },
    { connection: createRedis(redisUrl, 'worker'), prefix, concurrency: 2 },
  );
});

afterAll(async () => {
  await parser.close();
  await producer.close();
  producer.connection.disconnect();
  client.disconnect();
  await data.remove();
});

/** An indexer worker writing to a SQLite index of its own under `name`. */
async function startIndexer(name: string): Promise<{ index: SearchIndex; stop(): Promise<void> }> {
  const index = createSqliteIndex({ path: join(data.path, name, 'papers.sqlite') });
  await index.ensureSettings();
  const worker = createIndexerWorker(
    {
      index,
      locks: client,
      lockPrefix: `${prefix}:lock:paper:`,
      lockTtlMs: 10_000,
      metrics: createMetrics('indexer'),
      runs,
      logger,
    },
    { connection: createRedis(inject('redisUrl'), 'worker'), prefix, concurrency: 2 },
  );
  return {
    index,
    async stop() {
      await worker.close();
      await index.close();
    },
  };
}

/** Archives the digest as a fetch of a new run, the way `paperwire ingest` does, and waits for the run. */
async function ingestDigest(
  capturedAt: string,
  { url = pathToFileURL(digest).href, sourceName = 'local' }: { url?: string; sourceName?: string } = {},
) {
  const runId = newRunId('ingest');
  await runs.start(runId, { kind: 'ingest', expected: 1 });
  const archived = await archivePage(
    { store, producer, runs },
    await readFile(digest),
    { url, sourceName, capturedAt, contentType: null, formatHint: null },
    runId,
  );
  await runs.closeFetch(runId, fetchItem(sourceName, url), archived.unchanged ? 'unchanged' : 'fetched');
  return { archived, state: await waitForRun(runs, runId, { timeoutMs: 30_000, intervalMs: 25 }) };
}

describe('a page whose papers the index lacks', () => {
  it('brings them all back when it comes back unchanged, counted as sighted', async () => {
    const first = await startIndexer('index-1');
    let ids: string[];
    try {
      const { archived, state } = await ingestDigest('2025-11-03T00:00:00.000Z');
      expect(archived.unchanged).toBe(false);
      expect(state).toMatchObject({ papersIndexed: 68, papersSighted: 0, chunksFailed: 0 });
      expect((await first.index.stats()).papers).toBe(68);
      const parsed = await producer.queue('index').getJobs(['completed']);
      ids = parsed.flatMap((job) => (job.data as JobPayload<'papers.parsed'>).papers.map((p) => p.id));
      expect(ids).toHaveLength(68);
    } finally {
      await first.stop();
    }

    // The index is gone (a deleted data/index, another engine); the raw store still knows the body.
    const second = await startIndexer('index-2');
    try {
      const capturedAt = '2025-11-05T00:00:00.000Z';
      const { archived, state } = await ingestDigest(capturedAt);
      expect(archived.unchanged).toBe(true);
      expect(state).toMatchObject({
        unchanged: 1,
        papersIndexed: 0,
        papersSighted: 68,
        pagesFailed: 0,
        chunksFailed: 0,
        done: true,
      });
      expect((await second.index.stats()).papers).toBe(68);
      const missing: string[] = [];
      for (const id of ids) {
        const paper = await second.index.get(id);
        if (paper === null) missing.push(id);
        // As a parse of this capture gives them.
        else expect([paper.firstSeenAt, paper.lastSeenAt]).toEqual([capturedAt, capturedAt]);
      }
      expect(missing).toEqual([]);
    } finally {
      await second.stop();
    }
  });
});

describe('a body already archived from another URL', () => {
  it('is parsed, so the new URL and source reach its papers; from that URL again it is unchanged', async () => {
    const indexer = await startIndexer('index-3');
    try {
      const origin = { url: 'https://origin.example/papers/2025-11-03.txt', sourceName: 'origin' };
      expect((await ingestDigest('2025-11-06T00:00:00.000Z', origin)).state).toMatchObject({
        papersIndexed: 68,
      });
      const mirror = { url: 'https://mirror.example/papers/2025-11-03.txt', sourceName: 'mirror' };
      const { archived, state } = await ingestDigest('2025-11-07T00:00:00.000Z', mirror);
      expect(archived.unchanged).toBe(false);
      expect(state).toMatchObject({ fetched: 1, papersIndexed: 68, papersSighted: 0 });

      const { hits } = await indexer.index.search({ q: '', limit: 100, offset: 0 });
      expect(hits).toHaveLength(68);
      const lacking = hits.filter((p) => !p.sources.some((s) => s.url === mirror.url && s.name === 'mirror'));
      expect(lacking.map((p) => p.title)).toEqual([]);
      const paper = hits[0]!;
      expect(paper.sources.map((s) => s.url).sort()).toEqual([mirror.url, origin.url].sort());

      const again = await ingestDigest('2025-11-08T00:00:00.000Z', mirror);
      expect(again.archived.unchanged).toBe(true);
      expect(again.state).toMatchObject({ unchanged: 1, papersIndexed: 0, papersSighted: 68 });
      expect((await indexer.index.get(paper.id))?.lastSeenAt).toBe('2025-11-08T00:00:00.000Z');
    } finally {
      await indexer.stop();
    }
  });
});
