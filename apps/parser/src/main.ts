import { createLogger, createMetrics, serveMetrics, workerObserver } from '@paperwire/observability';
import { createRedis, createWorker, onShutdown, Producer } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';

import { env } from './env.js';
import { handlePage } from './handle-page.js';

const logger = createLogger('parser', env.LOG_LEVEL);
const metrics = createMetrics('parser');
const store = RawStore.inDataDir(env.DATA_DIR);
const producer = new Producer({ connection: createRedis(env.REDIS_URL, 'producer'), prefix: env.QUEUE_PREFIX });

const worker = createWorker({
  queue: 'parse',
  connection: createRedis(env.REDIS_URL, 'worker'),
  prefix: env.QUEUE_PREFIX,
  concurrency: env.WORKER_CONCURRENCY,
  logger,
  observer: workerObserver(metrics),
  handlers: {
    'page.fetched': async (payload, ctx) => {
      const outcome = await handlePage({ store, producer }, payload);
      for (const warning of outcome.warnings) await ctx.log(warning);
      logger.info({ jobId: ctx.id, pageKey: payload.page.key, url: payload.page.url, ...outcome }, 'page parsed');
      return outcome;
    },
  },
});

const metricsServer = await serveMetrics(metrics.registry, env.METRICS_PORT);
logger.info({ queue: 'parse', metricsPort: metricsServer.port, concurrency: env.WORKER_CONCURRENCY }, 'parser ready');

onShutdown(logger, async () => {
  await worker.close();
  await producer.close();
  await metricsServer.close();
});
