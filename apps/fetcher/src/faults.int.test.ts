import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ingest, newRunId, Runs, type RunState } from '@paperwire/pipeline';
import { createRedis, Producer, queueDepths } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';
import { createSqliteIndex, sqlitePath } from '@paperwire/search';
import {
  freePort,
  redisAnswers,
  repoRoot,
  tempDir,
  uniquePrefix,
  waitFor,
  type TempDir,
} from '@paperwire/testing';
import { afterEach, describe, expect, inject, it } from 'vitest';

import { startApp, type AppProcess } from './testing/processes.js';

/**
 * Faults during a 5,000-paper ingest, against the apps as processes and a real Redis: workers
 * killed with SIGKILL, Redis killed and started again on its append-only file, `paperwire up`
 * stopped with SIGTERM, an index directory that cannot be one. After each, every paper is in the
 * index exactly once and the run counts each exactly once.
 */

const PAGES = 50;
const PER_PAGE = 100;
const PAPERS = PAGES * PER_PAGE;
const CAPTURED_AT = '2025-11-03T08:00:00.000Z';
/** Short locks, so the jobs of a killed worker go back to the queue within seconds. */
const LOCK_MS = 1_000;
const RUN_TIMEOUT_MS = 150_000;

const arxivId = (n: number) => `2501.${String(n).padStart(5, '0')}`;
const paperId = (n: number) => `arxiv-${arxivId(n).replace('.', '_')}`;

/** One Hugging Face daily-papers API page of PER_PAGE papers, the `page`-th of the corpus. */
function hfJsonPage(page: number): string {
  const entries = Array.from({ length: PER_PAGE }, (_, i) => {
    const n = page * PER_PAGE + i;
    const title = `Recovering Pipeline State After Fault ${n} In Distributed Queues`;
    const summary = `We study fault ${n} and show that work survives crashes of every stage ${n}.`;
    return {
      paper: {
        id: arxivId(n),
        authors: [{ name: `Ada Fault${n}` }, { name: 'Grace Queue' }],
        publishedAt: '2025-11-02T17:59:58.000Z',
        title,
        summary,
        upvotes: n % 40,
      },
      publishedAt: CAPTURED_AT,
      title,
      summary,
    };
  });
  return JSON.stringify(entries);
}

interface Harness {
  data: TempDir;
  env: NodeJS.ProcessEnv;
  producer: Producer;
  runs: Runs;
  files: string[];
  close(): Promise<void>;
}

async function harness(redisUrl: string, name: string, extra: NodeJS.ProcessEnv = {}): Promise<Harness> {
  const data = await tempDir(`faults-${name}`);
  const pages = join(data.path, 'pages');
  await mkdir(pages, { recursive: true });
  const files: string[] = [];
  for (let page = 0; page < PAGES; page += 1) {
    const file = join(pages, `page-${String(page).padStart(2, '0')}.json`);
    await writeFile(file, hfJsonPage(page));
    files.push(file);
  }
  const sourcesFile = join(data.path, 'sources.yaml');
  await writeFile(sourcesFile, 'sources: []\n');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: redisUrl,
    DATA_DIR: data.path,
    QUEUE_PREFIX: uniquePrefix(`faults-${name}`),
    LOG_LEVEL: 'info',
    MEILI_URL: '',
    METRICS_PORT: '0',
    SOURCES_FILE: sourcesFile,
    WORKER_CONCURRENCY: '1',
    INDEX_CONCURRENCY: '2',
    WORKER_LOCK_MS: String(LOCK_MS),
    INDEX_LOCK_TTL_MS: String(LOCK_MS),
    ...extra,
  };
  const producer = new Producer({ connection: createRedis(redisUrl, 'producer'), prefix: env.QUEUE_PREFIX! });
  const runs = new Runs(producer.connection, producer.prefix);
  return {
    data,
    env,
    producer,
    runs,
    files,
    async close() {
      await producer.close().catch(() => undefined);
      producer.connection.disconnect();
      await data.remove();
    },
  };
}

/** Starts a run of every page of the corpus, from files, and returns its id once all are queued. */
async function startRun(h: Harness): Promise<string> {
  const runId = newRunId('ingest');
  await ingest({ store: RawStore.inDataDir(h.data.path), producer: h.producer, runs: h.runs }, h.files, {
    capturedAt: CAPTURED_AT,
    sourceName: 'faults',
    formatHint: null,
    runId,
  });
  return runId;
}

