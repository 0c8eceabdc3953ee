import { commonEnv, parseEnv, redisEnv, searchEnv, workerEnv } from '@paperwire/config';
import { z } from 'zod';

export const env = parseEnv(
  {
    ...commonEnv,
    ...redisEnv,
    ...searchEnv,
    ...workerEnv,
    /**
     * Chunks the indexer writes at once. The embedded index commits the chunks ready within its
     * commit window (50 ms) in one transaction, so more of them share a commit's cost.
     */
    INDEX_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
    /** How long one paper's read-merge-write may hold its lock before another replica may take it. */
    INDEX_LOCK_TTL_MS: z.coerce.number().int().min(1000).default(60_000),
  },
  process.env,
);
