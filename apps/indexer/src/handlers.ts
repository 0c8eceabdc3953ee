import type { AppMetrics } from '@paperwire/observability';
import { withLocks, type JobHandlers } from '@paperwire/queue';
import { paperIdFromTitle } from '@paperwire/schema';
import type { SearchIndex } from '@paperwire/search';
import type { Redis } from 'ioredis';

export interface IndexerDeps {
  index: SearchIndex;
  /** Serializes read-merge-write per paper across indexer replicas (Meilisearch has no transactions). */
  locks: Redis;
  lockPrefix: string;
  lockTtlMs: number;
  metrics: AppMetrics;
}

/** papers.parsed → merged into the index; papers.sighted → lastSeenAt advanced. */
export function indexerHandlers(deps: IndexerDeps): JobHandlers<'index'> {
  const lock = <T>(ids: string[], fn: () => Promise<T>) =>
    withLocks(deps.locks, ids, fn, { ttlMs: deps.lockTtlMs, waitMs: deps.lockTtlMs * 2, prefix: deps.lockPrefix });

  return {
    'papers.parsed': async ({ papers }) => {
      // A paper's id and its title id: a title-only sighting and an arXiv sighting of the same
      // paper claim the same identity, so they must not merge concurrently.
      const result = await lock(
        papers.flatMap((p) => [p.id, paperIdFromTitle(p.title)]),
        () => deps.index.upsert(papers),
      );
      deps.metrics.papersIndexed.inc({ result: 'created' }, result.created);
      deps.metrics.papersIndexed.inc({ result: 'updated' }, result.updated);
      deps.metrics.papersIndexed.inc({ result: 'unchanged' }, result.unchanged);
      return result;
    },
    'papers.sighted': async ({ ids, url, capturedAt }) => {
      const result = await lock(ids, () => deps.index.recordSightings(ids, url, capturedAt));
      deps.metrics.papersIndexed.inc({ result: 'sighted' }, result.updated);
      return result;
    },
  };
}