/** The run, once done; Redis going away meanwhile only delays the answer. */
async function runDone(h: Harness, runId: string, explain: () => string): Promise<RunState> {
  return waitFor(async () => ((await h.runs.get(runId))?.done ? h.runs.get(runId) : null), {
    what: `run ${runId} to be done`,
    timeoutMs: RUN_TIMEOUT_MS,
    intervalMs: 100,
  }).catch((error: Error) => {
    throw new Error(`${error.message}\n${explain()}`);
  });
}

/** Every paper of the corpus is in the index once, with the one sighting it was given. */
async function expectEveryPaperOnce(h: Harness): Promise<void> {
  const index = createSqliteIndex({ path: sqlitePath(h.data.path), readonly: true });
  try {
    await expect(index.stats()).resolves.toEqual({ papers: PAPERS });
    const missing: string[] = [];
    const resighted: string[] = [];
    for (let n = 0; n < PAPERS; n += 1) {
      const paper = await index.get(paperId(n));
      if (paper === null) missing.push(paperId(n));
      else if (paper.sources.length !== 1) resighted.push(paperId(n));
    }
    expect({ missing, resighted }).toEqual({ missing: [], resighted: [] });
  } finally {
    await index.close();
  }
}

function expectCountedOnce(state: RunState): void {
  expect(state).toMatchObject({
    expected: PAGES,
    fetched: PAGES,
    failed: 0,
    pagesParsed: PAGES,
    pagesFailed: 0,
    chunksFailed: 0,
    papersIndexed: PAPERS,
    done: true,
  });
}

const tail = (app: AppProcess | undefined) => (app ? app.output().split('\n').slice(-12).join('\n') : '');

