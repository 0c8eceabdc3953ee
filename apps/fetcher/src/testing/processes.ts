import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

import { repoRoot, waitFor } from '@paperwire/testing';

export interface AppProcess {
  name: string;
  child: ChildProcess;
  /** Everything the process wrote so far (its JSON log lines). */
  output(): string;
  /** SIGTERM (the app closes its workers), SIGKILL after a grace period. */
  stop(): Promise<void>;
}

/** What each app logs once it takes work. */
const READY: Record<'fetcher' | 'parser' | 'indexer' | 'gateway', string> = {
  fetcher: '"fetcher ready"',
  parser: '"parser ready"',
  indexer: '"indexer ready"',
  gateway: '"gateway listening"',
};

/**
 * Starts one app from its sources, as `paperwire up` does, and resolves once it logs that it is
 * ready (`<app> ready`; the gateway: `gateway listening`).
 */
export async function startApp(
  app: 'fetcher' | 'parser' | 'indexer' | 'gateway',
  env: NodeJS.ProcessEnv,
): Promise<AppProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join(repoRoot, 'apps', app, 'src', 'main.ts')],
    { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const proc: AppProcess = {
    name: app,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitFor(() => output.includes(READY[app]) || child.exitCode !== null, {
      what: `${app} to be ready`,
      timeoutMs: 60_000,
    });
  } catch (error) {
    await proc.stop();
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}:\n${output}`);
  return proc;
}
