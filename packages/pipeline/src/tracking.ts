import {
  jobIdOf,
  type FinalFailure,
  type JobContext,
  type JobHandlers,
  type Producer,
} from '@paperwire/queue';
import { RunIdSchema, type JobPayload } from '@paperwire/schema';

import type { Runs } from './runs.js';

/**
 * A page's item in its run: its manifest id, and a refresh (the page parsed again for papers the
 * index lacked) an item of its own, since the page's first parse has already closed the first.
 */
export function pageItem(job: { page: { manifestId: string }; refresh?: boolean | undefined }): string {
  return job.refresh === true ? `${job.page.manifestId}-refresh` : job.page.manifestId;
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
  await runs.closePage(job.runId, pageItem(job), 'parsed');
}

/**
 * Run bookkeeping of a parse or index job given up for good (a worker's `onFinalFailure`),
 * whatever failed: its handler, its payload check, or BullMQ (a job stalled too often). Its page
 * or chunk is closed as failed, so the run still ends. The payload is read leniently, since it
 * may be why the job failed: only what names the job's item in its run is needed.
 */
export async function jobGivenUp(
  runs: Runs,
  failure: Pick<FinalFailure, 'jobId' | 'name' | 'data'>,
): Promise<void> {
  const runId = RunIdSchema.safeParse(field(failure.data, 'runId'));
  if (!runId.success) return;
  switch (failure.name) {
    case 'page.fetched': {
      const manifestId = field(field(failure.data, 'page'), 'manifestId');
      if (typeof manifestId !== 'string' || manifestId === '') return;
      const refresh = field(failure.data, 'refresh') === true;
      await runs.closePage(runId.data, pageItem({ page: { manifestId }, refresh }), 'failed');
      return;
    }
    case 'papers.parsed':
    case 'papers.sighted':
      // The parser opened the chunk under its job id.
      if (failure.jobId !== '') await runs.closeChunk(runId.data, failure.jobId, 'failed');
      return;
    default:
      return;
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * Queues the page of a sighting to be parsed again (the index lacks some of its papers), counted
 * as a pending page of the run before its job exists. Returns the job id; null when the sighting
 * does not name its page (a job queued before sightings carried it).
 */
export async function refreshPage(
  deps: { producer: Producer; runs: Runs },
  job: JobPayload<'papers.sighted'>,
): Promise<string | null> {
  if (job.page === undefined) return null;
  const refresh = { page: job.page, unchanged: false, refresh: true } as const;
  if (job.runId !== undefined) await deps.runs.openPage(job.runId, pageItem(refresh));
  return deps.producer.enqueue('page.fetched', {
    ...refresh,
    ...(job.runId === undefined ? {} : { runId: job.runId }),
  });
}

/** What the indexer's papers.sighted handler reports, for the run's counts. */
export interface SightedOutcome {
  /** Ids the index does not hold. */
  missing: string[];
  /** The page queued to be parsed again because of them (see refreshPage), or null. */
  refreshJobId: string | null;
}

/** The indexer's handlers, papers.sighted reporting what the run needs to count it. */
export type IndexingHandlers = Omit<JobHandlers<'index'>, 'papers.sighted'> & {
  'papers.sighted': (payload: JobPayload<'papers.sighted'>, ctx: JobContext) => Promise<SightedOutcome>;
};

/**
 * The indexer's handlers, with each chunk of a run counted once written (papers indexed or
 * sighted); a chunk that fails for good is closed by `jobGivenUp`. A sighting that queued its page
 * again counts no paper: the page's new parse counts them as indexed.
 */
export function trackIndexing(handlers: IndexingHandlers, runs: Runs): JobHandlers<'index'> {
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
        const sighted = result.refreshJobId === null ? job.ids.length - result.missing.length : 0;
        await runs.closeChunk(job.runId, jobIdOf('papers.sighted', job)!, { sighted });
      }
      return result;
    },
  };
}
