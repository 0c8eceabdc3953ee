import { createHash } from 'node:crypto';

import type { JobName, JobPayload } from '@paperwire/schema';
import type { JobsOptions } from 'bullmq';

export const JOB_ATTEMPTS = 5;
export const BACKOFF_BASE_MS = 1000;

/** Completed jobs are only history; failed jobs are the to-do list of whoever runs the pipeline. */
const RETENTION = { removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: false } as const;

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

/**
 * The job id of a payload, so the same work enqueued twice (a retried fetch, a parser run twice
 * on one page) is one job while the first is still in Redis. Undefined where every enqueue is new
 * work. Ids never contain ':' (BullMQ reserves it) and are never integers.
 */
export function jobIdOf<N extends JobName>(name: N, payload: JobPayload<N>): string | undefined {
  switch (name) {
    case 'page.fetch': {
      const p = payload as JobPayload<'page.fetch'>;
      return p.capturedAt === null ? undefined : `fetch-${digest(p.url, p.capturedAt).slice(0, 32)}`;
    }
    case 'page.fetched':
      return (payload as JobPayload<'page.fetched'>).page.manifestId;
    case 'papers.parsed': {
      const p = payload as JobPayload<'papers.parsed'>;
      return `${p.manifestId}-${p.chunk}`;
    }
    case 'papers.sighted': {
      const p = payload as JobPayload<'papers.sighted'>;
      return `${p.manifestId}-seen-${digest(...[...p.ids].sort()).slice(0, 16)}`;
    }
    default:
      return unreachable(name);
  }
}

function unreachable(name: never): never {
  throw new Error(`no job id policy for job ${String(name)}`);
}

/** The one place job policy lives: dedupe id, retries with backoff, retention. */
export function jobOptions<N extends JobName>(name: N, payload: JobPayload<N>): JobsOptions {
  const jobId = jobIdOf(name, payload);
  return {
    ...(jobId === undefined ? {} : { jobId }),
    attempts: JOB_ATTEMPTS,
    // Jitter spreads the retries of jobs that failed together (an engine restart) apart.
    backoff: { type: 'exponential', delay: BACKOFF_BASE_MS, jitter: 0.5 },
    ...RETENTION,
  };
}
