import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { freePort, repoRoot, tempDir, uniquePrefix, waitFor } from '@paperwire/testing';
import { expect, it } from 'vitest';

it('logs that its Redis connections cannot connect, for each role', async () => {
  const data = await tempDir('parser-main');
  // Nothing listens there: every connection the parser opens fails.
  const redisUrl = `redis://127.0.0.1:${await freePort()}`;
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join(repoRoot, 'apps/parser/src/main.ts')],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        REDIS_URL: redisUrl,
        DATA_DIR: data.path,
        QUEUE_PREFIX: uniquePrefix('parser-main'),
        METRICS_PORT: '0',
        LOG_LEVEL: 'info',
      },
      stdio: 'pipe',
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const rolesLogged = () =>
    new Set(
      output
        .split('\n')
        .slice(0, -1)
        .filter((line) => line.includes('"redis connection error"'))
        .map((line) => (JSON.parse(line) as { role?: string }).role),
    );
  try {
    // The roles log on their own schedules: wait for both, not for one and then assume the other.
    const bothLogged = () => rolesLogged().has('producer') && rolesLogged().has('client');
    await waitFor(() => bothLogged() || child.exitCode !== null, {
      what: 'the parser to log a connection error of its client and of its producer',
      timeoutMs: 30_000,
    });
    expect(child.exitCode, output).toBeNull();
    expect([...rolesLogged()]).toEqual(expect.arrayContaining(['client', 'producer']));
  } finally {
    child.kill('SIGKILL');
    await exited;
    await data.remove();
  }
});
