import {
  createLogger,
  createMetrics,
  serveMetrics,
  workerObserver,
  type Logger,
} from '@paperwire/observability';
import { Runs, SourceState, Watches, watchQueueDepths } from '@paperwire/pipeline';
import { createRedis, createWorker, Producer } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';
import { loadSources, type Source } from '@paperwire/sources';
import { Counter } from 'prom-client';

import { sourcesFileOf, userAgentOf, type FetcherEnv } from './env.js';
import { createDeliveryWorker } from './deliver.js';
import { handleFetch, settleFailedFetch, type FetchDeps } from './fetch-job.js';
import { createFetchAgent } from './http.js';
import { HostLimiter, type HostLimit } from './rate-limit.js';
import { applySchedules } from './schedules.js';
import { Validators } from './validators.js';

export interface RunningFetcher {
  logger: Logger;
  metricsPort: number;
  close(): Promise<void>;
}

/**
 * The fetcher: applies the sources file's schedules (once, under a lock shared with the other
 * replicas) and runs the `fetch` queue's worker, and the `deliver` queue's: webhooks are outbound
 * HTTP to addresses a user gave, under the same address policy and connection pool as fetches.
 */
export async function startFetcher(
  env: FetcherEnv,
  logger: Logger = createLogger('fetcher', env.LOG_LEVEL),
): Promise<RunningFetcher> {
  const metrics = createMetrics('fetcher');
  const refused = new Counter({
    name: 'paperwire_fetches_refused_total',
    help: 'Fetches refused by the fetch safety policy (forbidden address, scheme or file path); nothing was sent.',
    registers: [metrics.registry],
  });
  const store = RawStore.inDataDir(env.DATA_DIR);
  const producer = new Producer({
    connection: createRedis(env.REDIS_URL, 'producer', logger),
    prefix: env.QUEUE_PREFIX,
    logger,
  });
  const client = createRedis(env.REDIS_URL, 'client', logger);
  const policy = { allowHosts: env.FETCH_ALLOW_HOSTS };
  const dispatcher = createFetchAgent({
    connectTimeoutMs: env.FETCH_CONNECT_TIMEOUT_MS,
    idleTimeoutMs: env.FETCH_TIMEOUT_MS,
    policy,
  });

  const sourcesFile = sourcesFileOf(env);
  const sources: Source[] = sourcesFile ? (await loadSources(sourcesFile)).sources : [];
  if (sourcesFile) {
    const changes = await applySchedules({ producer, locks: client, prefix: env.QUEUE_PREFIX }, sources);
    logger.info(
      { sourcesFile, scheduled: changes.upserted, unscheduled: changes.removed },
      'schedules applied',
    );
  } else {
    logger.warn(
      'no sources file (SOURCES_FILE unset and infra/sources.local.yaml missing): nothing scheduled',
    );
  }

  const defaults: HostLimit = {
    intervalMs: env.FETCH_HOST_INTERVAL_MS,
    burst: env.FETCH_HOST_BURST,
    concurrency: env.FETCH_HOST_CONCURRENCY,
  };
  const hostLimit = (host: string) => strictestLimit(host, sources, defaults);

  const closing = new AbortController();
  const deps: FetchDeps = {
    closing: closing.signal,
    store,
    producer,
    runs: new Runs(client, env.QUEUE_PREFIX),
    state: new SourceState(client, env.QUEUE_PREFIX),
    validators: new Validators(client, env.QUEUE_PREFIX),
    limiter: new HostLimiter(client, env.QUEUE_PREFIX, env.FETCH_TIMEOUT_MS * 2),
    dispatcher,
    config: {
      timeoutMs: env.FETCH_TIMEOUT_MS,
      maxBytes: env.FETCH_MAX_BYTES,
      maxRedirects: env.FETCH_MAX_REDIRECTS,
      userAgent: userAgentOf(env),
      policy,
      fileRoots: env.FETCH_FILE_ROOTS,
      retryBaseMs: env.FETCH_RETRY_BASE_MS,
      maxRetryAfterMs: env.FETCH_MAX_RETRY_AFTER_MS,
      maxHostWaitMs: env.FETCH_MAX_HOST_WAIT_MS,
    },
    hostLimit,
    logger,
    fetched: metrics.pagesFetched,
    refused,
  };
  const worker = createWorker({
    queue: 'fetch',
    connection: createRedis(env.REDIS_URL, 'worker', logger),
    prefix: env.QUEUE_PREFIX,
    concurrency: env.WORKER_CONCURRENCY,
    lockMs: env.WORKER_LOCK_MS,
    logger,
    observer: workerObserver(metrics),
    handlers: { 'page.fetch': (job, ctx) => handleFetch(deps, job, ctx) },
    onFinalFailure: (failure) => settleFailedFetch(deps, failure),
  });
  const deliveryWorker = createDeliveryWorker(
    {
      watches: new Watches(client, env.QUEUE_PREFIX),
      policy,
      dispatcher,
      userAgent: userAgentOf(env),
      logger,
      deliveries: metrics.webhookDeliveries,
    },
    {
      connection: createRedis(env.REDIS_URL, 'worker', logger),
      prefix: env.QUEUE_PREFIX,
      concurrency: env.WORKER_CONCURRENCY,
      lockMs: env.WORKER_LOCK_MS,
      observer: workerObserver(metrics),
    },
  );

  const stopDepth = watchQueueDepths(producer, (queue, state, n) =>
    metrics.queueDepth.set({ queue, state }, n),
  );
  const metricsServer = await serveMetrics(metrics.registry, env.METRICS_PORT, { logger });
  logger.info(
    {
      queues: ['fetch', 'deliver'],
      metricsPort: metricsServer.port,
      concurrency: env.WORKER_CONCURRENCY,
      sources: sources.length,
    },
    'fetcher ready',
  );
  return {
    logger,
    metricsPort: metricsServer.port,
    async close() {
      stopDepth();
      // Fetches waiting for their host's turn are put off (delayed, no attempt used) rather than
      // waited for: the worker's close waits for every active job.
      closing.abort();
      await Promise.all([worker.close(), deliveryWorker.close()]);
      await producer.close();
      await dispatcher.close();
      client.disconnect();
      await metricsServer.close();
    },
  };
}

/**
 * The limit of `host`: each field from its sources' `rateLimit`s, the strictest where several
 * sources share the host, else from the defaults.
 */
export function strictestLimit(host: string, sources: Source[], defaults: HostLimit): HostLimit {
  const limits = sources.filter((s) => s.host === host && s.rateLimit).map((s) => s.rateLimit!);
  const pick = (values: (number | undefined)[], strictest: (...n: number[]) => number, fallback: number) => {
    const given = values.filter((v): v is number => v !== undefined);
    return given.length > 0 ? strictest(...given) : fallback;
  };
  return {
    intervalMs: pick(
      limits.map((l) => l.everyMs),
      Math.max,
      defaults.intervalMs,
    ),
    burst: pick(
      limits.map((l) => l.burst),
      Math.min,
      defaults.burst,
    ),
    concurrency: pick(
      limits.map((l) => l.concurrency),
      Math.min,
      defaults.concurrency,
    ),
  };
}
