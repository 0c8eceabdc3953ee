import { createLogger } from '@paperwire/observability';
import type { JobName, QueueName } from '@paperwire/schema';
import { uniquePrefix, waitFor } from '@paperwire/testing';
import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';

import {
  createRedis,
  createWorker,
  InvalidJobPayloadError,
  Producer,
  queueDepths,
  UnrecoverableJobError,
  type JobHandlers,
  type WorkerObserver,
} from './index.js';
import { paper, rawPage } from './testing/fixtures.js';

const redisUrl = inject('redisUrl');
const logger = createLogger('queue-test', 'silent');
let cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function setup(label: string) {
  const prefix = uniquePrefix(label);
  const connection = createRedis(redisUrl, 'producer');
  const producer = new Producer({ connection, prefix });
  cleanups.push(async () => {
    await producer.close();
    connection.disconnect();
  });
  const startWorker = <Q extends QueueName>(
    queue: Q,
    handlers: JobHandlers<Q>,
    observer?: WorkerObserver,
  ): Worker => {
    const worker = createWorker({
      connection: createRedis(redisUrl, 'worker'),
      prefix,
      queue,
      handlers,
      logger,
      ...(observer ? { observer } : {}),
    });
    cleanups.push(() => worker.close());
    return worker;
  };
  const settled = (queue: QueueName, id: string, state: 'completed' | 'failed') =>
    waitFor(
      // State first: a job read before the state check could predate the transition.
      async () =>
        (await producer.queue(queue).getJobState(id)) === state ? producer.queue(queue).getJob(id) : null,
      { what: `job ${id} on ${queue} to be ${state}`, timeoutMs: 20_000 },
    );
  return { prefix, producer, startWorker, settled };
}

function recordingObserver() {
  const events: Array<{ event: 'completed' | 'failed'; queue: QueueName; name: string; error?: string }> = [];
  const observer: WorkerObserver = {
    completed: (queue, name) => void events.push({ event: 'completed', queue, name }),
    failed: (queue, name, _ms, error) =>
      void events.push({ event: 'failed', queue, name, error: error.message }),
  };
  return { events, observer };
}

