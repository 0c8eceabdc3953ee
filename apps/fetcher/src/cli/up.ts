import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

import {
  describeRun,
  fetchSourcesNow,
  newRunId,
  Runs,
  RunTimeoutError,
  waitForRun,
  type RunState,
} from '@paperwire/pipeline';
import { createLogger } from '@paperwire/observability';
import { createRedis, Producer } from '@paperwire/queue';
import { loadSources } from '@paperwire/sources';

import { sourcesFileOf, type FetcherEnv } from '../env.js';
import { APPS, lastError, startApp, stopApps, type RunningApp } from './apps.js';
import { progressLine } from './progress.js';
import { redact, resolveRedis, type ResolvedRedis } from './redis.js';

export interface UpOptions {
  /** Fetch every enabled source once at start, rather than only on their schedules. */
  ingestSources: boolean;
  /** The sources file the fetcher schedules (and `up` fetches at start); default: SOURCES_FILE or the local one. */
  sourcesFile: string | undefined;
  env: FetcherEnv;
  /** Environment handed to the apps (the caller's, so they parse the same variables). */
  childEnv: NodeJS.ProcessEnv;
  out: (line: string) => void;
  /** How long `up` follows its first fetch of the sources before leaving it to run in the background. */
  ingestWaitMs?: number;
  /** Stops everything `up` started, as Ctrl-C does. */
  signal?: AbortSignal;
}

/**
 * The main job on one machine: Redis (found or started), the four apps as processes, every
 * enabled source fetched once and then on its schedule, search served until Ctrl-C, which stops
 * everything it started.
 */
