import type { AppMetrics } from '@paperwire/observability';
import { withLocks, type JobContext, type JobHandlers } from '@paperwire/queue';
import { paperIdFromTitle, type Paper } from '@paperwire/schema';
import type { SearchIndex, UpsertResult } from '@paperwire/search';
import type { Redis } from 'ioredis';

import { watchMatching, type WatchMatchingDeps } from './watches.js';

/** The records a write to `ids` may touch: the ids and the records their title ids were merged into. */
export async function recordsTouched(index: SearchIndex, ids: string[]): Promise<string[]> {
  const targets = await index.aliasTargets(ids);
  return [...new Set([...ids, ...targets.values()])].sort();
}

type Locked<T> = { done: true; value: T } | { done: false; keys: string[] };

export interface IndexerDeps {
  index: SearchIndex;
  /** Serializes read-merge-write per paper across indexer replicas (Meilisearch has no transactions). */
  locks: Redis;
  lockPrefix: string;
  lockTtlMs: number;
  metrics: AppMetrics;
  /** Standing queries: new papers are matched against them once written. Off when absent. */
  watches?: Omit<WatchMatchingDeps, 'index' | 'onMatches'>;
}

/**
 * papers.parsed and papers.sighted → merged into the index, the same way: a sighting carries the
 * papers of its page's last parse stamped with its own capture, so it commutes with every parse
 * and brings back papers the index lacks (a wiped or replaced index, a chunk that failed for good).
 */
export function indexerHandlers(deps: IndexerDeps): JobHandlers<'index'> {
  const withKeys = <T>(keys: string[], fn: () => Promise<T>) =>
    withLocks(deps.locks, keys, fn, {
      ttlMs: deps.lockTtlMs,
      waitMs: deps.lockTtlMs * 2,
      prefix: deps.lockPrefix,
    });

  /**
   * Locks every record a write to `ids` may touch: the ids themselves and the arXiv records
   * their title ids were merged into (a title-only sighting is written into that record). An
   * alias that appears while waiting for the locks means another record is now involved: the
   * locks are taken again with it.
   */
  const lock = async <T>(ids: string[], fn: () => Promise<T>): Promise<T> => {
    let keys = await lockKeys(ids);
    for (;;) {
      const held = keys;
      const outcome = await withKeys(held, async (): Promise<Locked<T>> => {
        const now = await lockKeys(ids);
        if (now.some((k) => !held.includes(k))) return { done: false, keys: now };
        return { done: true, value: await fn() };
      });
      if (outcome.done) return outcome.value;
      keys = outcome.keys;
    }
  };
  const lockKeys = (ids: string[]) => recordsTouched(deps.index, ids);

  /**
   * A paper's id and its title id: a title-only sighting and an arXiv sighting of the same paper
   * claim the same identity, so they must not merge concurrently; `lock` adds the record a title
   * id was merged into.
   */
  const matching = deps.watches
    ? watchMatching({
        ...deps.watches,
        index: deps.index,
        onMatches: (count) => deps.metrics.watchMatches.inc(count),
      })
    : undefined;
  const upsert = async ({ papers }: { papers: Paper[] }, ctx: JobContext): Promise<UpsertResult> => {
    const write = () =>
      lock(
        papers.flatMap((p) => [p.id, paperIdFromTitle(p.title)]),
        () => deps.index.upsert(papers),
      );
    const result = matching ? await matching(ctx.id, papers, write) : await write();
    deps.metrics.papersIndexed.inc({ result: 'created' }, result.created);
    deps.metrics.papersIndexed.inc({ result: 'updated' }, result.updated);
    deps.metrics.papersIndexed.inc({ result: 'unchanged' }, result.unchanged);
    return result;
  };

  return { 'papers.parsed': upsert, 'papers.sighted': upsert };
}
