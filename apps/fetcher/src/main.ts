import { createLogger, createMetrics, serveMetrics, workerObserver } from '@paperwire/observability';
import { createRedis, createWorker, onShutdown, Producer } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';

import { archivePage, watchQueueDepths } from '@paperwire/pipeline';
import { loadEnv } from './env.js';
import { fetchPage } from './http.js';

const env = loadEnv();
const logger = createLogger('fetcher', env.LOG_LEVEL);
const metrics = createMetrics('fetcher');
const store = RawStore.inDataDir(env.DATA_DIR);
const producer = new Producer({ connection: createRedis(env.REDIS_URL, 'producer'), prefix: env.QUEUE_PREFIX });

const worker = createWorker({
  queue: 'fetch',
  connection: createRedis(env.REDIS_URL, 'worker'),
  prefix: env.QUEUE_PREFIX,
  concurrency: env.WORKER_CONCURRENCY,
  logger,
  observer: workerObserver(metrics),
  handlers: {
    'page.fetch': async (job, ctx) => {
      const fetched = await fetchPage(job.url, {
        timeoutMs: env.FETCH_TIMEOUT_MS,
        maxBytes: env.FETCH_MAX_BYTES,
        userAgent: env.FETCH_USER_AGENT,
      });
      const archived = await archivePage({ store, producer }, fetched.body, {
        url: job.url,
        sourceName: job.sourceName,
        capturedAt: job.capturedAt ?? new Date().toISOString(),
        contentType: fetched.contentType,
        formatHint: job.formatHint,
      });
      metrics.pagesFetched.inc({ result: archived.unchanged ? 'unchanged' : 'new' });
      logger.info(
        { jobId: ctx.id, pageKey: archived.page.key, url: job.url, bytes: fetched.body.length, unchanged: archived.unchanged },
        'page fetched',
      );
      return { pageKey: archived.page.key, unchanged: archived.unchanged };
    },
  },
});

const stopDepth = watchQueueDepths(producer, (queue, state, n) => metrics.queueDepth.set({ queue, state }, n));
const metricsServer = await serveMetrics(metrics.registry, env.METRICS_PORT);
logger.info({ queue: 'fetch', metricsPort: metricsServer.port, concurrency: env.WORKER_CONCURRENCY }, 'fetcher ready');

onShutdown(logger, async () => {
  stopDepth();
  await worker.close();
  await producer.close();
  await metricsServer.close();
});
