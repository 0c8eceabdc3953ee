import { jobIdOf, type FinalFailure, type JobHandlers } from '@paperwire/queue';
import { RunIdSchema, type JobPayload } from '@paperwire/schema';

import type { Runs } from './runs.js';

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

/**
 * Run bookkeeping of a parse or index job given up for good (a worker's `onFinalFailure`),
 * whatever failed: its handler, its payload check, or BullMQ (a job stalled too often). Its page
 * or chunk is closed as failed, with what failed it as the reason, so the run still ends and says
 * why. The payload is read leniently, since it may be why the job failed: only what names the
 * job's item in its run is needed, the rest (URL, source, raw key) is kept where it can be read.
 */
export async function jobGivenUp(
  runs: Runs,
  failure: Pick<FinalFailure, 'jobId' | 'name' | 'data'> & { error?: Error },
): Promise<void> {
  const runId = RunIdSchema.safeParse(field(failure.data, 'runId'));
  if (!runId.success) return;
  const reason = failure.error?.message || `job ${failure.jobId} (${failure.name}) failed for good`;
  const jobId = failure.jobId === '' ? null : failure.jobId;
  switch (failure.name) {
    case 'page.fetched': {
      const page = field(failure.data, 'page');
      const manifestId = field(page, 'manifestId');
      if (typeof manifestId !== 'string' || manifestId === '') return;
      await runs.closePage(runId.data, manifestId, 'failed', {
        reason,
        url: text(field(page, 'url')),
        source: text(field(page, 'sourceName')),
        pageKey: text(field(page, 'key')),
        jobId,
      });
      return;
    }
    case 'papers.parsed':
    case 'papers.sighted':
      // The parser opened the chunk under its job id.
      if (jobId !== null) {
        await runs.closeChunk(runId.data, jobId, 'failed', {
          reason,
          manifestId: text(field(failure.data, 'manifestId')),
        });
      }
      return;
    default:
      return;
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * The indexer's handlers, with each chunk of a run counted once written: the papers of a parsed
 * chunk as indexed, those of an unchanged page's chunk as sighted. A chunk that fails for good is
 * closed by `jobGivenUp`.
 */
export function trackIndexing(handlers: JobHandlers<'index'>, runs: Runs): JobHandlers<'index'> {
  return {
    'papers.parsed': async (job, ctx) => {
      const result = await handlers['papers.parsed'](job, ctx);
      if (job.runId !== undefined) {
        await runs.closeChunk(job.runId, jobIdOf('papers.parsed', job)!, { indexed: job.papers.length });
      }
      return result;
    },
    'papers.sighted': async (job, ctx) => {
      const result = await handlers['papers.sighted'](job, ctx);
      if (job.runId !== undefined) {
        await runs.closeChunk(job.runId, jobIdOf('papers.sighted', job)!, { sighted: job.papers.length });
      }
      return result;
    },
  };
}
