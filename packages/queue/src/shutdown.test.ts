import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

import { repoRoot, waitFor } from '@paperwire/testing';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./testing/shutdown-child.ts', import.meta.url));

function start(...args: string[]) {
  return startWith({ ipc: false }, ...args);
}

function startWith(opts: { ipc: boolean }, ...args: string[]) {
  const proc = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', child, ...args], {
    cwd: repoRoot,
    // With an IPC channel, as `paperwire up` gives the apps it starts.
    stdio: opts.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const { stdout, stderr: errors } = proc;
  if (!stdout || !errors) throw new Error('the child was spawned without stdout or stderr pipes');
  const lines: Array<{ msg?: string }> = [];
  let stderr = '';
  let buffer = '';
  stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) if (line.trim()) lines.push(JSON.parse(line) as { msg?: string });
  });
  errors.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Over when it has exited and its pipes are drained: the tests read every line it logged.
  // (Not 'close': with an IPC channel the parent has disconnected, it does not come.)
  const exited = Promise.all([once(proc, 'exit'), once(stdout, 'close'), once(errors, 'close')]).then(
    ([[code]]) => code as number | null,
  );
  const logged = (msg: string) =>
    waitFor(() => lines.some((l) => l.msg === msg), { what: `"${msg}" from the child (stderr: ${stderr})` });
  return { proc, lines, exited, logged };
}

describe('onShutdown', () => {
  it('closes once on SIGTERM and exits 0', async () => {
    const app = start('clean');
    await app.logged('ready');
    app.proc.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    // Each said once. Their order on stdout is not ours to assert: at exit pino flushes its
    // buffer synchronously, which can overtake a write still in flight.
    expect(app.lines.map((l) => l.msg).sort()).toEqual(['ready', 'shut down cleanly', 'shutting down']);
  });

  it('closes once and exits 0 when the supervising parent goes away', async () => {
    const app = startWith({ ipc: true }, 'clean');
    await app.logged('ready');
    app.proc.disconnect();
    expect(await app.exited).toBe(0);
    expect(app.lines.map((l) => l.msg).sort()).toEqual(['ready', 'shut down cleanly', 'shutting down']);
  });

  it('exits 1 when close fails', async () => {
    const app = start('fail');
    await app.logged('ready');
    app.proc.kill('SIGINT');
    expect(await app.exited).toBe(1);
    expect(app.lines.map((l) => l.msg)).toContain('shutdown failed');
  });

  it('exits 1 when close outlasts the timeout', async () => {
    const app = start('hang', '100');
    await app.logged('ready');
    app.proc.kill('SIGTERM');
    expect(await app.exited).toBe(1);
    expect(app.lines.map((l) => l.msg)).toContain('shutdown timed out; exiting');
  });

  it('exits at once on a second signal', async () => {
    const app = start('hang', '60000');
    await app.logged('ready');
    app.proc.kill('SIGTERM');
    await app.logged('shutting down');
    app.proc.kill('SIGINT');
    expect(await app.exited).toBe(130);
  });
});
