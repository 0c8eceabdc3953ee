import type { Producer } from '@paperwire/queue';
import type { RawPageMeta, RawStore } from '@paperwire/rawstore';
import type { RawPageRef } from '@paperwire/schema';

export interface Archived {
  page: RawPageRef;
  /** The same body was already archived: the parser records a sighting instead of parsing again. */
  unchanged: boolean;
  jobId: string;
}

/**
 * Archives a page body and announces it to the parser. The one way a page enters the pipeline,
 * for fetched URLs and local files alike: only the raw store's key travels through the queue.
 */
export async function archivePage(
  deps: { store: RawStore; producer: Producer },
  body: Uint8Array,
  meta: RawPageMeta,
): Promise<Archived> {
  const { page, existed } = await deps.store.put(body, meta);
  const jobId = await deps.producer.enqueue('page.fetched', { page, unchanged: existed });
  return { page, unchanged: existed, jobId };
}
