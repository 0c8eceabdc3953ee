import type { TestProject } from 'vitest/node';

import './provided-context.js';
import { startRedis } from './redis.js';

/** One Redis for the whole test run; each test isolates itself with a unique key prefix. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedis();
  project.provide('redisUrl', redis.url);
  console.log(`[${project.name}] Redis for tests: ${redis.url} (via ${redis.via})`);
  return () => redis.stop();
}
