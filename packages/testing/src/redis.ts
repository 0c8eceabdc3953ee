import { spawn } from 'node:child_process';

import { Redis } from 'ioredis';

import { dockerEngineAnswers } from './docker.js';
import { testEnv } from './env.js';
import { tempDir } from './fs.js';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

export interface RedisHandle {
  url: string;
  via: 'REDIS_URL' | 'testcontainers' | 'redis-server';
  stop(): Promise<void>;
}

export const NO_REDIS_MESSAGE = [
  'no Redis available for tests. Any one of these works:',
  '  - set REDIS_URL=redis://127.0.0.1:6379 (a Redis you run; tests use unique key prefixes)',
  '  - install redis-server so it is on PATH: `sudo apt-get install redis-server` (Debian/Ubuntu),',
  '    `brew install redis` (macOS); the tests then start their own on a free port',
  '  - start a Docker engine; testcontainers then runs redis:7-alpine',
].join('\n');

/** True when a Redis at `url` answers PING within about a second; never throws. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * A Redis for tests: REDIS_URL when set, else a testcontainers Redis when a Docker engine answers,
 * else a `redis-server` from PATH on a free port with its files in a temp dir. Throws with
 * instructions when none of these is possible.
 */
export async function startRedis(): Promise<RedisHandle> {
  if (testEnv.REDIS_URL !== undefined) {
    const url = testEnv.REDIS_URL;
    if (!(await redisAnswers(url)))
      throw new Error(`REDIS_URL is set to ${url} but nothing answers PING there`);
    return { url, via: 'REDIS_URL', stop: async () => {} };
  }
  if (await dockerEngineAnswers()) return startContainer();
  const spawned = await startRedisServer();
  if (spawned) return spawned;
  throw new Error(NO_REDIS_MESSAGE);
}

async function startContainer(): Promise<RedisHandle> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('redis:7-alpine')
    .withExposedPorts(6379)
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no'])
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .start();
  const url = `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
  await waitFor(() => redisAnswers(url), { what: `Redis container at ${url}`, timeoutMs: 30_000 });
  return {
    url,
    via: 'testcontainers',
    stop: async () => {
      await container.stop();
    },
  };
}

type Outcome = { kind: 'ready' } | { kind: 'missing' } | { kind: 'exited'; detail: string };

const START_ATTEMPTS = 3;

/** Null when `redis-server` is not on PATH. */
async function startRedisServer(): Promise<RedisHandle | null> {
  let lastDetail = '';
  // The port is only known free until redis-server binds it; another process can take it first.
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    const port = await freePort();
    const dir = await tempDir('redis');
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir.path, '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);

    let failure: Outcome | undefined;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        failure ??= { kind: 'exited', detail: `exited with ${signal ?? `code ${code}`}` };
        resolve();
      });
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      failure = err.code === 'ENOENT' ? { kind: 'missing' } : { kind: 'exited', detail: err.message };
    });
    const url = `redis://127.0.0.1:${port}`;
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);

    const outcome = await waitFor<Outcome | null>(
      async () => failure ?? ((await redisAnswers(url)) ? { kind: 'ready' } : null),
      { what: `redis-server on port ${port} to answer PING`, timeoutMs: 15_000, intervalMs: 50 },
    ).catch((err: unknown): Outcome => ({ kind: 'exited', detail: String(err) }));

    if (outcome.kind === 'ready') {
      return {
        url,
        via: 'redis-server',
        stop: async () => {
          process.off('exit', killOnExit);
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const forced = setTimeout(() => child.kill('SIGKILL'), 5000);
            await exited;
            clearTimeout(forced);
          }
          await dir.remove();
        },
      };
    }
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill('SIGKILL');
      await exited;
    }
    await dir.remove();
    if (outcome.kind === 'missing') return null;
    lastDetail = `${outcome.detail}\n${output.trim()}`;
    if (!/address already in use/i.test(output)) break;
  }
  throw new Error(`redis-server from PATH did not start: ${lastDetail}`);
}
