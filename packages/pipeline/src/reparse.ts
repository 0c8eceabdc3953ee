import type { Producer } from '@paperwire/queue';
import type { RawStore } from '@paperwire/rawstore';

import { newRunId, Runs } from './runs.js';

export interface ReparseFilter {
  /** Only pages of this source. */
  source?: string;
  /** Only pages captured at or after this date (`2025-11-03`) or instant (ISO-8601). */
  since?: string;
}

/**
 * Queues every archived page that matches `filter` for the parser again, with its original
 * capture time, so the current parser rewrites what the index holds about it. Each page is parsed
 * afresh (never answered from the sightings of an earlier parse).
 */
export async function reparse(
  deps: { store: RawStore; producer: Producer },
  filter: { source?: string; since?: string },
): Promise<{ pages: number }> {
  const { pages } = await reparseRun(deps, filter);
  return { pages };
}

/** `reparse`, as a run whose progress can be followed under the returned run id. */
export async function reparseRun(
  deps: { store: RawStore; producer: Producer; runs?: Runs },
  filter: ReparseFilter,
  runId: string = newRunId('reparse'),
): Promise<{ runId: string; pages: number }> {
  const since = filter.since === undefined ? null : sinceMillis(filter.since);
  const runs = deps.runs ?? (await Runs.of(deps.producer));
  // Started before the first page is queued, so a run with pages is never seen as done early.
  await runs.start(runId, { kind: 'reparse', source: filter.source ?? null, expected: 0 });
  let pages = 0;
  for await (const page of deps.store.manifests()) {
    if (filter.source !== undefined && page.sourceName !== filter.source) continue;
    if (since !== null && Date.parse(page.capturedAt) < since) continue;
    await runs.openPage(runId, page.manifestId);
    // The run id makes the job id new: the page's earlier jobs (kept when they failed) would
    // otherwise swallow this one as a duplicate.
    await deps.producer.enqueue('page.fetched', { page, unchanged: false, runId });
    pages += 1;
  }
  return { runId, pages };
}

function sinceMillis(since: string): number {
  const value = /^\d{4}-\d{2}-\d{2}$/.test(since) ? `${since}T00:00:00.000Z` : since;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(since) || Number.isNaN(ms)) {
    throw new Error(`since: "${since}" is not an ISO-8601 date or date-time (e.g. 2025-11-03)`);
  }
  return ms;
}
