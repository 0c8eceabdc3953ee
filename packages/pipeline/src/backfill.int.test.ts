import { createRedis, Producer } from '@paperwire/queue';
import { parseSources } from '@paperwire/sources';
import { uniquePrefix, waitFor } from '@paperwire/testing';
import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { backfill, stateKeys } from './index.js';

let producer: Producer;
const workers: Worker[] = [];

beforeAll(() => {
  producer = new Producer({
    connection: createRedis(inject('redisUrl'), 'producer'),
    prefix: uniquePrefix('backfill'),
  });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await producer.close();
  producer.connection.disconnect();
});

/** A bare BullMQ worker on the fetch queue: what the fetcher's job outcome looks like to a backfill. */
function fetchWorker(handle: (day: string) => void): Worker {
  const worker = new Worker(
    'fetch',
    async (job) => {
      handle((job.data as { date: string }).date);
    },
    { connection: createRedis(inject('redisUrl'), 'worker'), prefix: producer.prefix },
  );
  workers.push(worker);
  return worker;
}

describe('backfill', () => {
  it("queues a failed day again although its run's record of the failure is gone", async () => {
    const source = parseSources(
      'sources:\n  - name: daily\n    url: https://digest.example/{date}.txt\n    format: hf-text\n',
      { file: 'test', baseDir: '/' },
    ).sources[0]!;
    const day = '2025-11-01';
    const first = await backfill({ producer }, source, day, day);
    expect(first.queued).toEqual([day]);

    const failing = fetchWorker(() => {
      throw new UnrecoverableError('site down');
    });
    await waitFor(async () => (await producer.queue('fetch').getFailedCount()) === 1, {
      what: 'the fetch of the day to fail',
    });
    await failing.close();

    // Past the run's TTL its counters and items are gone; the failed job is kept.
    const redis = producer.connection;
    await redis.del(
      stateKeys.run(producer.prefix, first.runId),
      stateKeys.runItems(producer.prefix, first.runId),
    );

    const again = await backfill({ producer }, source, day, day);
    expect(again.retried).toEqual([day]);
    expect(again.queued).toEqual([day]);

    const fetched: string[] = [];
    fetchWorker((d) => void fetched.push(d));
    await waitFor(() => fetched.includes(day), { what: `day ${day} to be fetched again` });
    expect(await producer.queue('fetch').getFailedCount()).toBe(0);
  });
});
