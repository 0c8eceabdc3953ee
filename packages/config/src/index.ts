import { resolve } from 'node:path';

import { z } from 'zod';

/**
 * Environment fragments shared by the apps. Each app composes the ones it needs in its own
 * `src/env.ts` and parses the process environment there, once; a bad value stops it at start with a
 * message naming the variable.
 */

const port = z.coerce.number().int().min(0).max(65535);

export const commonEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z
    .string()
    .min(1)
    .default('./data')
    .transform((p) => resolve(p)),
};

export const redisEnv = {
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'REDIS_URL must be a redis:// or rediss:// URL' })
    .default('redis://127.0.0.1:6379'),
  /** Prefix of every BullMQ key, so several deployments can share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'QUEUE_PREFIX may only use [A-Za-z0-9_-]')
    .default('paperwire'),
};

export const searchEnv = {
  /** Selects Meilisearch; when unset the embedded SQLite index under DATA_DIR is used. */
  MEILI_URL: z.url({ protocol: /^https?$/, error: 'MEILI_URL must be an http(s) URL' }).optional(),
  MEILI_MASTER_KEY: z.string().min(1).optional(),
  MEILI_INDEX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'MEILI_INDEX may only use [A-Za-z0-9_-]')
    .default('papers'),
};

export const workerEnv = {
  /** Port of the `/metrics` endpoint; 0 disables it. */
  METRICS_PORT: port.default(0),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * A job's lock, renewed by its worker while it runs. A worker that dies (kill -9, a lost
   * machine) stops renewing: its jobs go back to the queue within about twice this.
   */
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
};

export const egressEnv = {
  /**
   * Hosts (names or IP addresses, as URLs give them) that may be fetched, or sent webhooks,
   * although they are or resolve to loopback, private, link-local or metadata addresses. None by
   * default.
   */
  FETCH_ALLOW_HOSTS: z
    .string()
    .default('')
    .transform(
      (value) =>
        new Set(
          value
            .split(',')
            .map((h) =>
              h
                .trim()
                .replace(/^\[|\]$/g, '')
                .toLowerCase(),
            )
            .filter((h) => h !== ''),
        ),
    ),
};

/** Parses `source` against `shape`; on failure throws one error naming every bad variable. */
export function parseEnv<S extends z.ZodRawShape>(
  shape: S,
  source: Record<string, string | undefined>,
): z.output<z.ZodObject<S>> {
  // Empty strings mean "unset", as they do in most deployment tools' env files.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const result = z.object(shape).safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new EnvError(`invalid environment:\n${lines.join('\n')}`);
}

export class EnvError extends Error {
  override name = 'EnvError';
}

export { port as portSchema };
