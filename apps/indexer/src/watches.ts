import type { Logger } from '@paperwire/observability';
import { stateKeys, type Watches } from '@paperwire/pipeline';
import type { Producer } from '@paperwire/queue';
import type { JobInput, Paper, PaperId } from '@paperwire/schema';
import { paperMatches, watchMatcher, type SearchIndex } from '@paperwire/search';
import type { Redis } from 'ioredis';

export interface WatchMatchingDeps {
  index: SearchIndex;
  watches: Watches;
  producer: Producer;
  redis: Redis;
  prefix: string;
  logger: Logger;
  /** Counts the matches queued. */
  onMatches?: (count: number) => void;
}

/** A pending job's candidates outlive any retry schedule, not the deployment. */
const PENDING_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Matches the papers an index job creates against every watch, and queues a delivery per match.
 *
 * A paper is matched once, when the upsert that creates it has committed (`UpsertResult.newIds`);
 * an update never counts, even one that first makes a paper match. So that a worker killed between
 * the commit and the queueing loses no delivery, the papers the chunk may create (those absent
 * from the index before the write) are noted in Redis under the job's id first: an attempt that
 * finds such a note delivers those of them the index now holds, whether this attempt created them
 * or an earlier one did. Deliveries have a job id per watch and paper, so a paper delivered twice
 * that way is queued once.
 */
export function watchMatching(deps: WatchMatchingDeps) {
  return async <T extends { newIds: PaperId[] }>(
    jobId: string,
    papers: Paper[],
    write: () => Promise<T>,
  ): Promise<T> => {
    if (!(await deps.watches.any())) return write();
    const pendingKey = stateKeys.watchPending(deps.prefix, jobId);
    const earlier = await deps.redis.smembers(pendingKey);
    const candidates: PaperId[] = [];
    for (const id of new Set(papers.map((p) => p.id)))
      if ((await deps.index.resolve(id)) === null) candidates.push(id);
    if (candidates.length > 0)
      await deps.redis
        .multi()
        .sadd(pendingKey, ...candidates)
        .pexpire(pendingKey, PENDING_TTL_MS)
        .exec();

    const result = await write();

    const ids = [...new Set([...result.newIds, ...earlier])];
    if (ids.length > 0) await queueMatches(deps, ids);
    if (candidates.length > 0 || earlier.length > 0) await deps.redis.del(pendingKey);
    return result;
  };
}

async function queueMatches(deps: WatchMatchingDeps, ids: PaperId[]): Promise<void> {
  const papers = new Map<PaperId, Paper>();
  for (const id of ids) {
    const found = await deps.index.resolve(id);
    const paper = found && 'movedTo' in found ? await deps.index.get(found.movedTo) : found?.paper;
    if (paper) papers.set(paper.id, paper);
  }
  if (papers.size === 0) return;
  const deliveries: JobInput<'watch.deliver'>[] = [];
  for (const watch of await deps.watches.list()) {
    let matcher;
    try {
      matcher = watchMatcher(watch.query, watch.filters);
    } catch (error) {
      deps.logger.error({ err: error, watchId: watch.id }, 'watch has filters no search takes; skipped');
      continue;
    }
    for (const paper of papers.values())
      if (paperMatches(paper, matcher)) deliveries.push({ watchId: watch.id, paper });
  }
  if (deliveries.length === 0) return;
  await deps.producer.enqueueMany('watch.deliver', deliveries);
  deps.onMatches?.(deliveries.length);
  deps.logger.info({ papers: papers.size, deliveries: deliveries.length }, 'watch matches queued');
}
