import { createLogger, createMetrics, serveMetrics, workerObserver } from '@paperwire/observability';
import { Runs, Watches } from '@paperwire/pipeline';
import { createRedis, onShutdown, Producer } from '@paperwire/queue';
import { createSearchIndex, describeEngine, searchConfigOf, type SearchIndex } from '@paperwire/search';

import { env } from './env.js';
import { createIndexerWorker } from './worker.js';

const logger = createLogger('indexer', env.LOG_LEVEL);
const metrics = createMetrics('indexer');
const searchConfig = searchConfigOf(env);
// Settings before documents: a worker that cannot reach its engine does not take jobs.
const index = await openIndex();

const locks = createRedis(env.REDIS_URL, 'client', logger);
// Queues the deliveries of watch matches (the `deliver` queue, consumed by the fetcher).
const producer = new Producer({ connection: locks, prefix: env.QUEUE_PREFIX, logger });
const worker = createIndexerWorker(
  {
    index,
    locks,
    lockPrefix: `${env.QUEUE_PREFIX}:lock:paper:`,
    lockTtlMs: env.INDEX_LOCK_TTL_MS,
    metrics,
    runs: new Runs(locks, env.QUEUE_PREFIX),
    logger,
    watches: {
      watches: new Watches(locks, env.QUEUE_PREFIX),
      producer,
      redis: locks,
      prefix: env.QUEUE_PREFIX,
      logger,
    },
  },
  {
    connection: createRedis(env.REDIS_URL, 'worker', logger),
    prefix: env.QUEUE_PREFIX,
    concurrency: env.INDEX_CONCURRENCY,
    lockMs: env.WORKER_LOCK_MS,
    observer: workerObserver(metrics),
  },
);

const metricsServer = await serveMetrics(metrics.registry, env.METRICS_PORT, { logger });
logger.info(
  { queue: 'index', engine: describeEngine(searchConfig), metricsPort: metricsServer.port },
  'indexer ready',
);

onShutdown(logger, async () => {
  await worker.close();
  await producer.close();
  locks.disconnect();
  await index.close();
  await metricsServer.close();
});

/** The index, its settings applied; an index that cannot be opened stops the indexer, saying why. */
async function openIndex(): Promise<SearchIndex> {
  try {
    const opened = createSearchIndex(searchConfig);
    await opened.ensureSettings();
    return opened;
  } catch (error) {
    logger.fatal({ err: error, engine: describeEngine(searchConfig) }, (error as Error).message);
    process.exit(1);
  }
}
