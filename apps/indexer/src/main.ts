import { createLogger, createMetrics, serveMetrics, workerObserver } from '@paperwire/observability';
import { Runs, trackIndexing } from '@paperwire/pipeline';
import { createRedis, createWorker, onShutdown } from '@paperwire/queue';
import { createSearchIndex, describeEngine } from '@paperwire/search';

import { env } from './env.js';
import { indexerHandlers } from './handlers.js';

const logger = createLogger('indexer', env.LOG_LEVEL);
const metrics = createMetrics('indexer');
const searchConfig = {
  meiliUrl: env.MEILI_URL,
  meiliMasterKey: env.MEILI_MASTER_KEY,
  meiliIndex: env.MEILI_INDEX,
  dataDir: env.DATA_DIR,
};
const index = createSearchIndex(searchConfig);
// Settings before documents: a worker that cannot reach its engine does not take jobs.
await index.ensureSettings();

const locks = createRedis(env.REDIS_URL, 'client');
const worker = createWorker({
  queue: 'index',
  connection: createRedis(env.REDIS_URL, 'worker'),
  prefix: env.QUEUE_PREFIX,
  concurrency: env.WORKER_CONCURRENCY,
  logger,
  observer: workerObserver(metrics),
  // Each chunk of a run is counted in the run once written: `paperwire ingest --wait` reads these.
  handlers: trackIndexing(
    indexerHandlers({
      index,
      locks,
      lockPrefix: `${env.QUEUE_PREFIX}:lock:paper:`,
      lockTtlMs: env.INDEX_LOCK_TTL_MS,
      metrics,
    }),
    new Runs(locks, env.QUEUE_PREFIX),
  ),
});

const metricsServer = await serveMetrics(metrics.registry, env.METRICS_PORT);
logger.info({ queue: 'index', engine: describeEngine(searchConfig), metricsPort: metricsServer.port }, 'indexer ready');

onShutdown(logger, async () => {
  await worker.close();
  locks.disconnect();
  await index.close();
  await metricsServer.close();
});
