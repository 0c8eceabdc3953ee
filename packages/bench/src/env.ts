/**
 * What the load benchmark reads from its environment. The processes it starts inherit the rest
 * (PATH, and any gateway setting such as SEARCH_THREADS, to benchmark it).
 */
export function inheritedEnv(): NodeJS.ProcessEnv {
  return { ...process.env };
}

/** A Redis to use instead of starting one (the benchmark's keys go under a prefix of their own). */
export function configuredRedisUrl(): string | undefined {
  return process.env.REDIS_URL || undefined;
}
