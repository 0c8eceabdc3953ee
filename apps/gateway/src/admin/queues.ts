import type { Logger } from '@paperwire/observability';
import { createRedis, Producer } from '@paperwire/queue';
import type { Redis } from 'ioredis';

export interface QueueAccessOptions {
  redisUrl: string;
  prefix: string;
  logger?: Logger;
  /** How long a request waits for Redis to (re)connect before it is told Redis is unavailable. */
  connectWaitMs?: number;
}

/** Redis is not there: the request was fine and can be sent again later. */
export class QueuesUnavailableError extends Error {
  override name = 'QueuesUnavailableError';
}

const DEFAULT_CONNECT_WAIT_MS = 2_000;

/**
 * The job queues, connected on first use: only admin needs Redis, so a gateway whose Redis is
 * down still starts and serves search.
 */
export class QueueAccess {
  private connection: { redis: Redis; producer: Producer; lastError?: string } | undefined;

  constructor(private readonly opts: QueueAccessOptions) {}

  /**
   * The producer, once Redis answers. BullMQ would wait for a Redis that is down for as long as
   * it takes; a request waits `connectWaitMs` at most and then fails with QueuesUnavailableError.
   */
  async producer(): Promise<Producer> {
    const connection = this.connect();
    if (connection.redis.status === 'ready') return connection.producer;
    const waitMs = this.opts.connectWaitMs ?? DEFAULT_CONNECT_WAIT_MS;
    const ready = await new Promise<boolean>((resolve) => {
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), waitMs);
      const done = (value: boolean) => {
        clearTimeout(timer);
        connection.redis.off('ready', onReady);
        resolve(value);
      };
      connection.redis.on('ready', onReady);
    });
    if (ready) return connection.producer;
    const reason = connection.lastError ? `: ${connection.lastError}` : '';
    throw new QueuesUnavailableError(`Redis at ${redactedUrl(this.opts.redisUrl)} does not answer${reason}`);
  }

  private connect(): { redis: Redis; producer: Producer; lastError?: string } {
    if (!this.connection) {
      const redis = createRedis(this.opts.redisUrl, 'producer', this.opts.logger);
      const producer = new Producer({
        connection: redis,
        prefix: this.opts.prefix,
        ...(this.opts.logger ? { logger: this.opts.logger } : {}),
      });
      const connection: { redis: Redis; producer: Producer; lastError?: string } = { redis, producer };
      redis.on('error', (error: Error) => {
        connection.lastError = error.message;
      });
      this.connection = connection;
    }
    return this.connection;
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    // A Queue waiting for a Redis that is gone would wait on close too.
    if (connection.redis.status === 'ready') await connection.producer.close().catch(() => undefined);
    connection.redis.disconnect();
  }
}

/** The URL without its password, for messages. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return 'REDIS_URL';
  }
}
