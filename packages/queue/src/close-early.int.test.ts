import { createLogger } from '@paperwire/observability';
import { uniquePrefix } from '@paperwire/testing';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';

import { createRedis, createWorker } from './index.js';

/** Workers closed right after they are made, as a quick shutdown closes them, mid-start. */
describe('closing before BullMQ has started', () => {
  const redisUrl = inject('redisUrl');
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => void rejections.push(reason);
  beforeEach(() => {
    rejections.length = 0;
    process.on('unhandledRejection', onRejection);
  });
  afterEach(() => {
    process.off('unhandledRejection', onRejection);
  });

  it('a worker closed at once leaves no unhandled rejection', async () => {
    const logger = createLogger('close-early', 'silent');
    const workers = [];
    for (let i = 0; i < 20; i += 1) {
      const worker = createWorker({
        connection: createRedis(redisUrl, 'worker'),
        prefix: uniquePrefix('close-early'),
        queue: 'parse',
        handlers: { 'page.fetched': async () => undefined },
        logger,
      });
      workers.push(worker);
      await worker.close();
    }
    expect(workers.filter((w) => w.isRunning())).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(rejections).toEqual([]);
  });
});
