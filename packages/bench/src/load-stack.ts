import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { inheritedEnv } from './env.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const APP_NAMES = ['gateway', 'indexer', 'parser', 'fetcher'] as const;
export type AppName = (typeof APP_NAMES)[number];

/**
 * Where the stack's code comes from: `build`, the workspace's build output, as `pnpm start` and
 * the container image run it; `source`, the TypeScript sources through tsx, as the end-to-end
 * tests and `pnpm paperwire` run it (each process then starts about 0.4 s slower).
 */
export type CodeFrom = 'build' | 'source';

/** The arguments after `node` that run the `paperwire` CLI. */
function cliCommand(from: CodeFrom): string[] {
  return from === 'build'
    ? [join(repoRoot, 'apps/fetcher/dist/cli.js')]
    : ['--conditions=source', '--import', 'tsx', join(repoRoot, 'apps/fetcher/src/cli.ts')];
}

/**
 * Builds the workspace (`turbo run build`: what changed since the last build), so that a stack
 * run `from: 'build'` runs the code as it is now. Resolves with turbo's last lines on failure.
 */
export async function buildWorkspace(signal: AbortSignal): Promise<{ ok: boolean; tail: string[] }> {
  const tail: string[] = [];
  const code = await runLines(
    join(repoRoot, 'node_modules/.bin/turbo'),
    ['run', 'build', '--output-logs=errors-only'],
    inheritedEnv(),
    (line) => {
      tail.push(line);
      if (tail.length > 30) tail.shift();
    },
    signal,
  );
  return { ok: code === 0, tail };
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close((err) => (err ? reject(err) : resolvePort(port)));
    });
  });
}

export interface Child {
  process: ChildProcess;
  exited: Promise<number | null>;
}

function track(child: ChildProcess): Child {
  return {
    process: child,
    exited: new Promise((r) => {
      if (child.exitCode !== null || child.signalCode !== null) r(child.exitCode);
      else child.once('exit', (code) => r(code));
    }),
  };
}

export function isRunning(child: Child): boolean {
  return child.process.exitCode === null && child.process.signalCode === null;
}

