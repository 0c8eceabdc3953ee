import { jobIdOf, type Producer } from '@paperwire/queue';
import type { JobPayload } from '@paperwire/schema';
import { daysBetween, expandUrl, hasDatePlaceholder, startOfDay, type Source } from '@paperwire/sources';

import { fetchItem } from './archive.js';
import { Runs } from './runs.js';
import { SourceState } from './source-state.js';

export interface BackfillPlan {
  runId: string;
  days: string[];
  /** Days queued now. */
  queued: string[];
  /** Days the source's ledger already holds. */
  skipped: string[];
  /** Days whose fetch had failed in an earlier attempt of this backfill and run again. */
  retried: string[];
}

/**
 * The run id of a backfill: one per source and range, so running the same backfill again resumes
 * it: its counters continue, and a fetch still queued from the interrupted attempt is the same
 * job (same id) rather than a second one.
 */
export function backfillRunId(source: string, from: string, to: string): string {
  return `backfill-${source}-${from}-${to}`;
}

/**
 * Queues one fetch per day from `from` to `to` (UTC, both included) for a source whose URL holds
 * `{date}`. Days in the source's ledger (fetched by any earlier backfill) are skipped; a day whose
 * fetch failed in an earlier attempt of the same backfill is queued again.
 */
export async function backfill(
  deps: { producer: Producer; runs?: Runs; state?: SourceState },
  source: Source,
  from: string,
  to: string,
): Promise<BackfillPlan> {
  if (!hasDatePlaceholder(source.url)) {
    throw new Error(`source ${source.name} has no {date} in its URL (${source.url}); a backfill needs one`);
  }
  const days = daysBetween(from, to);
  const runs = deps.runs ?? (await Runs.of(deps.producer));
  const state = deps.state ?? (await SourceState.of(deps.producer));
  const runId = backfillRunId(source.name, from, to);
  await runs.start(runId, { kind: 'backfill', source: source.name, expected: days.length });
  const done = await state.daysDone(source.name);
  const plan: BackfillPlan = { runId, days, queued: [], skipped: [], retried: [] };
  for (const day of days) {
    const item = fetchItem(source.name, expandUrl(source.url, day));
    if (done.has(day)) {
      await runs.closeFetch(runId, item, 'skipped');
      plan.skipped.push(day);
      continue;
    }
    const payload: JobPayload<'page.fetch'> = {
      url: source.url,
      sourceName: source.name,
      formatHint: source.format,
      capturedAt: startOfDay(day),
      runId,
      date: day,
    };
    const outcome = await runs.fetchOutcome(runId, item);
    if (outcome === 'fetched' || outcome === 'unchanged' || outcome === 'skipped') continue;
    // Failed jobs are kept, under the id this retry needs, and adding a job whose id is taken does
    // nothing: the job itself says whether the day failed, also once the run's items expired.
    const id = jobIdOf('page.fetch', payload);
    const job = id === undefined ? undefined : await deps.producer.queue('fetch').getJob(id);
    const jobFailed = job !== undefined && (await job.getState()) === 'failed';
    if (outcome === 'failed' || outcome === 'refused' || jobFailed) {
      await runs.reopenFetch(runId, item);
      await job?.remove();
      plan.retried.push(day);
    }
    await deps.producer.enqueue('page.fetch', payload);
    plan.queued.push(day);
  }
  return plan;
}
