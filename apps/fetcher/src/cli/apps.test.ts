import { spawn } from 'node:child_process';

import { waitFor } from '@paperwire/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { APP_STOP_GRACE_MS, stopApps, type RunningApp } from './apps.js';

/** The shutdown timeout every app sets through onShutdown (@paperwire/queue). */
const APP_SHUTDOWN_TIMEOUT_MS = 25_000;

/**
 * A stand-in app that, on SIGTERM, says so and exits only when told to (or never): a shutdown
 * that takes as long as the test wants.
 */
function slowApp(exitsWhenTold: boolean) {
  const script = exitsWhenTold
    ? "process.on('SIGTERM', () => { console.log('closing'); process.stdin.once('data', () => process.exit(0)); }); process.stdin.resume(); console.log('ready');"
    : "process.on('SIGTERM', () => console.log('closing')); process.stdin.resume(); console.log('ready');";
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const app: RunningApp = { name: 'fetcher', child, logFile: '/dev/null', exited };
  return { app, child, output: () => output };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('stopApps', () => {
  it("waits longer than an app's own shutdown timeout before killing it", async () => {
    const { app, child, output } = slowApp(true);
    await waitFor(() => output().includes('ready'), { what: 'the app to start' });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const stopped = stopApps([app]);
    await waitFor(() => output().includes('closing'), { what: 'the app to get SIGTERM' });

    // The app is still within its own shutdown timeout, and a little past it.
    vi.advanceTimersByTime(APP_SHUTDOWN_TIMEOUT_MS + 5_000);
    child.stdin.write('done\n');
    await stopped;
    expect(child.signalCode).toBeNull();
    expect(child.exitCode).toBe(0);
    expect(APP_STOP_GRACE_MS).toBeGreaterThan(APP_SHUTDOWN_TIMEOUT_MS);
  });

  it('kills an app whose shutdown hangs past the grace period', async () => {
    const { app, child, output } = slowApp(false);
    await waitFor(() => output().includes('ready'), { what: 'the app to start' });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const stopped = stopApps([app]);
    await waitFor(() => output().includes('closing'), { what: 'the app to get SIGTERM' });
    vi.advanceTimersByTime(APP_STOP_GRACE_MS);
    await stopped;
    expect(child.signalCode).toBe('SIGKILL');
  });
});
