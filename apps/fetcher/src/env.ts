import { commonEnv, parseEnv, redisEnv, searchEnv, workerEnv } from '@paperwire/config';
import { z } from 'zod';

export const fetcherEnv = {
  ...commonEnv,
  ...redisEnv,
  ...searchEnv,
  ...workerEnv,
  FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  FETCH_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(20 * 1024 * 1024),
  FETCH_USER_AGENT: z.string().min(1).default('paperwire/0.1 (+https://github.com/paperwire/paperwire)'),
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
};

export type FetcherEnv = ReturnType<typeof loadEnv>;

/** Parsed once by each entry point (worker or CLI); a bad value stops it naming the variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env) {
  return parseEnv(fetcherEnv, source);
}

/** The environment handed to the apps `paperwire up` starts, so they parse the same variables. */
export function inheritedEnv(): NodeJS.ProcessEnv {
  return { ...process.env };
}
