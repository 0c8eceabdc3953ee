import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { freePort, repoRoot, tempDir, uniquePrefix, waitFor } from '@paperwire/testing';

import { inheritedEnv } from './env.js';

export interface Stack {
  gateway: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** Runs `paperwire <args>` to completion; rejects with its output when it fails. */
  cli(args: string[]): Promise<string>;
  /** Runs `paperwire <args>` to completion, whatever its exit code. */
  cliResult(args: string[]): Promise<{ code: number | null; output: string }>;
  get<T>(path: string): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

const cliArgs = ['--conditions=source', '--import', 'tsx', join(repoRoot, 'apps/fetcher/src/cli.ts')];

/**
 * The four apps as separate processes, started the way a user starts them (`paperwire up`),
 * against the test Redis and an embedded index in a fresh data directory.
 */
export async function startStack(redisUrl: string): Promise<Stack> {
  const data = await tempDir('e2e-data');
  const port = await freePort();
  // No scheduled sources: the tests feed the pipeline themselves.
  const sourcesFile = join(data.path, 'sources.yaml');
  await writeFile(sourcesFile, 'sources: []\n');
  const env: NodeJS.ProcessEnv = {
    ...inheritedEnv(),
    REDIS_URL: redisUrl,
    DATA_DIR: data.path,
    QUEUE_PREFIX: uniquePrefix('e2e'),
    GATEWAY_PORT: String(port),
    GATEWAY_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    // Several stacks may run at once; worker metrics are covered by the observability tests.
    METRICS_PORT: '0',
    WORKER_CONCURRENCY: '2',
    MEILI_URL: '',
    SOURCES_FILE: sourcesFile,
    // The tests serve their pages from a local server, which the fetcher refuses unless allowed.
    FETCH_ALLOW_HOSTS: '127.0.0.1',
  };
  const gateway = `http://127.0.0.1:${port}`;
  const up = spawn(process.execPath, [...cliArgs, 'up', '--no-ingest'], {
    cwd: repoRoot,
    env,
    stdio: 'pipe',
  });
  let upOutput = '';
  up.stdout.on('data', (d: Buffer) => (upOutput += d.toString()));
  up.stderr.on('data', (d: Buffer) => (upOutput += d.toString()));
  const upExited = new Promise<number | null>((r) => up.once('exit', (code) => r(code)));

  const stack: Stack = {
    gateway,
    dataDir: data.path,
    env,
    async cli(args) {
      const { code, output } = await run(process.execPath, [...cliArgs, ...args], env);
      if (code !== 0) throw new Error(`paperwire ${args.join(' ')} exited ${code}:\n${output}`);
      return output;
    },
    cliResult: (args) => run(process.execPath, [...cliArgs, ...args], env),
    async get<T>(path: string) {
      const res = await fetch(gateway + path);
      return { status: res.status, body: (await res.json()) as T };
    },
    async stop() {
      await stopProcess(up, upExited);
      await data.remove();
    },
  };
  try {
    await waitFor(() => upOutput.includes('search is up') || up.exitCode !== null, {
      what: 'paperwire up to report that search is up',
      timeoutMs: 90_000,
    });
    if (up.exitCode !== null) throw new Error(`paperwire up exited with ${up.exitCode}:\n${upOutput}`);
  } catch (error) {
    await stopProcess(up, upExited);
    const logs = await appLogs(data.path);
    await data.remove();
    throw new Error(`${(error as Error).message}\n--- paperwire up ---\n${upOutput}\n${logs}`);
  }
  return stack;
}

export async function appLogs(dataDir: string): Promise<string> {
  const parts: string[] = [];
  for (const app of ['gateway', 'indexer', 'parser', 'fetcher']) {
    const text = await readFile(join(dataDir, 'logs', `${app}.log`), 'utf8').catch(() => '(no log)');
    parts.push(`--- ${app} ---\n${text.split('\n').slice(-30).join('\n')}`);
  }
  return parts.join('\n');
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: 'pipe' });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    // 'close', not 'exit': the pipes can still hold output when the process has exited.
    child.once('close', (code) => resolve({ code, output }));
  });
}

async function stopProcess(child: ChildProcess, exited: Promise<number | null>): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}
