import type { Producer } from '@paperwire/queue';
import type { RawPageMeta, RawStore } from '@paperwire/rawstore';
import type { RawPageRef } from '@paperwire/schema';

import { Runs } from './runs.js';

export interface Archived {
  page: RawPageRef;
  /** The same body was already archived: the parser records a sighting instead of parsing again. */
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
  const { page, existed } = await deps.store.put(body, meta);
  if (runId !== undefined)
    await (deps.runs ?? (await Runs.of(deps.producer))).openPage(runId, page.manifestId);
  const jobId = await deps.producer.enqueue('page.fetched', {
    page,
    unchanged: existed,
    ...(runId === undefined ? {} : { runId }),
  });
  return { page, unchanged: existed, jobId };
}

/** The key of one fetch within a run: which source, which URL (with `{date}` expanded). */
export function fetchItem(sourceName: string, url: string): string {
  return `${sourceName}|${url}`;
}
