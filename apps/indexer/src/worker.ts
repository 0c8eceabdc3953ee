import type { Logger } from '@paperwire/observability';
import { jobGivenUp, trackIndexing, type Runs } from '@paperwire/pipeline';
import { createWorker, type QueueOptions, type WorkerObserver } from '@paperwire/queue';

import { indexerHandlers, type IndexerDeps } from './handlers.js';

export interface IndexerWorkerOptions extends QueueOptions {
  /** WORKER_LOCK_MS; BullMQ's 30 s when absent. */
  lockMs?: number;
  concurrency: number;
  observer?: WorkerObserver;
}

/** The index queue's worker: each chunk written to the index and counted in its run. */
export function createIndexerWorker(
  deps: IndexerDeps & { runs: Runs; logger: Logger },
  opts: IndexerWorkerOptions,
): ReturnType<typeof createWorker> {
  return createWorker({
    queue: 'index',
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    lockMs: opts.lockMs,
    logger: deps.logger,
    observer: opts.observer,
    // Each chunk of a run is counted in the run once written: `paperwire ingest --wait` reads these.
    handlers: trackIndexing(indexerHandlers(deps), deps.runs),
    // A chunk given up for good, for whatever reason, is closed as failed in its run.
    onFinalFailure: (failure) => jobGivenUp(deps.runs, failure),
  });
}
