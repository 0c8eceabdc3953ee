import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

import { createLogger } from '@paperwire/observability';
import { createRedis, Producer } from '@paperwire/queue';
import { freePort, tempDir, uniquePrefix, waitFor, type TempDir } from '@paperwire/testing';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';

import { loadEnv } from '../env.js';
import { startFetcher } from '../fetcher.js';
import { up } from './up.js';

/** Listens on `port` where the worker apps serve metrics, as another program holding it would. */
async function occupy(port: number): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve());
  });
  return server;
}

function release(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port whose next two are free too: METRICS_PORT for the three workers `up` starts. */
async function freePortRun(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = await freePort();
    if (base > 65_533) continue;
    const held: Server[] = [];
    try {
      for (const port of [base, base + 1, base + 2]) held.push(await occupy(port));
      return base;
    } catch {
      // One of the three is taken: try another base.
    } finally {
      await Promise.all(held.map(release));
    }
  }
  throw new Error('no three consecutive free ports found');
}

describe('a worker whose metrics port is taken', () => {
  let data: TempDir;
  let taken: Server | undefined;

  beforeEach(async () => {
    data = await tempDir('metrics-port');
  });

  afterEach(async () => {
    if (taken) await release(taken);
    taken = undefined;
    await data.remove();
  });

  it('starts without metrics and logs a warning naming the port', async () => {
    const port = await freePort();
    taken = await occupy(port);
    const sourcesFile = join(data.path, 'sources.yaml');
    await writeFile(sourcesFile, 'sources: []\n');
    const lines: string[] = [];
    const prefix = uniquePrefix('metrics-port');
    const producer = new Producer({ connection: createRedis(inject('redisUrl'), 'producer'), prefix });
    const fetcher = await startFetcher(
      loadEnv({
        REDIS_URL: inject('redisUrl'),
        DATA_DIR: data.path,
        QUEUE_PREFIX: prefix,
        SOURCES_FILE: sourcesFile,
        METRICS_PORT: String(port),
        MEILI_URL: '',
      }),
      createLogger('fetcher', 'info', { write: (line: string) => void lines.push(line) }),
    );
    try {
      expect(fetcher.metricsPort).toBe(0);
      const logged = lines.map((line) => JSON.parse(line) as { level: string; msg: string });
      expect(logged).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          msg: expect.stringMatching(new RegExp(`^metrics port ${port} is already in use .*running without metrics`)),
        }),
      );
      expect(logged.some((l) => l.msg === 'fetcher ready')).toBe(true);
      // It goes on working: its worker takes jobs. (Closed only once connected, as a running one is.)
      await waitFor(async () => (await producer.queue('fetch').getWorkersCount()) > 0, {
        what: "the fetcher's worker to connect",
      });
    } finally {
      await fetcher.close();
      await producer.close();
      producer.connection.disconnect();
    }
  });

  it('does not stop `up`: the stack serves, and that worker runs without metrics', async () => {
    const base = await freePortRun();
    // The parser's port (METRICS_PORT + 1).
    taken = await occupy(base + 1);
    const gatewayPort = await freePort();
    const sourcesFile = join(data.path, 'sources.yaml');
    await writeFile(sourcesFile, 'sources: []\n');
    const vars = {
      REDIS_URL: inject('redisUrl'),
      DATA_DIR: data.path,
      QUEUE_PREFIX: uniquePrefix('metrics-port-up'),
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_HOST: '127.0.0.1',
      METRICS_PORT: String(base),
      MEILI_URL: '',
      LOG_LEVEL: 'info',
      SOURCES_FILE: sourcesFile,
    };
    const lines: string[] = [];
    const stop = new AbortController();
    let exitCode: number | undefined;
    const running = up({
      ingestSources: false,
      sourcesFile,
      env: loadEnv(vars),
      childEnv: { ...process.env, ...vars },
      out: (line) => void lines.push(line),
      signal: stop.signal,
    }).then((code) => (exitCode = code));

    const parserLog = join(data.path, 'logs', 'parser.log');
    try {
      await waitFor(() => lines.some((l) => l.startsWith('search is up')) || exitCode !== undefined, {
        what: 'up to say search is up',
        timeoutMs: 90_000,
      });
      expect(exitCode, lines.join('\n')).toBeUndefined();
      expect(lines).toContain(
        `warn: metrics port ${base + 1} is already in use: parser runs without metrics (set METRICS_PORT to move all three)`,
      );
      const metricsLine = lines.find((l) => l.startsWith('metrics: '));
      expect(metricsLine).toContain(`fetcher :${base}/metrics`);
      expect(metricsLine).not.toContain('parser');

      // The parser itself said why, and is ready: it kept going.
      const log = await waitFor(
        async () => {
          const text = await readFile(parserLog, 'utf8');
          return text.includes('"parser ready"') ? text : null;
        },
        { what: 'the parser to log that it is ready', timeoutMs: 60_000 },
      );
      expect(log).toContain(`metrics port ${base + 1} is already in use (EADDRINUSE): running without metrics`);
      // The other workers serve theirs.
      await waitFor(async () => (await fetch(`http://127.0.0.1:${base + 2}/healthz`)).ok, {
        what: "the indexer's metrics server",
        timeoutMs: 60_000,
      });
      expect(lines.some((l) => /exited unexpectedly/.test(l))).toBe(false);
      expect(exitCode).toBeUndefined();
    } finally {
      stop.abort();
      await running;
    }
    expect(exitCode, lines.join('\n')).toBe(0);
  });
});