/** SIGTERM, then SIGKILL once `graceMs` has passed. */
export async function stopChild(child: Child, graceMs: number): Promise<void> {
  if (!isRunning(child)) return;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

export interface RedisServer extends Child {
  url: string;
}

/**
 * A redis-server of the benchmark's own, on a free port with its files in `dir`, set up as
 * BullMQ needs it (noeviction). It runs in its own process group, so a Ctrl-C reaches the
 * benchmark, which stops the apps before Redis.
 */
export async function startRedis(dir: string): Promise<RedisServer> {
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const child = track(
    spawn(
      'redis-server',
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
        '--logfile',
        join(dir, 'redis.log'),
      ],
      { stdio: 'ignore', detached: true },
    ),
  );
  const spawnError = new Promise<Error>((r) => child.process.once('error', r));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const failed = await Promise.race([
      spawnError,
      new Promise<undefined>((r) => setTimeout(r, 100, undefined)),
    ]);
    if (failed) throw new Error(`cannot start redis-server (is it on PATH?): ${failed.message}`);
    if (await answersPing(port)) break;
    if (!isRunning(child) || Date.now() > deadline) {
      child.process.kill('SIGKILL');
      throw new Error(`redis-server did not start; see ${join(dir, 'redis.log')}`);
    }
  }
  return { ...child, url: `redis://127.0.0.1:${port}` };
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((r) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      r(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d: Buffer) => {
      reply += d.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

export interface Stack {
  gateway: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  up: Child;
  /** The pid of each app, children of `up`. */
  pids: Record<AppName, number>;
  /** What `up` printed so far. */
  output(): string;
  /** Runs `paperwire <args>`, handing each line it prints to `onLine`; resolves with its exit code. */
  cli(
    args: string[],
    onLine: (line: string, stream: 'stdout' | 'stderr') => void,
    signal: AbortSignal,
  ): Promise<number>;
  /** The last lines of each app's log, for an error message. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

export interface StackOptions {
  dataDir: string;
  redisUrl: string;
  queuePrefix: string;
  /** The benchmark's own environment, which the apps inherit under the stack's settings. */
  baseEnv: NodeJS.ProcessEnv;
  /** The CLI runs from here, and `up` starts the apps from the same. */
  from: CodeFrom;
  signal: AbortSignal;
}

/**
 * The four apps as `paperwire up --no-ingest` starts them for a user, on the embedded SQLite
 * index in a fresh data directory, with nothing scheduled: the benchmark feeds the pipeline.
 * `up` runs in a process group of its own so that Ctrl-C reaches the benchmark alone, which
 * then stops `up` once, and `up` stops its apps.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const port = await freePort();
  const sourcesFile = join(opts.dataDir, 'sources.yaml');
  await mkdir(opts.dataDir, { recursive: true });
  await writeFile(sourcesFile, 'sources: []\n');
  const env: NodeJS.ProcessEnv = {
    ...opts.baseEnv,
    REDIS_URL: opts.redisUrl,
    DATA_DIR: opts.dataDir,
    QUEUE_PREFIX: opts.queuePrefix,
    GATEWAY_PORT: String(port),
    GATEWAY_HOST: '127.0.0.1',
    SOURCES_FILE: sourcesFile,
    // The load comes from one address; a per-client limit would answer most of it with 429.
    RATE_LIMIT_PER_MINUTE: '0',
    METRICS_PORT: '0',
    MEILI_URL: '',
  };
  const gateway = `http://127.0.0.1:${port}`;
  const up = track(
    spawn(process.execPath, [...cliCommand(opts.from), 'up', '--no-ingest'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    }),
  );
  let output = '';
  up.process.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  up.process.stderr?.on('data', (d: Buffer) => (output += d.toString()));

  const logs = async () => {
    const parts: string[] = [];
    for (const app of APP_NAMES) {
      const text = await readFile(join(opts.dataDir, 'logs', `${app}.log`), 'utf8').catch(() => '(no log)');
      parts.push(`--- ${app} ---\n${text.split('\n').slice(-20).join('\n')}`);
    }
    return parts.join('\n');
  };
  const stop = async () => {
    // Longer than the 35 s `up` gives each app before it kills it.
    await stopChild(up, 45_000);
  };

  try {
    const deadline = Date.now() + 120_000;
    while (!output.includes('search is up')) {
      if (!isRunning(up)) throw new Error(`paperwire up exited with ${up.process.exitCode}`);
      if (opts.signal.aborted) throw opts.signal.reason;
      if (Date.now() > deadline) throw new Error('paperwire up did not report "search is up" within 120 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- paperwire up ---\n${output}\n${await logs()}`, {
      cause: error,
    });
  }

  const pids = appPids(up.process.pid!);
  return {
    gateway,
    dataDir: opts.dataDir,
    env,
    up,
    pids,
    output: () => output,
    cli: (args, onLine, signal) =>
      runLines(process.execPath, [...cliCommand(opts.from), ...args], env, onLine, signal),
    logs,
    stop,
  };
}

/** The pids of the apps `up` (pid `upPid`) started, told apart by their entry points. */
function appPids(upPid: number): Record<AppName, number> {
  const found: Partial<Record<AppName, number>> = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name in parentheses may hold spaces; the fields after it do not.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== upPid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const app = APP_NAMES.find((name) => cmdline.includes(`/apps/${name}/`));
      if (app) found[app] = Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  const missing = APP_NAMES.filter((name) => found[name] === undefined);
  if (missing.length > 0)
    throw new Error(`cannot find the process of ${missing.join(', ')} under paperwire up`);
  return found as Record<AppName, number>;
}

export interface Memory {
  /** Resident set size now, in bytes. */
  rss: number;
  /** The highest resident set size so far, in bytes. */
  peak: number;
  /**
   * Of `rss`, the pages of files (RssFile): chiefly the index file the search readers map into
   * memory, which is the OS's file cache, shared and reclaimable, not the process's own memory.
   */
  file: number;
}

/** VmRSS, VmHWM and RssFile of a process, from /proc (Linux). */
export function memoryOf(pid: number): Memory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM'), file: kb('RssFile') };
  } catch {
    return null;
  }
}

/**
 * Runs a command, splitting what it prints into lines. Aborting `signal` stops it (SIGTERM,
 * then SIGKILL) and resolves with its exit code all the same.
 */
export function runLines(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onLine: (line: string, stream: 'stdout' | 'stderr') => void,
  signal: AbortSignal,
): Promise<number> {
  const child = track(
    spawn(cmd, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }),
  );
  for (const stream of ['stdout', 'stderr'] as const) {
    let rest = '';
    child.process[stream]?.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop()!;
      for (const line of lines) onLine(line, stream);
    });
    child.process[stream]?.on('end', () => {
      if (rest !== '') onLine(rest, stream);
    });
  }
  const onAbort = () => void stopChild(child, 10_000);
  signal.addEventListener('abort', onAbort, { once: true });
  return new Promise((r, reject) => {
    child.process.once('error', reject);
    // 'close', not 'exit': every line it printed has been handed on by then.
    child.process.once('close', (code) => {
      signal.removeEventListener('abort', onAbort);
      r(code ?? 1);
    });
  });
}

/** Kills whatever is still running, for a benchmark that exits without its cleanup. */
export function killNow(children: Iterable<Child | undefined>): void {
  for (const child of children) if (child && isRunning(child)) child.process.kill('SIGTERM');
}