describe('Producer and createWorker', () => {
  it('delivers an enqueued job to its handler with the parsed payload and context', async () => {
    const { producer, startWorker, settled } = setup('round-trip');
    const seen: Array<{ payload: unknown; id: string; name: JobName; attemptsMade: number }> = [];
    startWorker('fetch', {
      'page.fetch': async (payload, ctx) => {
        seen.push({ payload, id: ctx.id, name: ctx.name, attemptsMade: ctx.attemptsMade });
        await ctx.log('fetched 1 page');
        return { ok: true };
      },
    });

    const id = await producer.enqueue('page.fetch', {
      url: 'https://huggingface.co/papers',
      sourceName: 'hf',
    });
    const job = await settled('fetch', id, 'completed');

    expect(seen).toEqual([
      {
        payload: {
          url: 'https://huggingface.co/papers',
          sourceName: 'hf',
          formatHint: null,
          capturedAt: null,
        },
        id,
        name: 'page.fetch',
        attemptsMade: 0,
      },
    ]);
    expect(job.returnvalue).toEqual({ ok: true });
    expect((await producer.queue('fetch').getJobLogs(id)).logs).toEqual(['fetched 1 page']);
  });

  it('rejects an invalid payload on enqueue, naming the field, and enqueues nothing', async () => {
    const { producer } = setup('invalid-enqueue');
    const bad = { page: { ...rawPage(1), key: 'not-a-sha' }, unchanged: false };
    const attempt = producer.enqueue('page.fetched', bad);
    await expect(attempt).rejects.toThrow(InvalidJobPayloadError);
    await expect(producer.enqueue('page.fetched', bad)).rejects.toThrow(
      /invalid payload for job page\.fetched[\s\S]*page\.key/,
    );
    await expect(
      // @ts-expect-error a payload missing required fields does not compile
      producer.enqueue('page.fetch', { url: 'https://example.org' }),
    ).rejects.toThrow(/sourceName/);
    expect((await queueDepths(producer)).parse.waiting).toBe(0);
  });

  it('fails a job whose payload breaks the catalog as unrecoverable, with the zod reason, without retrying', async () => {
    const { producer, startWorker, settled } = setup('invalid-dequeue');
    const { events, observer } = recordingObserver();
    let handled = 0;
    startWorker('parse', { 'page.fetched': async () => void (handled += 1) }, observer);

    const added = await producer
      .queue('parse')
      .add('page.fetched', { page: { ...rawPage(2), size: -1 }, unchanged: 'no' }, { attempts: 5 });
    const job = await settled('parse', added.id ?? '', 'failed');

    expect(handled).toBe(0);
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/^invalid payload for job page\.fetched/);
    expect(job.failedReason).toContain('page.size');
    expect(job.failedReason).toContain('unchanged');
    expect(events).toEqual([
      {
        event: 'failed',
        queue: 'parse',
        name: 'page.fetched',
        error: expect.stringContaining('invalid payload'),
      },
    ]);
  });

  it('reports each job that fails for good to onFinalFailure once, and retried attempts not at all', async () => {
    const { prefix, producer, settled } = setup('final-failure');
    const failures: { jobId: string; name: string; message: string }[] = [];
    const worker = createWorker({
      connection: createRedis(redisUrl, 'worker'),
      prefix,
      queue: 'index',
      logger,
      handlers: {
        'papers.parsed': async () => {
          throw new Error('engine down');
        },
        'papers.sighted': async () => {},
      },
      onFinalFailure: async (f) =>
        void failures.push({ jobId: f.jobId, name: f.name, message: f.error.message }),
    });
    cleanups.push(() => worker.close());

    const invalid = await producer.queue('index').add('papers.sighted', { ids: 'none' }, { attempts: 5 });
    const exhausted = await producer
      .queue('index')
      .add(
        'papers.parsed',
        { manifestId: 'd'.repeat(32), chunk: 0, chunks: 1, papers: [paper(3)] },
        { attempts: 2, backoff: { type: 'fixed', delay: 10 } },
      );
    await settled('index', invalid.id ?? '', 'failed');
    const job = await settled('index', exhausted.id ?? '', 'failed');
    expect(job.attemptsMade).toBe(2);
    await waitFor(() => failures.length >= 2, { what: 'two final failures reported', timeoutMs: 10_000 });

    expect(failures.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { jobId: exhausted.id, name: 'papers.parsed', message: 'engine down' },
      { jobId: invalid.id, name: 'papers.sighted', message: expect.stringContaining('invalid payload') },
    ]);
  });

  it('fails a job with an unknown name as unrecoverable, without retrying', async () => {
    const { producer, startWorker, settled } = setup('unknown-name');
    startWorker('index', {
      'papers.parsed': async () => {},
      'papers.sighted': async () => {},
    });

    const unknown = await producer.queue('index').add('papers.exploded', { ids: [] }, { attempts: 5 });
    const misplaced = await producer
      .queue('index')
      .add('page.fetch', { url: 'https://x.org', sourceName: 's' }, { attempts: 5 });

    for (const added of [unknown, misplaced]) {
      const job = await settled('index', added.id ?? '', 'failed');
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toMatch(new RegExp(`^unknown job name "${added.name}" on queue index`));
      expect(job.failedReason).toContain('this queue runs: papers.parsed, papers.sighted');
    }
  });

  it('retries a handler that throws, and completes', async () => {
    const { producer, startWorker, settled } = setup('retry');
    const { events, observer } = recordingObserver();
    const attempts: number[] = [];
    startWorker(
      'index',
      {
        'papers.parsed': async (_payload, ctx) => {
          attempts.push(ctx.attemptsMade);
          if (attempts.length === 1) throw new Error('engine briefly unavailable');
          return 'indexed';
        },
        'papers.sighted': async () => {},
      },
      observer,
    );

    const id = await producer.enqueue('papers.parsed', {
      manifestId: 'c'.repeat(32),
      chunk: 0,
      chunks: 1,
      papers: [paper(1)],
    });
    const job = await settled('index', id, 'completed');

    expect(attempts).toEqual([0, 1]);
    expect(job.returnvalue).toBe('indexed');
    expect(events.map((e) => e.event)).toEqual(['failed', 'completed']);
  });

  it('puts a job off with ctx.delay without counting an attempt or a failure', async () => {
    const { producer, startWorker, settled } = setup('delay');
    const { events, observer } = recordingObserver();
    const runs: Array<{ attemptsMade: number; delayedMs: number; tallied: number; at: number }> = [];
    const asked: number[] = [];
    startWorker(
      'index',
      {
        'papers.parsed': async (_payload, ctx) => {
          runs.push({
            attemptsMade: ctx.attemptsMade,
            delayedMs: await ctx.delayedMs(),
            tallied: await ctx.delayedMs('first'),
            at: Date.now(),
          });
          if (runs.length < 3) {
            asked.push(Date.now() + 100);
            return ctx.delay(asked.at(-1)!, runs.length === 1 ? 'first' : undefined);
          }
          return 'indexed';
        },
        'papers.sighted': async () => {},
      },
      observer,
    );

    const id = await producer.enqueue('papers.parsed', {
      manifestId: 'e'.repeat(32),
      chunk: 0,
      chunks: 1,
      papers: [paper(4)],
    });
    const job = await settled('index', id, 'completed');

    expect(job.returnvalue).toBe('indexed');
    // The one attempt that completed; the delays made none.
    expect(job.attemptsMade).toBe(1);
    expect(runs.map((r) => r.attemptsMade)).toEqual([0, 0, 0]);
    // Each run starts no earlier than the delay asked for, and the delays add up.
    expect(runs[1]!.at).toBeGreaterThanOrEqual(asked[0]!);
    expect(runs[2]!.at).toBeGreaterThanOrEqual(asked[1]!);
    expect(runs[1]!.delayedMs).toBeGreaterThanOrEqual(90);
    expect(runs[2]!.delayedMs).toBeGreaterThanOrEqual(180);
    expect(runs[2]!.tallied).toBe(runs[1]!.delayedMs);
    expect(events.map((e) => e.event)).toEqual(['completed']);
  });

  it('fails a job at once when its handler throws UnrecoverableJobError or UnrecoverableError', async () => {
    const { producer, startWorker, settled } = setup('unrecoverable');
    startWorker('index', {
      'papers.parsed': async () => {
        throw new UnrecoverableJobError('chunk refers to a page that does not exist');
      },
      'papers.sighted': async () => {
        throw new UnrecoverableError('sighting of nothing');
      },
    });

    const parsed = await producer.enqueue('papers.parsed', {
      manifestId: 'd'.repeat(32),
      chunk: 0,
      chunks: 1,
      papers: [paper(2)],
    });
    const sighted = await producer.enqueue('papers.sighted', {
      manifestId: 'd'.repeat(32),
      papers: [paper(2)],
    });

    const parsedJob = await settled('index', parsed, 'failed');
    expect(parsedJob.failedReason).toBe('chunk refers to a page that does not exist');
    expect(parsedJob.attemptsMade).toBe(1);
    const sightedJob = await settled('index', sighted, 'failed');
    expect(sightedJob.failedReason).toBe('sighting of nothing');
    expect(sightedJob.attemptsMade).toBe(1);
  });

  it('stores the retention and retry policy on every job, and dedupes by job id', async () => {
    const { producer } = setup('options');
    const page = rawPage(3);
    const id = await producer.enqueue('page.fetched', { page, unchanged: false });
    const again = await producer.enqueue('page.fetched', { page, unchanged: false });
    const ids = await producer.enqueueMany('papers.parsed', [
      { manifestId: page.manifestId, chunk: 0, chunks: 2, papers: [paper(1)] },
      { manifestId: page.manifestId, chunk: 1, chunks: 2, papers: [paper(2)] },
    ]);

    expect(id).toBe(page.manifestId);
    expect(again).toBe(id);
    expect(ids).toEqual([`${page.manifestId}-0`, `${page.manifestId}-1`]);
    const job = (await producer.queue('parse').getJob(id)) as Job;
    expect(job.opts).toMatchObject({
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: false,
    });
    const depths = await queueDepths(producer);
    expect(depths.parse).toEqual({ waiting: 1, active: 0, delayed: 0, failed: 0, completed: 0 });
    expect(depths.index.waiting).toBe(2);
    expect(depths.fetch.waiting).toBe(0);
  });
});

describe('createWorker handler checks', () => {
  const connection = (): Redis => createRedis(redisUrl, 'worker');

  it('refuses handlers that miss a job name of the queue', () => {
    expect(() =>
      createWorker({
        connection: connection(),
        prefix: uniquePrefix('missing'),
        queue: 'index',
        logger,
        // @ts-expect-error every job name of the queue needs a handler
        handlers: { 'papers.parsed': async () => {} },
      }),
    ).toThrow(/worker for queue index: no handler for papers\.sighted/);
  });

  it('refuses handlers for job names of another queue', () => {
    expect(() =>
      createWorker({
        connection: connection(),
        prefix: uniquePrefix('extra'),
        queue: 'parse',
        logger,
        handlers: {
          'page.fetched': async () => {},
          // @ts-expect-error page.fetch runs on the fetch queue
          'page.fetch': async () => {},
        },
      }),
    ).toThrow(/handlers for job names that do not run on it: page\.fetch \(runs on queue fetch\)/);
  });
});
