import {
  JOB_ATTEMPTS,
  jobIdOf,
  UnrecoverableJobError,
  type JobContext,
  type JobHandlers,
} from '@paperwire/queue';
import type { JobPayload } from '@paperwire/schema';

import type { Runs } from './runs.js';

/** Whether a job that threw `error` fails for good (no retry follows). */
export function isFinalFailure(error: unknown, ctx: Pick<JobContext, 'attemptsMade'>): boolean {
  return error instanceof UnrecoverableJobError || ctx.attemptsMade + 1 >= JOB_ATTEMPTS;
}

/**
 * Parser bookkeeping for a page of a run: its chunks become pending, then the page is parsed.
 * In that order, so the run never looks done between the two.
 */
export async function pageParsed(
  runs: Runs,
  job: JobPayload<'page.fetched'>,
  chunkJobIds: string[],
): Promise<void> {
  if (job.runId === undefined) return;
  for (const id of chunkJobIds) await runs.openChunk(job.runId, id);
  await runs.closePage(job.runId, job.page.manifestId, 'parsed');
}

export async function pageFailed(runs: Runs, job: JobPayload<'page.fetched'>): Promise<void> {
  if (job.runId !== undefined) await runs.closePage(job.runId, job.page.manifestId, 'failed');
}

/**
 * The indexer's handlers, with each chunk of a run counted when it is written (papers indexed or
 * sighted) or fails for good.
 */
export function trackIndexing(handlers: JobHandlers<'index'>, runs: Runs): JobHandlers<'index'> {
  return {
    'papers.parsed': async (job, ctx) => {
      const close = (outcome: { indexed: number } | 'failed') =>
        job.runId === undefined
          ? undefined
          : runs.closeChunk(job.runId, jobIdOf('papers.parsed', job)!, outcome);
      try {
        const result = await handlers['papers.parsed'](job, ctx);
        await close({ indexed: job.papers.length });
        return result;
      } catch (error) {
        if (isFinalFailure(error, ctx)) await close('failed');
        throw error;
      }
    },
    'papers.sighted': async (job, ctx) => {
      const close = (outcome: { sighted: number } | 'failed') =>
        job.runId === undefined
          ? undefined
          : runs.closeChunk(job.runId, jobIdOf('papers.sighted', job)!, outcome);
      try {
        const result = await handlers['papers.sighted'](job, ctx);
        await close({ sighted: job.ids.length });
        return result;
      } catch (error) {
        if (isFinalFailure(error, ctx)) await close('failed');
        throw error;
      }
    },
  };
}
