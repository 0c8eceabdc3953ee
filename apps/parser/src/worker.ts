import type { Logger } from '@paperwire/observability';
import { jobGivenUp, pageParsed, type Runs, type SourceState } from '@paperwire/pipeline';
import { createWorker, type Producer, type QueueOptions, type WorkerObserver } from '@paperwire/queue';
import type { RawStore } from '@paperwire/rawstore';

import { handlePage } from './handle-page.js';

export interface ParserDeps {
  store: RawStore;
  producer: Producer;
  runs: Runs;
  sources: SourceState;
  logger: Logger;
}

export interface ParserWorkerOptions extends QueueOptions {
  /** WORKER_LOCK_MS; BullMQ's 30 s when absent. */
  lockMs?: number;
  concurrency: number;
  observer?: WorkerObserver;
}

/** The parse queue's worker: each page parsed, and accounted for in its run and its source. */
export function createParserWorker(
  deps: ParserDeps,
  opts: ParserWorkerOptions,
): ReturnType<typeof createWorker> {
  const { store, producer, runs, sources, logger } = deps;
  return createWorker({
    queue: 'parse',
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    lockMs: opts.lockMs,
    logger,
    observer: opts.observer,
    handlers: {
      'page.fetched': async (payload, ctx) => {
        const outcome = await handlePage({ store, producer }, payload);
        await pageParsed(runs, payload, outcome.jobIds);
        await sources.recordPapers(payload.page.sourceName, outcome.papers, new Date().toISOString());
        for (const warning of outcome.warnings) await ctx.log(warning);
        const { jobIds: _jobIds, ...summary } = outcome;
        logger.info(
          {
            jobId: ctx.id,
            runId: payload.runId,
            pageKey: payload.page.key,
            url: payload.page.url,
            ...summary,
          },
          'page parsed',
        );
        return outcome;
      },
    },
    // A page given up for good, for whatever reason, is closed as failed in its run.
    onFinalFailure: (failure) => jobGivenUp(runs, failure),
  });
}
