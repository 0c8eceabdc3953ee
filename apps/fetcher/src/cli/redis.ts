import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { Redis } from 'ioredis';

export interface ResolvedRedis {
  url: string;
  /** How it was found, for the start-up message. */
  origin: 'REDIS_URL' | 'localhost' | 'started';
  /** Set when this process started the server: stops it cleanly (AOF flushed). */
  stop?: () => Promise<void>;
}

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/**
 * REDIS_URL when given; else a Redis answering on localhost:6379; else a `redis-server` from
 * PATH with its data under `${dataDir}/redis` (AOF on, noeviction, as BullMQ needs).
 */
export async function resolveRedis(
  configuredUrl: string | undefined,
  dataDir: string,
): Promise<ResolvedRedis> {
  if (configuredUrl) {
    if (!(await answersPing(configuredUrl))) {
      throw new RedisUnavailableError(`REDIS_URL=${redact(configuredUrl)} does not answer PING`);
    }
    return { url: configuredUrl, origin: 'REDIS_URL' };
  }
  const local = 'redis://127.0.0.1:6379';
  if (await answersPing(local)) return { url: local, origin: 'localhost' };

  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error) {
    throw new RedisUnavailableError(
      [
        'paperwire needs Redis, and none answers on 127.0.0.1:6379 and no redis-server is on PATH.',
        'Either:',
        '  - install it: sudo apt-get install redis-server   (macOS: brew install redis), then run this again;',
        '  - point at one: REDIS_URL=redis://host:6379 pnpm start;',
        '  - or run the whole stack in containers: docker compose up',
      ].join('\n'),
    );
  }
  const dir = join(dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--logfile',
      join(dir, 'redis.log'),
    ],
    // Out of the terminal's process group: Ctrl-C must not stop Redis before the apps are done with it.
    { stdio: 'ignore', detached: true },
  );
  const url = `redis://127.0.0.1:${port}`;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 15_000;
  while (!(await answersPing(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new RedisUnavailableError(`redis-server did not start; see ${join(dir, 'redis.log')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, origin: 'started', stop: () => stopChild(child, exited) };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function answersPing(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function redact(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
