import type { Logger } from '@paperwire/observability';
import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'worker' | 'producer' | 'client';

const ROLE_OPTIONS: Record<RedisRole, RedisOptions> = {
  // BullMQ workers block on Redis and must ride out reconnects instead of failing commands. Workers
  // duplicate this connection, so it is lazy and opens no socket of its own unless used directly.
  worker: { maxRetriesPerRequest: null, lazyConnect: true },
  // Producers run inside requests and CLIs: when Redis is down, enqueue fails now, not later.
  producer: { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5000 },
  // Plain commands (locks, admin): retry briefly, queue commands issued before the first connect.
  client: { maxRetriesPerRequest: 2, connectTimeout: 5000 },
};

/**
 * A Redis connection configured for its role. Connection errors are logged (when a logger is
 * given) and never crash the process; ioredis keeps reconnecting and commands fail per role.
 */
export function createRedis(url: string, role: RedisRole, logger?: Logger): Redis {
  const redis = new Redis(url, { ...ROLE_OPTIONS[role], connectionName: `paperwire-${role}` });
  attachErrorListener(redis, role, logger);
  return redis;
}

export function attachErrorListener(redis: Redis, role: string, logger?: Logger): void {
  let lastMessage: string | undefined;
  redis.on('error', (err: Error) => {
    // A Redis that is down reports the same error on every reconnect attempt: log changes only.
    if (err.message === lastMessage) return;
    lastMessage = err.message;
    logger?.warn({ err, role }, 'redis connection error');
  });
  redis.on('ready', () => {
    lastMessage = undefined;
  });
}