describe('faults during a 5,000-paper ingest', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('kill -9 of the parser and of the indexer, three times each, loses no paper and counts none twice', async () => {
    const h = await harness(inject('redisUrl'), 'kill');
    cleanups.push(() => h.close());
    const apps: Record<'parser' | 'indexer', AppProcess> = {
      parser: await startApp('parser', h.env),
      indexer: await startApp('indexer', h.env),
    };
    cleanups.push(() => Promise.all(Object.values(apps).map((a) => a.stop())).then(() => undefined));

    const runId = await startRun(h);
    const queueOf = { parser: 'parse', indexer: 'index' } as const;
    const progress = async (name: 'parser' | 'indexer') => {
      const state = await h.runs.get(runId);
      return name === 'parser' ? (state?.pagesParsed ?? 0) : (state?.papersIndexed ?? 0);
    };
    const killed: string[] = [];
    // The parser first: it is much faster than the indexer, and would be idle by the time the
    // indexer had been killed once. Each process is killed once it has finished work of its own
    // and holds a job again, so that job's lock is left to expire and another process takes it.
    for (const name of ['parser', 'parser', 'parser', 'indexer', 'indexer', 'indexer'] as const) {
      const from = await progress(name);
      await waitFor(
        async () =>
          (await progress(name)) > from && (await queueDepths(h.producer))[queueOf[name]].active > 0,
        { what: `the ${name} to have done work and to hold a job`, timeoutMs: 60_000, intervalMs: 5 },
      );
      const at = await progress(name);
      apps[name].child.kill('SIGKILL');
      await waitFor(() => apps[name].child.exitCode !== null || apps[name].child.signalCode !== null, {
        what: `${name} to die`,
      });
      killed.push(`${name} at ${at} ${name === 'parser' ? 'pages' : 'papers'}`);
      apps[name] = await startApp(name, h.env);
    }
    expect(killed).toHaveLength(6);

    const state = await runDone(
      h,
      runId,
      () => `${killed.join('; ')}\n${tail(apps.parser)}\n${tail(apps.indexer)}`,
    );
    expectCountedOnce(state);
    await expectEveryPaperOnce(h);
    const depths = await queueDepths(h.producer);
    expect([depths.parse.failed, depths.index.failed]).toEqual([0, 0]);
  }, 300_000);

  it('Redis killed and started again on its append-only file: the apps reconnect, nothing is lost', async () => {
    const redis = await RestartableRedis.start();
    cleanups.push(() => redis.stop());
    const h = await harness(redis.url, 'redis');
    cleanups.push(() => h.close());
    const apps = [await startApp('parser', h.env), await startApp('indexer', h.env)];
    cleanups.push(() => Promise.all(apps.map((a) => a.stop())).then(() => undefined));

    const runId = await startRun(h);
    await waitFor(async () => ((await h.runs.get(runId))?.papersIndexed ?? 0) >= PAPERS / 5, {
      what: 'a fifth of the papers to be indexed',
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    const before = await h.runs.get(runId);
    expect(before?.done).toBe(false);
    await redis.kill();
    await redis.restart();

    const state = await runDone(h, runId, () => apps.map(tail).join('\n'));
    expectCountedOnce(state);
    await expectEveryPaperOnce(h);
    // Both apps lived through it: reconnected, not restarted.
    expect(apps.map((a) => a.child.exitCode)).toEqual([null, null]);
  }, 300_000);

  it('SIGTERM to `up` mid-ingest: it exits within 10 s, and the next `up` finishes the run with nothing lost', async () => {
    const gatewayPort = await freePort();
    const h = await harness(inject('redisUrl'), 'up', {
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_HOST: '127.0.0.1',
    });
    cleanups.push(() => h.close());

    let up = Up.start(h.env);
    cleanups.push(() => up.stop());
    await up.ready();
    const runId = await startRun(h);
    await waitFor(async () => ((await h.runs.get(runId))?.papersIndexed ?? 0) >= PAPERS / 5, {
      what: 'a fifth of the papers to be indexed',
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    const signalled = performance.now();
    up.child.kill('SIGTERM');
    const code = await up.exited;
    const seconds = (performance.now() - signalled) / 1000;
    expect({ code, within10s: seconds <= 10 }).toEqual({ code: 0, within10s: true });
    const stopped = await h.runs.get(runId);
    expect(stopped?.done).toBe(false);
    // In-flight jobs finished or went back to the queue: none is left active or failed.
    const depths = await queueDepths(h.producer);
    expect([depths.parse.active, depths.index.active, depths.parse.failed, depths.index.failed]).toEqual([
      0, 0, 0, 0,
    ]);

    up = Up.start(h.env);
    await up.ready();
    const state = await runDone(h, runId, () => up.output());
    expectCountedOnce(state);
    await up.stop();
    await expectEveryPaperOnce(h);
  }, 300_000);

  it('an index directory that cannot be one stops `up` with an error naming the path', async () => {
    const h = await harness(inject('redisUrl'), 'index-dir', {
      GATEWAY_PORT: String(await freePort()),
      GATEWAY_HOST: '127.0.0.1',
    });
    cleanups.push(() => h.close());
    const indexDir = join(h.data.path, 'index');
    // A file where the directory should be: unwritable as a directory even for root.
    await writeFile(indexDir, 'not a directory\n');

    const up = Up.start(h.env);
    cleanups.push(() => up.stop());
    const code = await up.exited;
    expect(code).toBe(1);
    // The indexer and the gateway both open the index; whichever fails first stops `up`.
    const reason = `cannot open the sqlite index at ${join(indexDir, 'papers.sqlite')}: ${indexDir} is not a directory (a file is in the way)`;
    expect(up.output()).toMatch(/(indexer|gateway) exited unexpectedly \(code 1\):( Error:)? /);
    expect(up.output()).toContain(reason);
  }, 120_000);
});

/** `paperwire up --no-ingest` as a user runs it. */
class Up {
  readonly exited: Promise<number | null>;
  #output = '';

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.#output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.#output += d.toString()));
    // 'close', not 'exit': the tests read all that it printed once it is over.
    this.exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
  }

  static start(env: NodeJS.ProcessEnv): Up {
    const cli = join(repoRoot, 'apps/fetcher/src/cli.ts');
    return new Up(
      spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cli, 'up', '--no-ingest'], {
        cwd: repoRoot,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  }

  output(): string {
    return this.#output;
  }

  async ready(): Promise<void> {
    await waitFor(() => this.#output.includes('search is up') || this.child.exitCode !== null, {
      what: '`paperwire up` to report that search is up',
      timeoutMs: 90_000,
    });
    if (this.child.exitCode !== null)
      throw new Error(`paperwire up exited with ${this.child.exitCode}:\n${this.#output}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** A redis-server of this test's own, appending every write to its AOF before answering. */
class RestartableRedis {
  #child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: TempDir,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RestartableRedis> {
    const redis = new RestartableRedis(await freePort(), await tempDir('faults-redis'));
    await redis.restart();
    return redis;
  }

  async restart(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir.path];
    args.push('--appendonly', 'yes', '--appendfsync', 'always', '--save', '');
    this.#child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitFor(() => redisAnswers(this.url), { what: `redis-server on ${this.url}`, timeoutMs: 20_000 });
  }

  /** SIGKILL: no shutdown, nothing written but what the AOF already holds. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    await this.dir.remove();
  }
}
