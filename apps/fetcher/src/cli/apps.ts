import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APPS = ['gateway', 'indexer', 'parser', 'fetcher'] as const;
export type AppName = (typeof APPS)[number];

const here = dirname(fileURLToPath(import.meta.url));
/** Root of the monorepo, from either `apps/fetcher/src/cli` or `apps/fetcher/dist/cli`. */
export const repoRoot = resolve(here, '../../../..');
/** When this CLI runs from TypeScript sources, the apps it starts do too. */
const fromSource = import.meta.url.endsWith('.ts');

export interface RunningApp {
  name: AppName;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

/** Command line that runs one app: its build output, or its sources through tsx. */
export function appCommand(name: AppName): string[] {
  const built = join(repoRoot, 'apps', name, 'dist', 'main.js');
  if (!fromSource && existsSync(built)) return [process.execPath, built];
  return [
    process.execPath,
    '--conditions=source',
    '--import',
    'tsx',
    join(repoRoot, 'apps', name, 'src', 'main.ts'),
  ];
}

/** Starts one app as a child process with its JSON logs appended to `${logDir}/${name}.log`. */
export async function startApp(name: AppName, env: NodeJS.ProcessEnv, logDir: string): Promise<RunningApp> {
  await mkdir(logDir, { recursive: true });
  const logFile = join(logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const [cmd, ...args] = appCommand(name);
  // A process group of its own: Ctrl-C reaches `up` alone, which then stops the apps in order
  // while Redis is still there for them to close their connections. The IPC channel is the
  // apps' watchdog: it closes when `up` dies, however it dies, and they stop (onParentExit).
  const child = spawn(cmd!, args, {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      log.end();
      r(code);
    }),
  );
  return { name, child, logFile, exited };
}

/**
 * The message of the last fatal or error line of an app's JSON log (what stopped it), or the
 * first line of an uncaught error's trace; undefined when the log says neither.
 */
export async function lastError(logFile: string): Promise<string | undefined> {
  const lines = (await logTail(logFile)).split('\n');
  for (const line of lines.toReversed()) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
      if ((entry.level === 'fatal' || entry.level === 'error') && typeof entry.msg === 'string')
        return entry.msg;
    } catch {
      // Not a log line: a trace, looked for below.
    }
  }
  return lines.find((line) => /^\w*Error\b/.test(line))?.trim();
}

/** How much of the end of a log `lastError` reads: a long run's log can be very large. */
const LOG_TAIL_BYTES = 64 * 1024;

/** The last LOG_TAIL_BYTES of a file ('' when it cannot be read); its first line may be cut. */
async function logTail(file: string): Promise<string> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, LOG_TAIL_BYTES);
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(length), 0, length, size - length);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * How long an app may take to stop before it is killed: longer than the 25 s each app gives its
 * own shutdown (`onShutdown`), so an app is killed only when that shutdown itself hangs.
 */
export const APP_STOP_GRACE_MS = 35_000;

/** SIGTERM, then SIGKILL after `graceMs`: every app closes its workers and connections on SIGTERM. */
export async function stopApps(apps: RunningApp[], graceMs = APP_STOP_GRACE_MS): Promise<void> {
  await Promise.all(
    apps.map(async (app) => {
      if (app.child.exitCode !== null || app.child.signalCode !== null) return;
      app.child.kill('SIGTERM');
      const timer = setTimeout(() => app.child.kill('SIGKILL'), graceMs);
      await app.exited;
      clearTimeout(timer);
    }),
  );
}
