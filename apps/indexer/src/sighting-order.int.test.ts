import { join } from 'node:path';

import { createMetrics } from '@paperwire/observability';
import { archivePage } from '@paperwire/pipeline';
import { createRedis, Producer, type JobContext } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';
import { JOB_CATALOG, type JobPayload, type Paper } from '@paperwire/schema';
import { createSqliteIndex } from '@paperwire/search';
import { tempDir, uniquePrefix, type TempDir } from '@paperwire/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// The parser app's own page handler: the jobs below are the ones it queues.
import { handlePage } from '../../parser/src/handle-page.js';
import { indexerHandlers } from './handlers.js';

const URL = 'https://huggingface.co/api/daily_papers?date=2025-11-03';
const T1 = '2025-11-03T06:00:00.000Z';
const T2 = '2025-11-03T12:00:00.000Z';
const T3 = '2025-11-03T18:00:00.000Z';

/** An hf-json listing of two papers; the first one's title and upvotes change between captures. */
function listing(title: string, upvotes: number): Buffer {
  const entry = (id: string, t: string, n: number) => ({
    paper: {
      id,
      authors: [{ _id: 'a0', name: 'A. Author', hidden: false }],
      publishedAt: '2025-11-01T17:59:58.000Z',
      title: t,
      summary: `An abstract of ${t}.`,
      upvotes: n,
    },
    publishedAt: '2025-11-03T00:41:12.345Z',
    title: t,
    numComments: 0,
  });
  return Buffer.from(
    JSON.stringify([entry('2511.00001', title, upvotes), entry('2511.00002', 'A Steady Paper', 3)]),
  );
}

interface IndexJob {
  name: 'papers.parsed' | 'papers.sighted';
  data: JobPayload<'papers.parsed'> | JobPayload<'papers.sighted'>;
}

let data: TempDir;
let prefix: string;
let producer: Producer;
let locks: Redis;
let store: RawStore;
/** The index jobs the parser queued for each capture. */
const queued = new Map<string, IndexJob[]>();

beforeAll(async () => {
  data = await tempDir('sighting-order');
  prefix = uniquePrefix('sighting-order');
  const redisUrl = inject('redisUrl');
  producer = new Producer({ connection: createRedis(redisUrl, 'producer'), prefix });
  locks = createRedis(redisUrl, 'client');
  store = new RawStore(join(data.path, 'raw'));

  // t1 shows 5 upvotes, t2 7 and a new title; t3 is t2's body again, so it is a sighting of it.
  const captures: [string, Buffer][] = [
    [T1, listing('Routing Under a Budget', 5)],
    [T2, listing('Routing Under a Budget, Revised', 7)],
    [T3, listing('Routing Under a Budget, Revised', 7)],
  ];
  for (const [capturedAt, body] of captures) {
    const { page, unchanged } = await archivePage({ store, producer }, body, {
      url: URL,
      sourceName: 'hf',
      capturedAt,
      contentType: 'application/json',
      formatHint: null,
    });
    const outcome = await handlePage({ store, producer }, { page, unchanged });
    expect(outcome.sighted).toBe(capturedAt === T3);
    const jobs: IndexJob[] = [];
    for (const id of outcome.jobIds) {
      const job = await producer.queue('index').getJob(id);
      const name = job!.name as IndexJob['name'];
      // As the indexer's worker reads it: checked against the catalog on dequeue.
      jobs.push({ name, data: JOB_CATALOG[name].payload.parse(job!.data) });
    }
    queued.set(capturedAt, jobs);
  }
});

afterAll(async () => {
  await producer.close();
  producer.connection.disconnect();
  locks.disconnect();
  await data.remove();
});

let indexes = 0;

/** Runs the indexer's handlers on the jobs of each capture, in `order`, into an index of its own. */
async function indexInOrder(order: string[]): Promise<Paper[]> {
  indexes += 1;
  const index = createSqliteIndex({ path: join(data.path, `index-${indexes}`, 'papers.sqlite') });
  await index.ensureSettings();
  try {
    const handlers = indexerHandlers({
      index,
      locks,
      lockPrefix: `${prefix}:lock:paper:`,
      lockTtlMs: 10_000,
      metrics: createMetrics('indexer'),
    });
    for (const capturedAt of order) {
      for (const { name, data: payload } of queued.get(capturedAt)!) {
        const ctx = context(name);
        if (name === 'papers.parsed') await handlers[name](payload as JobPayload<'papers.parsed'>, ctx);
        else await handlers[name](payload as JobPayload<'papers.sighted'>, ctx);
      }
    }
    const { hits } = await index.search({ q: '', limit: 10, offset: 0 });
    return hits.sort((a, b) => (a.id < b.id ? -1 : 1));
  } finally {
    await index.close();
  }
}

function context(name: IndexJob['name']): JobContext {
  return {
    id: name,
    name,
    attemptsMade: 0,
    log: async () => {},
    delay: () => Promise.reject(new Error('index jobs are never put off')),
    delayedMs: async () => 0,
  };
}

describe('a sighting of an unchanged page and the delayed chunk of the parse it repeats', () => {
  it('sends the papers of the parse, stamped with the sighting', () => {
    expect(queued.get(T3)!.map((j) => j.name)).toEqual(['papers.sighted']);
    const [revised] = queued.get(T3)![0]!.data.papers;
    expect(revised).toMatchObject({
      title: 'Routing Under a Budget, Revised',
      upvotes: 7,
      sources: [{ name: 'hf', url: URL, format: 'hf-json', capturedAt: T3, upvotes: 7 }],
      firstSeenAt: T3,
      lastSeenAt: T3,
    });
  });

  it('gives the same record in any order: t2 withheld until after the t3 sighting, in order, reversed', async () => {
    const inOrder = await indexInOrder([T1, T2, T3]);
    const delayed = await indexInOrder([T1, T3, T2]);
    const reversed = await indexInOrder([T3, T2, T1]);

    const revised = inOrder.find((p) => p.id === 'arxiv-2511_00001');
    expect(revised).toMatchObject({
      title: 'Routing Under a Budget, Revised',
      upvotes: 7,
      // The page's first count and the first capture at its highest beside the latest: how
      // fast it rose (the trending sort).
      sources: [
        { name: 'hf', url: URL, format: 'hf-json', capturedAt: T1, upvotes: 5 },
        { name: 'hf', url: URL, format: 'hf-json', capturedAt: T2, upvotes: 7 },
        { name: 'hf', url: URL, format: 'hf-json', capturedAt: T3, upvotes: 7 },
      ],
      firstSeenAt: T1,
      lastSeenAt: T3,
    });
    expect(inOrder.find((p) => p.id === 'arxiv-2511_00002')).toMatchObject({
      upvotes: 3,
      firstSeenAt: T1,
      lastSeenAt: T3,
    });
    expect(delayed).toEqual(inOrder);
    expect(reversed).toEqual(inOrder);
  });

  it('gives the same record when the sighting is indexed twice', async () => {
    expect(await indexInOrder([T1, T3, T2, T3])).toEqual(await indexInOrder([T1, T2, T3]));
  });
});
