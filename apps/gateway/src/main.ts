import type { AddressInfo } from 'node:net';

import { createLogger, createMetrics } from '@paperwire/observability';
import { onParentExit } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';
import { createSearchIndex, describeEngine, searchConfigOf } from '@paperwire/search';

import { QueueAccess } from './admin/queues.js';
import { createApp } from './app.js';
import { connectionLimitsOf, loadEnv, trustProxyWarning } from './env.js';
import { RedisRateLimiter } from './http/rate-limit.js';
import { createGatewayServer } from './http/server.js';

/** Connections still open this long after a shutdown signal are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

const env = loadEnv();
const logger = createLogger('gateway', env.LOG_LEVEL);
const metrics = createMetrics('gateway');
const trustWarning = trustProxyWarning(env.TRUST_PROXY);
if (trustWarning) logger.warn({ trustProxy: env.TRUST_PROXY }, trustWarning);
const engineConfig = {
  ...searchConfigOf(env),
  searchThreads: env.SEARCH_THREADS,
  searchQueueLimit: env.SEARCH_QUEUE_LIMIT,
  onSearchQueueDepth: (depth: number) => metrics.searchQueueDepth.set(depth),
};
const index = createSearchIndex(engineConfig);

try {
  await index.ensureSettings();
} catch (error) {
  // Search must come up even when the engine does not: /readyz reports it until it answers.
  logger.error(
    { err: error, engine: describeEngine(engineConfig) },
    'search engine unreachable at start; serving anyway',
  );
}

// Only admin and the rate limiter use Redis; search answers from the index whether Redis is up or not.
const queues = new QueueAccess({ redisUrl: env.REDIS_URL, prefix: env.QUEUE_PREFIX, logger });
const rateLimiter =
  env.RATE_LIMIT_PER_MINUTE > 0
    ? new RedisRateLimiter({
        redisUrl: env.REDIS_URL,
        prefix: env.QUEUE_PREFIX,
        limit: env.RATE_LIMIT_PER_MINUTE,
        logger,
      })
    : undefined;

const app = createApp({
  index,
  logger,
  metrics,
  admin: {
    token: env.ADMIN_TOKEN,
    queues,
    store: RawStore.inDataDir(env.DATA_DIR),
    logger,
    egress: { allowHosts: env.FETCH_ALLOW_HOSTS },
  },
  ...(rateLimiter ? { rateLimiter } : {}),
  trustProxy: env.TRUST_PROXY,
  corsOrigins: env.CORS_ORIGINS,
  searchCacheBytes: env.SEARCH_CACHE_MB * 1024 * 1024,
});
const connectionLimits = connectionLimitsOf(env);
const server = createGatewayServer(app, connectionLimits, logger);
server.listen(env.GATEWAY_PORT, env.GATEWAY_HOST);
server.once('error', (error) => {
  logger.fatal({ err: error, host: env.GATEWAY_HOST, port: env.GATEWAY_PORT }, 'cannot listen');
  void index.close().finally(() => process.exit(1));
});
server.once('listening', () => {
  const { port } = server.address() as AddressInfo;
  const host = env.GATEWAY_HOST.includes(':') ? `[${env.GATEWAY_HOST}]` : env.GATEWAY_HOST;
  logger.info(
    {
      url: `http://${host}:${port}/`,
      engine: describeEngine(engineConfig),
      admin: env.ADMIN_TOKEN ? 'enabled' : 'disabled (no ADMIN_TOKEN)',
      rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE || 'off',
      connectionLimits,
    },
    'gateway listening',
  );
});

let stopping = false;

async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    logger.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const forceClose = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would otherwise hold the server open until they time out.
    server.closeIdleConnections();
  });
  clearTimeout(forceClose);
  await Promise.all([index.close(), queues.close(), rateLimiter?.close()]);
  logger.info('stopped');
  // Everything this process opened is closed. Search threads started from source leave their
  // module loader's handles behind (the built app has none), which would keep the process up.
  process.exit();
}

const stop = (reason: string) => {
  shutdown(reason).catch((error: unknown) => {
    logger.error({ err: error }, 'shutdown failed');
    process.exitCode = 1;
  });
};
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, stop);
onParentExit(() => stop('parent exited'));
