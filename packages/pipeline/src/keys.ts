import type { Producer } from '@paperwire/queue';
import type { Redis } from 'ioredis';

/**
 * Where the pipeline keeps its own state in Redis, next to BullMQ's keys under the same prefix
 * (BullMQ's are `<prefix>:<queue>:…`; queue names never collide with these).
 */
export const keys = {
  run: (prefix: string, runId: string) => `${prefix}:run:${runId}`,
  runItems: (prefix: string, runId: string) => `${prefix}:run:${runId}:items`,
  runFailures: (prefix: string, runId: string) => `${prefix}:run:${runId}:failures`,
  ledger: (prefix: string, source: string) => `${prefix}:ledger:${source}`,
  source: (prefix: string, source: string) => `${prefix}:source:${source}`,
  watch: (prefix: string, id: string) => `${prefix}:watch:${id}`,
  watches: (prefix: string) => `${prefix}:watches`,
  /** The papers an index job may create, kept until it has queued their deliveries. */
  watchPending: (prefix: string, jobId: string) => `${prefix}:watch-pending:${jobId}`,
};

/** The Redis connection and key prefix a Producer already uses, for state kept beside its queues. */
export async function redisOf(producer: Producer): Promise<{ redis: Redis; prefix: string }> {
  return { redis: producer.connection, prefix: producer.prefix };
}

/**
 * Resolves once `redis` is connected. A producer's connection fails commands instead of queueing
 * them while it connects (so an enqueue fails fast when Redis is down), so the first command of a
 * fresh connection waits for it here, for at most `timeoutMs`.
 */
export async function connected(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status === 'wait') await redis.connect().catch(() => undefined);
  if ((redis.status as string) === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis not ready after ${timeoutMs} ms (status ${redis.status})`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
