import { existsSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { freePort, repoRoot, tempDir, uniquePrefix, waitFor } from './index.js';

describe('waitFor', () => {
  it('returns the first truthy value of the probe', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? { calls } : null), {
      what: 'three calls',
      intervalMs: 1,
    });
    expect(value).toEqual({ calls: 3 });
  });

  it('treats a throwing probe as not ready yet', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls += 1;
        if (calls < 2) throw new Error('not yet');
        return 'done';
      },
      { what: 'second call', intervalMs: 1 },
    );
    expect(value).toBe('done');
  });

  it('names the condition, the timeout and the last value when it gives up', async () => {
    await expect(waitFor(() => 0, { what: 'a miracle', timeoutMs: 30, intervalMs: 5 })).rejects.toThrow(
      /^timed out after 30ms waiting for a miracle; last value: 0$/,
    );
    await expect(
      waitFor(
        () => {
          throw new Error('boom');
        },
        { what: 'a miracle', timeoutMs: 30, intervalMs: 5 },
      ),
    ).rejects.toThrow(/last error: Error: boom/);
  });
});

describe('uniquePrefix', () => {
  it('is unique per call and uses only [A-Za-z0-9_-]', () => {
    const prefixes = Array.from({ length: 100 }, () => uniquePrefix('queue: round/trip ✓'));
    expect(new Set(prefixes).size).toBe(100);
    for (const p of prefixes) expect(p).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(prefixes[0]).toMatch(/^queue-round-trip-/);
  });
});

describe('tempDir', () => {
  it('creates a directory and removes it with its contents', async () => {
    const dir = await tempDir('helpers test');
    expect((await stat(dir.path)).isDirectory()).toBe(true);
    await writeFile(join(dir.path, 'file.txt'), 'x');
    await dir.remove();
    expect(existsSync(dir.path)).toBe(false);
  });
});

describe('freePort', () => {
  it('returns a port that can be listened on', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('repoRoot', () => {
  it('is the directory holding pnpm-workspace.yaml', () => {
    expect(existsSync(join(repoRoot, 'pnpm-workspace.yaml'))).toBe(true);
    expect(existsSync(join(repoRoot, 'packages', 'testing', 'package.json'))).toBe(true);
  });
});
