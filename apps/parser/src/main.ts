import { createLogger, createMetrics, serveMetrics, workerObserver } from '@paperwire/observability';
import { isFinalFailure, pageFailed, pageParsed, Runs, SourceState } from '@paperwire/pipeline';
import { createRedis, createWorker, onShutdown, Producer } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';

import { env } from './env.js';
import { handlePage } from './handle-page.js';

const logger = createLogger('parser', env.LOG_LEVEL);
const metrics = createMetrics('parser');
const store = RawStore.inDataDir(env.DATA_DIR);
const producer = new Producer({
  connection: createRedis(env.REDIS_URL, 'producer'),
  prefix: env.QUEUE_PREFIX,
});
const client = createRedis(env.REDIS_URL, 'client', logger);
const runs = new Runs(client, env.QUEUE_PREFIX);
const sources = new SourceState(client, env.QUEUE_PREFIX);

const worker = createWorker({
  queue: 'parse',
  connection: createRedis(env.REDIS_URL, 'worker'),
  prefix: env.QUEUE_PREFIX,
  concurrency: env.WORKER_CONCURRENCY,
  logger,
  observer: workerObserver(metrics),
  handlers: {
    'page.fetched': async (payload, ctx) => {
      let outcome;
      try {
        outcome = await handlePage({ store, producer }, payload);
      } catch (error) {
        if (isFinalFailure(error, ctx)) await pageFailed(runs, payload);
        throw error;
      }
      await pageParsed(runs, payload, outcome.jobIds);
      await sources.recordPapers(payload.page.sourceName, outcome.papers, new Date().toISOString());
      for (const warning of outcome.warnings) await ctx.log(warning);
      const { jobIds: _jobIds, ...summary } = outcome;
      logger.info(
        { jobId: ctx.id, runId: payload.runId, pageKey: payload.page.key, url: payload.page.url, ...summary },
        'page parsed',
      );
      return outcome;
    },
  },
});

const metricsServer = await serveMetrics(metrics.registry, env.METRICS_PORT);
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