export async function up(opts: UpOptions): Promise<number> {
  const { env, out } = opts;
  const redis = await resolveRedis(opts.childEnv.REDIS_URL ? env.REDIS_URL : undefined, env.DATA_DIR);
  out(`redis: ${redact(redis.url)} (${redisOrigin(redis)})`);

  const logDir = join(env.DATA_DIR, 'logs');
  const sourcesFile = opts.sourcesFile === undefined ? sourcesFileOf(env) : resolve(opts.sourcesFile);
  const childEnv = {
    ...opts.childEnv,
    REDIS_URL: redis.url,
    DATA_DIR: env.DATA_DIR,
    ...(sourcesFile === null ? {} : { SOURCES_FILE: sourcesFile }),
  };
  const base = `http://localhost:${env.GATEWAY_PORT}`;
  const apps: RunningApp[] = [];
  let stopping = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    out('stopping…');
    await stopApps(apps);
    await producer?.close().catch(() => undefined);
    await redis.stop?.();
    out('stopped');
    resolveDone(code);
  };
  const onSignal = () => void shutdown(0);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  opts.signal?.addEventListener('abort', onSignal, { once: true });

  let producer: Producer | undefined;
  try {
    const metricsPorts = workerMetricsPorts(opts.childEnv.METRICS_PORT);
    // Each app copes with a taken port by itself (a warning, no metrics); this says so up front.
    const busy = new Set<string>();
    for (const [name, port] of Object.entries(metricsPorts)) {
      if (port > 0 && (await portTaken(port))) {
        busy.add(name);
        out(
          `warn: metrics port ${port} is already in use: ${name} runs without metrics (set METRICS_PORT to move all three)`,
        );
      }
    }
    for (const name of APPS) {
      const port = metricsPorts[name as keyof typeof metricsPorts];
      const appEnv = port === undefined ? childEnv : { ...childEnv, METRICS_PORT: String(port) };
      const app = await startApp(name, appEnv, logDir);
      apps.push(app);
      void app.exited.then(async (code) => {
        if (stopping) return;
        const why = await lastError(app.logFile);
        out(`${name} exited unexpectedly (code ${code})${why ? `: ${why}` : ''}; its log: ${app.logFile}`);
        void shutdown(1);
      });
    }
    out(`apps: ${APPS.join(', ')} started; logs in ${logDir}`);
    const served = Object.entries(metricsPorts).filter(([name, port]) => port > 0 && !busy.has(name));
    if (served.length > 0) {
      out(
        `metrics: ${base}/metrics and ${served.map(([name, port]) => `${name} :${port}/metrics`).join(', ')}`,
      );
    }

    await waitUntilReady(`${base}/readyz`, 60_000, () => stopping);
    if (stopping) return await done;

    if (opts.ingestSources && sourcesFile !== null) {
      const sources = (await loadSources(sourcesFile)).sources.filter((s) => s.enabled);
      producer = openProducer(redis.url, env.QUEUE_PREFIX, out, env.LOG_LEVEL);
      const runs = new Runs(producer.connection, producer.prefix);
      const runId = newRunId('up');
      await fetchSourcesNow({ producer, runs }, sources, runId);
      out(
        `sources: ${sources.map((s) => s.name).join(', ') || 'none enabled'} (from ${sourcesFile}); fetching now`,
      );
      let last = '';
      const ingestWaitMs = opts.ingestWaitMs ?? 10 * 60_000;
      let state: RunState | null = null;
      try {
        state = await waitForRun(runs, runId, {
          timeoutMs: ingestWaitMs,
          onProgress: (s) => {
            const line = progressLine(s);
            if (line !== last) out(`pipeline: ${line}`);
            last = line;
          },
        });
      } catch (error) {
        if (!(error instanceof RunTimeoutError)) throw error;
        // A slow first fetch (a rate-limited host, a large backfill of sources) is no reason to
        // stop serving: the apps keep working on it.
        if (error.state) out(`pipeline: ${progressLine(error.state)}`);
        out(
          `run ${runId} is still going after ${Math.round(ingestWaitMs / 1000)} s; ` +
            "ingestion continues in the background (`paperwire sources` shows each source's last fetch)",
        );
      }
      if (state) {
        const stats = (await (await fetch(`${base}/v1/stats`)).json()) as { papers: number };
        const failed = state.failed + state.refused + state.pagesFailed + state.chunksFailed;
        out(
          `indexed: ${stats.papers} papers (this run: ${describeRun(state)})${failed ? `; see ${logDir}` : ''}`,
        );
      }
    }

    out('');
    out(`search is up: ${base}/`);
    out(`  try: curl '${base}/v1/search?q=LegoGCD&limit=3'`);
    out('press Ctrl-C to stop');
  } catch (error) {
    out(`error: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(1);
  }
  return await done;
}

/** `up`'s own producer, whose connection and queue errors reach the terminal as `warn: …` lines. */
export function openProducer(
  redisUrl: string,
  prefix: string,
  out: (line: string) => void,
  level = 'info',
): Producer {
  const logger = createLogger('up', level, {
    write(json: string) {
      try {
        const entry = JSON.parse(json) as { level?: string; msg?: string; err?: { message?: string } };
        const reason = entry.err?.message ? `: ${entry.err.message}` : '';
        out(`${entry.level ?? 'log'}: ${entry.msg ?? ''}${reason}`);
      } catch {
        out(json.trimEnd());
      }
    },
  });
  return new Producer({ connection: createRedis(redisUrl, 'producer', logger), prefix, logger });
}

/**
 * One metrics port per worker app, so the three can run on one host: METRICS_PORT (default
 * 9101) for the fetcher and the next two for the parser and indexer; 0 turns them off. The
 * gateway serves /metrics on its own port.
 */
export function workerMetricsPorts(value: string | undefined): {
  fetcher: number;
  parser: number;
  indexer: number;
} {
  const base = value === undefined || value === '' ? 9101 : Number(value);
  if (!Number.isInteger(base) || base < 0 || base > 65533) {
    throw new Error(`METRICS_PORT must be a port number (0 turns metrics off), not "${value}"`);
  }
  if (base === 0) return { fetcher: 0, parser: 0, indexer: 0 };
  return { fetcher: base, parser: base + 1, indexer: base + 2 };
}

/** Whether something already listens on `port` where the worker apps serve metrics. */
export function portTaken(port: number, host = '0.0.0.0'): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    probe.listen(port, host, () => probe.close(() => resolve(false)));
  });
}

function redisOrigin(redis: ResolvedRedis): string {
  switch (redis.origin) {
    case 'REDIS_URL':
      return 'from REDIS_URL';
    case 'localhost':
      return 'found on localhost';
    case 'started':
      return 'started by paperwire, data under DATA_DIR/redis';
  }
}

async function waitUntilReady(url: string, timeoutMs: number, cancelled: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cancelled()) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`gateway not ready at ${url} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
