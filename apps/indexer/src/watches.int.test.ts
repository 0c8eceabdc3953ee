import { join } from 'node:path';

import { createLogger, createMetrics } from '@paperwire/observability';
import { Watches } from '@paperwire/pipeline';
import { createRedis, Producer, type JobContext } from '@paperwire/queue';
import { canonicalPaper, type Paper } from '@paperwire/schema';
import { createSqliteIndex, type SearchIndex } from '@paperwire/search';
import { tempDir, uniquePrefix, type TempDir } from '@paperwire/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

import { indexerHandlers } from './handlers.js';
import { watchMatching } from './watches.js';

const CAPTURED = '2025-11-03T08:00:00.000Z';
const logger = createLogger('indexer-watches-test', 'silent');

function paper(n: number, title: string): Paper {
  const id = String(n).padStart(5, '0');
  return canonicalPaper({
    id: `arxiv-2511_${id}`,
    title,
    abstract: '',
    authors: [],
    authorCount: null,
    publishedAt: '2025-11-01',
    upvotes: null,
    codeUrls: [],
    arxivId: `2511.${id}`,
    sources: [
      {
        name: 'hf',
        url: 'https://huggingface.co/papers',
        format: 'hf-html',
        capturedAt: CAPTURED,
        upvotes: null,
      },
    ],
    firstSeenAt: CAPTURED,
    lastSeenAt: CAPTURED,
  });
}

describe('watch matching in the indexer', () => {
  let data: TempDir;
  let client: Redis;
  let producer: Producer;
  let index: SearchIndex;
  let prefix: string;
  let watches: Watches;

  const ctx = (id: string): JobContext => ({
    id,
    name: 'papers.parsed',
    attemptsMade: 0,
    log: async () => undefined,
    delay: async () => {
      throw new Error('not delayed in tests');
    },
    delayedMs: async () => 0,
  });
  const deliveries = async () =>
    (await producer.queue('deliver').getJobs(['waiting', 'delayed'])).map((j) => j.id).sort();

  beforeAll(async () => {
    data = await tempDir('indexer-watches');
    client = createRedis(inject('redisUrl'), 'client');
    index = createSqliteIndex({ path: join(data.path, 'papers.sqlite') });
    await index.ensureSettings();
  });

  beforeEach(async () => {
    prefix = uniquePrefix('indexer-watches');
    producer = new Producer({ connection: client, prefix });
    watches = new Watches(client, prefix);
  });

  afterAll(async () => {
    await producer.close();
    client.disconnect();
    await index.close();
    await data.remove();
  });

  const handlers = () =>
    indexerHandlers({
      index,
      locks: client,
      lockPrefix: `${prefix}:lock:`,
      lockTtlMs: 10_000,
      metrics: createMetrics('indexer'),
      watches: { watches, producer, redis: client, prefix, logger },
    });

  it('queues one delivery per watch and new matching paper; updates queue none', async () => {
    const graphs = await watches.create({ query: 'graph', filters: {}, url: 'https://example.org/a' });
    const all = await watches.create({ query: '', filters: { years: [2025] }, url: 'https://example.org/b' });
    const a = paper(101, 'Graph Transformers');
    const b = paper(102, 'Sparse Attention');
    await handlers()['papers.parsed'](
      { manifestId: 'a'.repeat(32), chunk: 0, chunks: 1, papers: [a, b] },
      ctx('j1'),
    );
    expect(await deliveries()).toEqual(
      [`deliver-${graphs.id}-${a.id}`, `deliver-${all.id}-${a.id}`, `deliver-${all.id}-${b.id}`].sort(),
    );
    await producer.queue('deliver').obliterate({ force: true });
    const seenAgain = canonicalPaper({ ...a, lastSeenAt: '2025-11-05T00:00:00.000Z' });
    await handlers()['papers.parsed'](
      { manifestId: 'b'.repeat(32), chunk: 0, chunks: 1, papers: [seenAgain] },
      ctx('j2'),
    );
    expect(await deliveries()).toEqual([]);
  });

  it('delivers on the retry of a job whose worker died between the commit and the queueing', async () => {
    const watch = await watches.create({ query: 'crash', filters: {}, url: 'https://example.org/c' });
    const p = paper(201, 'Crash Consistency');
    const matching = watchMatching({ index, watches, producer, redis: client, prefix, logger });
    // The write commits, then the attempt dies before any delivery is queued.
    await expect(
      matching('j3', [p], async () => {
        await index.upsert([p]);
        throw new Error('worker killed');
      }),
    ).rejects.toThrow('worker killed');
    expect(await deliveries()).toEqual([]);
    // The retry's upsert creates nothing (the paper is in), yet the paper is delivered.
    await handlers()['papers.parsed'](
      { manifestId: 'c'.repeat(32), chunk: 0, chunks: 1, papers: [p] },
      ctx('j3'),
    );
    expect(await deliveries()).toEqual([`deliver-${watch.id}-${p.id}`]);
    expect(await client.exists(`${prefix}:watch-pending:j3`)).toBe(0);
  });

  it('does not read or note anything while there is no watch', async () => {
    const p = paper(301, 'Nobody Watches');
    await handlers()['papers.parsed'](
      { manifestId: 'd'.repeat(32), chunk: 0, chunks: 1, papers: [p] },
      ctx('j4'),
    );
    expect(await client.keys(`${prefix}:*`)).toEqual([]);
  });
});
