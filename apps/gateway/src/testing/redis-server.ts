import { spawn } from 'node:child_process';
import { once } from 'node:events';

import { freePort, redisAnswers, tempDir, waitFor } from '@paperwire/testing';

export interface OwnRedis {
  url: string;
  /** Freezes the server (SIGSTOP): connections stay open, commands get no answer. */
  pause(): void;
  resume(): void;
  /** Stops the server (SIGTERM) and waits until it exited. */
  stop(): Promise<void>;
}

/**
 * A `redis-server` of the test's own, for tests that take Redis away. The shared test Redis
 * (`inject('redisUrl')`) must stay up for every other suite.
 */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = await tempDir('gateway-redis');
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir.path, '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  // `once` also rejects on 'error', which spawnError reports.
  const exited = once(child, 'exit').catch(() => undefined);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const url = `redis://127.0.0.1:${port}`;
  const started = await Promise.race([
    waitFor(() => redisAnswers(url), { what: `redis-server on port ${port}`, timeoutMs: 15_000 }).then(
      () => null,
    ),
    spawnError,
  ]);
  if (started instanceof Error) {
    process.off('exit', killOnExit);
    await dir.remove();
    throw new Error(
      `cannot start redis-server (${started.message}); install it: apt-get install -y redis-server`,
    );
  }
  let stopped = false;
  return {
    url,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
      }
      await exited;
      await dir.remove();
    },
  };
}
