import type { Producer } from '@paperwire/queue';
import type { RawPageMeta, RawStore } from '@paperwire/rawstore';
import type { RawPageRef } from '@paperwire/schema';

import { Runs } from './runs.js';

export interface Archived {
  page: RawPageRef;
  /**
   * This URL gave the same body (under the same source name) the last time one of its pages was
   * parsed: the parser sends the papers of that parse again, stamped with this capture, instead of
   * parsing. The same body from a new URL or source is parsed, so the URL and source reach its
   * papers' `sources`.
   */
  unchanged: boolean;
  jobId: string;
}

export interface ArchiveDeps {
  store: RawStore;
  producer: Producer;
  /** Run bookkeeping; made from the producer's connection when absent and a run id is given. */
  runs?: Runs;
}

/**
 * Archives a page body and announces it to the parser. The one way a page enters the pipeline,
 * for fetched URLs and local files alike: only the raw store's key travels through the queue.
 * With a run id, the page is counted as pending in that run before its job exists.
 */
export async function archivePage(
  deps: ArchiveDeps,
  body: Uint8Array,
  meta: RawPageMeta,
  runId?: string,
): Promise<Archived> {
  const { page } = await deps.store.put(body, meta);
  // Unchanged per URL, not per body: a body first seen under another URL (or source name) is parsed,
  // since the papers a sighting sends again name the URL and source of the parse they came from.
  // The last parse is recorded once the papers are queued, so a page whose parse never happened
  // (or failed) is parsed again instead of sighted.
  const last = await deps.store.lastParse(page.url);
  const unchanged = last?.key === page.key && last.sourceName === page.sourceName;
  if (runId !== undefined)
    await (deps.runs ?? (await Runs.of(deps.producer))).openPage(runId, page.manifestId);
  const jobId = await deps.producer.enqueue('page.fetched', {
    page,
    unchanged,
    ...(runId === undefined ? {} : { runId }),
  });
  return { page, unchanged, jobId };
}

/** The key of one fetch within a run: which source, which URL (with `{date}` expanded). */
export function fetchItem(sourceName: string, url: string): string {
  return `${sourceName}|${url}`;
}
