import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { createLogger, createMetrics, type AppMetrics } from '@paperwire/observability';
import type { Paper } from '@paperwire/schema';
import { createPooledSqliteIndex, createSqliteIndex, type SearchIndex } from '@paperwire/search';
import { tempDir, type TempDir } from '@paperwire/testing';

import { createApp, type AppDeps } from '../app.js';
import { createGatewayServer, DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from '../http/server.js';

export interface Running {
  base: string;
  close(): Promise<void>;
}

/**
 * The gateway over `index`, listening on a free loopback port, as main.ts serves it: with the
 * default connection limits unless `connectionLimits` changes some.
 */
export async function serve(
  deps: Partial<AppDeps> & { index: SearchIndex; connectionLimits?: Partial<ConnectionLimits> },
): Promise<Running> {
  const { connectionLimits, ...appDeps } = deps;
  const logger = deps.logger ?? createLogger('gateway-test', 'silent');
  const app = createApp({
    metrics: sharedMetrics(),
    readinessTimeoutMs: 1_000,
    ...appDeps,
    logger,
  });
  const server: Server = createGatewayServer(
    app,
    { ...DEFAULT_CONNECTION_LIMITS, ...connectionLimits },
    logger,
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

let metrics: AppMetrics | undefined;
/** prom-client registers metric names once per registry; one set serves every test app. */
export function sharedMetrics(): AppMetrics {
  metrics ??= createMetrics('gateway');
  return metrics;
}

export interface SeededIndex {
  index: SearchIndex;
  dir: TempDir;
  close(): Promise<void>;
}

/**
 * A real SQLite index in a fresh temp dir holding `papers`; with `searchThreads`, its searches
 * run on that many reader threads, as the gateway runs them.
 */
export async function seededSqliteIndex(
  papers: Paper[],
  options: { searchThreads?: number; searchQueueLimit?: number } = {},
): Promise<SeededIndex> {
  const dir = await tempDir('gateway-index');
  const path = join(dir.path, 'papers.sqlite');
  const index = options.searchThreads
    ? createPooledSqliteIndex({
        path,
        readers: options.searchThreads,
        queueLimit: options.searchQueueLimit ?? 64,
      })
    : createSqliteIndex({ path });
  await index.ensureSettings();
  await index.upsert(papers);
  return {
    index,
    dir,
    close: async () => {
      await index.close();
      await dir.remove();
    },
  };
}

export interface JsonAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export async function getJson<T = Record<string, unknown>>(
  url: string,
  init?: RequestInit,
): Promise<JsonAnswer<T>> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: T;
  try {
    body = JSON.parse(text) as T;
  } catch {
    throw new Error(`${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 300)}`);
  }
  return { status: response.status, headers: response.headers, body };
}
