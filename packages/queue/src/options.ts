import { createHash } from 'node:crypto';

import type { JobName, JobPayload } from '@paperwire/schema';
import type { JobsOptions } from 'bullmq';

import { RetryLaterError } from './errors.js';

export const JOB_ATTEMPTS = 5;
export const BACKOFF_BASE_MS = 1000;
/**
 * Attempts of a webhook delivery: a receiver down for a deploy or a few minutes still gets it
 * (1 s, doubled each time, with jitter: 9 attempts within about four minutes).
 */
export const DELIVERY_ATTEMPTS = 9;

/** Completed jobs are only history; failed jobs are the to-do list of whoever runs the pipeline. */
const RETENTION = { removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: false } as const;

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

/**
 * The job id of a payload, so the same work enqueued twice (a retried fetch, a parser run twice
 * on one page) is one job while the first is still in Redis. Undefined where every enqueue is new
 * work. Ids never contain ':' (BullMQ reserves it) and are never integers. A payload's run id is
 * part of its job id.
 */
export function jobIdOf<N extends JobName>(name: N, payload: JobPayload<N>): string | undefined {
  switch (name) {
    case 'page.fetch': {
      const p = payload as JobPayload<'page.fetch'>;
      if (p.capturedAt === null) return undefined;
      const parts = p.runId === undefined ? [p.url, p.capturedAt] : [p.url, p.capturedAt, p.runId];
      return `fetch-${digest(...parts).slice(0, 32)}`;
    }
    case 'page.fetched': {
      const p = payload as JobPayload<'page.fetched'>;
      return `${p.page.manifestId}${runPart(p.runId)}`;
    }
    case 'papers.parsed': {
      const p = payload as JobPayload<'papers.parsed'>;
      return `${p.manifestId}${runPart(p.runId)}-${p.chunk}`;
    }
    case 'papers.sighted': {
      const p = payload as JobPayload<'papers.sighted'>;
      const ids = p.papers.map((paper) => paper.id).sort();
      return `${p.manifestId}${runPart(p.runId)}-seen-${digest(...ids).slice(0, 16)}`;
    }
    case 'watch.deliver': {
      // One delivery per watch and paper, however often the paper's chunk is indexed again.
      const p = payload as JobPayload<'watch.deliver'>;
      return `deliver-${p.watchId}-${p.paper.id}`;
    }
    default:
      return unreachable(name);
  }
}

/**
 * A run's jobs are its own: the same page in two runs (an ingest repeated, a reparse) is two jobs,
 * so neither run waits on a job the other one owns, nor is silently deduplicated into it.
 */
function runPart(runId: string | undefined): string {
  return runId === undefined ? '' : `-${runId}`;
}

function unreachable(name: never): never {
  throw new Error(`no job id policy for job ${String(name)}`);
}

/**
 * Backoff type of fetch jobs: exponential with jitter, unless the handler threw a RetryLaterError
 * saying when to try again (a server's Retry-After). Workers resolve it with `retryDelay`.
 */
export const RETRY_LATER_BACKOFF = 'retry-later';

/** The one place job policy lives: dedupe id, retries with backoff, retention. */
export function jobOptions<N extends JobName>(name: N, payload: JobPayload<N>): JobsOptions {
  const jobId = jobIdOf(name, payload);
  return {
    ...(jobId === undefined ? {} : { jobId }),
    attempts: name === 'watch.deliver' ? DELIVERY_ATTEMPTS : JOB_ATTEMPTS,
    // Jitter spreads the retries of jobs that failed together (an engine restart) apart.
    backoff: {
      type: name === 'page.fetch' ? RETRY_LATER_BACKOFF : 'exponential',
      delay: BACKOFF_BASE_MS,
      jitter: 0.5,
    },
    ...RETENTION,
  };
}

/**
 * The delay before retry `attemptsMade` (1 for the first retry) of a job with the retry-later
 * backoff: what a RetryLaterError asks for, else BullMQ's exponential backoff with jitter.
 */
export function retryDelay(attemptsMade: number, error: Error | undefined, baseMs = BACKOFF_BASE_MS): number {
  if (error instanceof RetryLaterError) return error.retryAfterMs;
  const max = Math.round(2 ** Math.max(0, attemptsMade - 1) * baseMs);
  return Math.floor(max * 0.5 + Math.random() * max * 0.5);
}
