import { createLogger, createMetrics, serveMetrics, workerObserver } from '@paperwire/observability';
import { Runs, SourceState } from '@paperwire/pipeline';
import { createRedis, onShutdown, Producer } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';

import { env } from './env.js';
import { createParserWorker } from './worker.js';

const logger = createLogger('parser', env.LOG_LEVEL);
const metrics = createMetrics('parser');
const store = RawStore.inDataDir(env.DATA_DIR);
const producer = new Producer({
  connection: createRedis(env.REDIS_URL, 'producer', logger),
  prefix: env.QUEUE_PREFIX,
  logger,
});
const client = createRedis(env.REDIS_URL, 'client', logger);
const runs = new Runs(client, env.QUEUE_PREFIX);
const sources = new SourceState(client, env.QUEUE_PREFIX);

const worker = createParserWorker(
  { store, producer, runs, sources, logger },
  {
    connection: createRedis(env.REDIS_URL, 'worker', logger),
    prefix: env.QUEUE_PREFIX,
    concurrency: env.WORKER_CONCURRENCY,
    lockMs: env.WORKER_LOCK_MS,
    observer: workerObserver(metrics),
  },
);

const metricsServer = await serveMetrics(metrics.registry, env.METRICS_PORT, { logger });
logger.info(
  { queue: 'parse', metricsPort: metricsServer.port, concurrency: env.WORKER_CONCURRENCY },
  'parser ready',
);

onShutdown(logger, async () => {
  await worker.close();
  await producer.close();
  client.disconnect();
  await metricsServer.close();
});
