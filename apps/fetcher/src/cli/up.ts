import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { createRedis, Producer } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';
import { FormatSchema, IsoDateTimeSchema } from '@paperwire/schema';
import { z } from 'zod';

import type { FetcherEnv } from '../env.js';
import { APPS, repoRoot, startApp, stopApps, type RunningApp } from './apps.js';
import { ingest, waitForIdle } from '@paperwire/pipeline';
import { redact, resolveRedis, type ResolvedRedis } from './redis.js';

/** `infra/digests/digests.json`: the bundled digests and when each was captured. */
const DigestListSchema = z.array(
  z.object({
    file: z.string().min(1),
    capturedAt: IsoDateTimeSchema,
    source: z.string().min(1),
    format: FormatSchema.nullable().default(null),
  }),
);

export interface UpOptions {
  ingestBundled: boolean;
  digestsDir: string;
  env: FetcherEnv;
  /** Environment handed to the apps (the caller's, so they parse the same variables). */
  childEnv: NodeJS.ProcessEnv;
  out: (line: string) => void;
}

/**
 * The main job on one machine: Redis (found or started), the four apps as processes, the
 * bundled digests ingested, search served until Ctrl-C, which stops everything it started.
 */
export async function up(opts: UpOptions): Promise<number> {
  const { env, out } = opts;
  const redis = await resolveRedis(opts.childEnv.REDIS_URL ? env.REDIS_URL : undefined, env.DATA_DIR);
  out(`redis: ${redact(redis.url)} (${redisOrigin(redis)})`);

  const logDir = join(env.DATA_DIR, 'logs');
  const childEnv = { ...opts.childEnv, REDIS_URL: redis.url, DATA_DIR: env.DATA_DIR };
  const apps: RunningApp[] = [];
  let stopping = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    out('stopping…');
    await stopApps(apps);
    await producer?.close().catch(() => undefined);
    await redis.stop?.();
    out('stopped');
    resolveDone(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  let producer: Producer | undefined;
  try {
    for (const name of APPS) {
      const app = await startApp(name, childEnv, logDir);
      apps.push(app);
      void app.exited.then((code) => {
        if (stopping) return;
        out(`${name} exited unexpectedly (code ${code}); its log: ${app.logFile}`);
        void shutdown(1);
      });
    }
    out(`apps: ${APPS.join(', ')} started; logs in ${logDir}`);

    const base = `http://localhost:${env.GATEWAY_PORT}`;
    await waitUntilReady(`${base}/readyz`, 60_000, () => stopping);
    if (stopping) return await done;

    if (opts.ingestBundled) {
      producer = new Producer({ connection: createRedis(redis.url, 'producer'), prefix: env.QUEUE_PREFIX });
      const store = RawStore.inDataDir(env.DATA_DIR);
      const digests = DigestListSchema.parse(
        JSON.parse(await readFile(join(opts.digestsDir, 'digests.json'), 'utf8')),
      );
      for (const d of digests) {
        await ingest({ store, producer }, [join(opts.digestsDir, d.file)], {
          capturedAt: d.capturedAt,
          sourceName: d.source,
          formatHint: d.format,
        }, (r) => out(`ingest: ${r.target}: ${r.outcome}`));
      }
      let last = -1;
      const state = await waitForIdle(producer, {
        timeoutMs: 10 * 60_000,
        onProgress: (s) => {
          if (s.pending !== last) out(`pipeline: ${s.pending} jobs pending`);
          last = s.pending;
        },
      });
      const stats = (await (await fetch(`${base}/v1/stats`)).json()) as { papers: number };
      out(`indexed: ${stats.papers} papers${state.failed ? `; ${state.failed} failed jobs (see ${logDir})` : ''}`);
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

export const defaultDigestsDir = join(repoRoot, 'infra', 'digests');
