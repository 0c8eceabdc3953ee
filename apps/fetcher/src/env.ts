import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { commonEnv, egressEnv, parseEnv, redisEnv, searchEnv, workerEnv } from '@paperwire/config';
import { z } from 'zod';

/** Root of the monorepo, from `apps/fetcher/src` or `apps/fetcher/dist`. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The sources the main job uses: local files only, so it works offline. */
export const defaultSourcesFile = resolve(repoRoot, 'infra/sources.local.yaml');
/** Where `file:` sources may be read from unless FETCH_FILE_ROOTS says otherwise. */
export const defaultFileRoots = [resolve(repoRoot, 'infra/digests')];

const list = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );

const ms = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

export const fetcherEnv = {
  ...commonEnv,
  ...redisEnv,
  ...searchEnv,
  ...workerEnv,
  /** The sources file (YAML or JSON) whose schedules the fetcher applies. */
  SOURCES_FILE: z
    .string()
    .optional()
    .transform((p) => (p === undefined ? undefined : resolve(p))),
  /** Total time for one fetch: connect, redirects, headers and body. */
  FETCH_TIMEOUT_MS: ms(100, 30_000),
  FETCH_CONNECT_TIMEOUT_MS: ms(100, 10_000),
  FETCH_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(20 * 1024 * 1024),
  FETCH_MAX_REDIRECTS: z.coerce.number().int().min(0).max(20).default(5),
  /** Named in the User-Agent of every request, so a site owner knows whom to ask. */
  FETCH_CONTACT_URL: z.url({ protocol: /^https?$/ }).default('https://github.com/paperwire/paperwire'),
  ...egressEnv,
  /** Directories `file:` sources may be read from (comma list); default: the bundled digests. */
  FETCH_FILE_ROOTS: list.transform((roots) =>
    roots.length > 0 ? roots.map((r) => resolve(r)) : defaultFileRoots,
  ),
  /** Per-host limits shared by all replicas; a source's `rateLimit` overrides them for its host. */
  FETCH_HOST_INTERVAL_MS: ms(1, 1000),
  FETCH_HOST_BURST: z.coerce.number().int().min(1).default(2),
  FETCH_HOST_CONCURRENCY: z.coerce.number().int().min(1).default(2),
  /** How long a fetch waits for its host's turn in the worker; a longer wait delays the job. */
  FETCH_MAX_HOST_WAIT_MS: ms(0, 10_000),
  /** First retry delay of a failed fetch; doubled on each retry, with jitter. */
  FETCH_RETRY_BASE_MS: ms(1, 1000),
  /** A Retry-After longer than this is cut to it; Retry-After waits past it in all use up attempts. */
  FETCH_MAX_RETRY_AFTER_MS: ms(0, 3_600_000),
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
};

export type FetcherEnv = ReturnType<typeof loadEnv>;

/** Parsed once by each entry point (worker or CLI); a bad value stops it naming the variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env) {
  return parseEnv(fetcherEnv, source);
}

/** The sources file to use: SOURCES_FILE, else the local one when it exists. */
export function sourcesFileOf(env: FetcherEnv): string | null {
  if (env.SOURCES_FILE !== undefined) return env.SOURCES_FILE;
  return existsSync(defaultSourcesFile) ? defaultSourcesFile : null;
}

/** The environment handed to the apps `paperwire up` starts, so they parse the same variables. */
export function inheritedEnv(): NodeJS.ProcessEnv {
  return { ...process.env };
}

export function userAgentOf(env: FetcherEnv): string {
  return `paperwire/0.1 (+${env.FETCH_CONTACT_URL})`;
}
