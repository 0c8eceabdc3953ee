import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { freePort, repoRoot, tempDir, uniquePrefix, waitFor } from '@paperwire/testing';
import { expect, it } from 'vitest';

it('logs that its Redis connection cannot connect', async () => {
  const data = await tempDir('indexer-main');
  // Nothing listens there: every connection the indexer opens fails.
  const redisUrl = `redis://127.0.0.1:${await freePort()}`;
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join(repoRoot, 'apps/indexer/src/main.ts')],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        REDIS_URL: redisUrl,
        DATA_DIR: data.path,
        QUEUE_PREFIX: uniquePrefix('indexer-main'),
        METRICS_PORT: '0',
        LOG_LEVEL: 'info',
        // The embedded index under DATA_DIR.
        MEILI_URL: '',
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
    await waitFor(() => rolesLogged().has('client') || child.exitCode !== null, {
      what: 'the indexer to log a connection error of its lock client',
      timeoutMs: 30_000,
    });
    expect(child.exitCode, output).toBeNull();
    expect([...rolesLogged()]).toContain('client');
  } finally {
    child.kill('SIGKILL');
    await exited;
    await data.remove();
  }
});
