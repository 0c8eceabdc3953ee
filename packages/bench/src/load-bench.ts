import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import autocannon from 'autocannon';

import { prng } from './corpus.js';
import { configuredRedisUrl, inheritedEnv } from './env.js';
import {
  distinctQueries,
  PAGE_SIZE,
  writeLoadCorpus,
  writeProbePage,
  zipfQueries,
  type LoadCorpus,
} from './load-corpus.js';
import {
  APP_NAMES,
  buildWorkspace,
  killNow,
  memoryOf,
  startRedis,
  startStack,
  stopChild,
  type Child,
  type CodeFrom,
  type Memory,
  type RedisServer,
  type Stack,
} from './load-stack.js';
import { integerOption, loadAverageSince, machineFacts, writeReport } from './report.js';

/**
 * The whole stack under load, on this machine: a seeded corpus of hf-json pages ingested through
 * `paperwire ingest --wait` into the four apps that `paperwire up` starts (embedded SQLite,
 * a Redis of its own), then GET /v1/search loaded by autocannon at 1, 16 and 64 connections
 * with a Zipf mix of queries (popular ones repeat) and with queries that never repeat, paper
 * lookups while searches saturate the gateway, and a bare Express app serving an answer of the
 * same size as the floor to compare with. `ingest` stops after the ingest figures.
 *
 * The load generator runs on the same machine as the stack and competes with it for the CPUs;
 * the figures are for comparing changes on one machine, not capacity planning.
 */

const USAGE = `usage: load-bench.ts search-load|ingest [--papers N] [--duration S] [--keep DIR] [--seed N] [--ingest-timeout S] [--from build|source]`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    papers: { type: 'string', default: '100000' },
    duration: { type: 'string', default: '10' },
    keep: { type: 'string' },
    seed: { type: 'string', default: '20251103' },
    'ingest-timeout': { type: 'string', default: '1800' },
    from: { type: 'string', default: 'build' },
  },
});
const MODE = positionals[0] ?? 'search-load';
if ((MODE !== 'search-load' && MODE !== 'ingest') || positionals.length > 1) throw new Error(USAGE);
const PAPERS = integerOption('--papers', values.papers, [100, 5_000_000], USAGE);
const DURATION = integerOption('--duration', values.duration, [1, 600], USAGE);
const SEED = integerOption('--seed', values.seed, [0, 2 ** 31], USAGE);
const INGEST_TIMEOUT = integerOption('--ingest-timeout', values['ingest-timeout'], [10, 24 * 3600], USAGE);
const KEEP = values.keep === undefined ? undefined : resolve(values.keep);
if (values.from !== 'build' && values.from !== 'source')
  throw new Error(`--from: "${values.from}" is neither build nor source\n${USAGE}`);
const FROM: CodeFrom = values.from;

const CONNECTIONS = [1, 16, 64];
/** Connections asking for papers while 64 connections search. */
const PAPER_CONNECTIONS = 4;
/** Seconds of search load before the measured runs, so the apps are past their JIT warm-up. */
const WARMUP = Math.min(3, DURATION);
/** Search answers sampled to find the size of a typical one, for the bare server to send. */
const SAMPLES = 100;
const CAPTURED_AT = '2025-11-03';

const here = dirname(fileURLToPath(import.meta.url));
const log = (line: string) => process.stdout.write(`${line}\n`);

interface LoadRun {
  name: string;
  route: string;
  connections: number;
  seconds: number;
  requests: number;
  reqPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Mean bytes per response, headers included. */
  bytesPerResponse: number;
  /** Share of the run's searches the gateway answered from its result cache (search runs only). */
  cacheHitShare?: number;
}

interface IngestFigures {
  seconds: number;
  papersPerSecond: number;
  /** When the CLI had archived the last page and queued its parse. */
  archivedSeconds: number | null;
  /** The CLI's closing line. */
  summary: string;
}

type AppMemory = Partial<Record<(typeof APP_NAMES)[number] | 'redis', Memory>>;

const controller = new AbortController();
const signal = controller.signal;
const children: { redis?: RedisServer; stack?: Stack; bare?: Child } = {};
let stopping = false;

class Interrupted extends Error {
  override name = 'Interrupted';
}

let interrupts = 0;
const onSignal = () => {
  interrupts += 1;
  if (interrupts > 1) {
    killNow([children.bare, children.stack?.up, children.redis]);
    process.exit(130);
  }
  log('\ninterrupted: stopping everything the benchmark started… (again to kill at once)');
  controller.abort(new Interrupted('interrupted'));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// Last resort when the benchmark dies before its cleanup: nothing it started may outlive it.
process.on('exit', () => killNow([children.bare, children.stack?.up, children.redis]));

async function main(): Promise<number> {
  const loadBefore = loadavg()[0];
  const work = KEEP ?? mkdtempSync(join(tmpdir(), 'paperwire-load-bench-'));
  if (KEEP) {
    if (existsSync(join(KEEP, 'data')))
      throw new Error(`--keep ${KEEP}: it already holds data/; the benchmark needs a fresh data directory`);
    mkdirSync(KEEP, { recursive: true });
  }
  const pagesDir = join(work, 'pages');
  const dataDir = join(work, 'data');
  try {
    log(`paperwire load benchmark (${MODE}): ${PAPERS} papers, seed ${SEED}, in ${work}`);

    const writing = performance.now();
    let lastShown = writing;
    const corpus = await writeLoadCorpus(pagesDir, PAPERS, SEED, (written) => {
      if (signal.aborted) throw signal.reason;
      if (performance.now() - lastShown > 5_000) {
        lastShown = performance.now();
        log(`corpus: ${written}/${PAPERS} papers written`);
      }
    });
    log(
      `corpus: ${PAPERS} papers in ${corpus.pages} hf-json pages (${mb(corpus.bytes)}) in ${seconds(writing)} s`,
    );

    if (FROM === 'build') {
      const building = performance.now();
      log('build: turbo run build (the stack runs its build output, as `pnpm start` does)');
      const built = await buildWorkspace(signal);
      if (!built.ok) throw new Error(`turbo run build failed:\n${built.tail.join('\n')}`);
      log(`build: done in ${seconds(building)} s`);
    }

    const redisUrl = configuredRedisUrl() ?? (children.redis = await startRedis(join(work, 'redis'))).url;
    log(`redis: ${children.redis ? `started on ${redisUrl}` : 'from REDIS_URL'}`);
    const starting = performance.now();
    const stack = await startStack({
      dataDir,
      redisUrl,
      queuePrefix: `bench-${Date.now().toString(36)}`,
      baseEnv: inheritedEnv(),
      from: FROM,
      signal,
    });
    children.stack = stack;
    void stack.up.exited.then((code) => {
      if (!stopping)
        controller.abort(new Error(`paperwire up exited unexpectedly (code ${code}):\n${stack.output()}`));
    });
    log(
      `stack: up in ${seconds(starting)} s at ${stack.gateway} (pids ${APP_NAMES.map((n) => `${n} ${stack.pids[n]}`).join(', ')})`,
    );

    const ingest = await runIngest(stack, pagesDir, corpus);
    const stats = await getJson<{ papers: number }>(`${stack.gateway}/v1/stats`);
    if (stats.papers !== PAPERS) log(`warning: the index holds ${stats.papers} papers, not ${PAPERS}`);
    const index = indexSize(join(dataDir, 'index'));
    const afterIngest = memory(stack);
    const context = {
      ...machineFacts(),
      papers: PAPERS,
      pages: corpus.pages,
      corpusBytes: corpus.bytes,
      seed: SEED,
      codeFrom: FROM,
      engine: 'sqlite',
      settings: settingsOf(stack.env),
    };
    const ingestReport = {
      benchmark: 'ingest',
      ...context,
      indexed: stats.papers,
      ingest,
      index: { ...index, bytesPerPaper: Math.round(index.bytes / Math.max(1, stats.papers)) },
      memory: { afterIngest },
    };
    const freshness = await measureFreshness(stack, join(work, 'probe'));
    Object.assign(ingestReport, { freshness });
    const rows: Row[] = [
      ...ingestRows(ingestReport.ingest, stats.papers, corpus.pages, ingestReport.index),
      {
        name: 'freshness (one new page)',
        text:
          `searchable ${freshness.searchableSeconds} s after \`ingest --wait\` started, ` +
          `${freshness.afterQueuedSeconds ?? '?'} s after it queued the page; the command returned after ${freshness.commandSeconds} s`,
      },
    ];

    if (MODE === 'ingest') {
      rows.push(...memoryRows(afterIngest, undefined));
      log('');
      printTable(rows);
      writeReport('ingest', { ...ingestReport, loadAverage: loadAverageSince(loadBefore) });
      return 0;
    }

    const sample = await typicalAnswer(stack.gateway, corpus);
    log(
      `search answers: typical ${sample.bytes} B (median of ${SAMPLES} Zipf queries, median total ${sample.total} hits)`,
    );
    const zipf = zipfQueries(corpus, SEED + 1);
    const distinct = distinctQueries(corpus, SEED + 2);
    const search = (next: () => string) => ({
      route: 'GET /v1/search?q=…',
      next: () => `/v1/search?q=${encodeURIComponent(next())}`,
    });
    const pick = prng(SEED + 3);
    const paper = {
      route: 'GET /v1/papers/:id',
      next: () => `/v1/papers/${corpus.ids[Math.floor(pick() * corpus.ids.length)]!}`,
    };

    log(`warm-up: ${WARMUP} s of distinct searches at 16 connections`);
    await load({
      name: 'warm-up',
      url: stack.gateway,
      connections: 16,
      duration: WARMUP,
      ...search(distinct),
    });

    const runs: LoadRun[] = [];
    for (const [mix, next] of [
      ['search, Zipf mix', zipf],
      ['search, no repeats', distinct],
    ] as const) {
      for (const connections of CONNECTIONS) {
        const before = await cacheCounts(stack.gateway);
        const run = await load({
          name: mix,
          url: stack.gateway,
          connections,
          duration: DURATION,
          ...search(next),
        });
        runs.push(withCacheShare(run, before, await cacheCounts(stack.gateway)));
      }
    }
    const [underLoad, papers] = await Promise.all([
      load({
        name: 'search, no repeats (with papers)',
        url: stack.gateway,
        connections: 64,
        duration: DURATION,
        ...search(distinct),
      }),
      load({
        name: 'GET /v1/papers/:id (with the above)',
        url: stack.gateway,
        connections: PAPER_CONNECTIONS,
        duration: DURATION,
        ...paper,
      }),
    ]);
    runs.push(underLoad, papers);
    const afterLoad = memory(stack);

    const bodyFile = join(work, 'typical-answer.json');
    writeFileSync(bodyFile, sample.body);
    const bareUrl = await startBare(bodyFile);
    const bare = await load({
      name: `bare Express, ${sample.bytes} B JSON`,
      url: bareUrl,
      connections: 64,
      duration: DURATION,
      ...search(zipf),
    });
    runs.push(bare);
    const gatewayZipf64 = runs.find((r) => r.name === 'search, Zipf mix' && r.connections === 64)!;
    const ratio = gatewayZipf64.reqPerSec / bare.reqPerSec;

    rows.push({ section: 'load' }, ...runs.map((r): Row => ({ run: r })));
    rows.push({ name: 'gateway / bare (Zipf, 64 conns)', text: `${ratio.toFixed(3)} of the bare req/s` });
    rows.push(...memoryRows(afterIngest, afterLoad));
    log('');
    printTable(rows);

    const loadAverage = loadAverageSince(loadBefore);
    writeReport('ingest', { ...ingestReport, loadAverage });
    writeReport('search-load', {
      benchmark: 'search-load',
      ...context,
      loadAverage,
      indexed: stats.papers,
      ingest,
      index: ingestReport.index,
      durationSeconds: DURATION,
      warmupSeconds: WARMUP,
      typicalAnswer: { bytes: sample.bytes, total: sample.total, q: sample.q },
      runs,
      gatewayOverBare: Math.round(ratio * 1000) / 1000,
      memory: { afterIngest, afterLoad },
    });
    return 0;
  } finally {
    stopping = true;
    const stopStarted = performance.now();
    log('stopping…');
    if (children.bare) await stopChild(children.bare, 5_000);
    if (children.stack) await children.stack.stop();
    if (children.redis) await stopChild(children.redis, 10_000);
    if (KEEP) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
    log(`stopped in ${seconds(stopStarted)} s`);
  }
}

interface Freshness {
  /** From starting `paperwire ingest FILE --wait` until a search finds the page's paper. */
  searchableSeconds: number;
  /** From the command's line saying it queued the page until a search finds the paper. */
  afterQueuedSeconds: number | null;
  /** Until the command returned. */
  commandSeconds: number;
}

/**
 * How soon a new page is searchable in the full index: `paperwire ingest FILE --wait` on a page
 * of one paper with a word of its own, while a search for the word is asked every 10 ms.
 */
async function measureFreshness(stack: Stack, dir: string): Promise<Freshness> {
  const { file, word } = await writeProbePage(dir, SEED + 5);
  const url = `${stack.gateway}/v1/search?q=${encodeURIComponent(word)}&limit=1`;
  const started = performance.now();
  let queuedAt: number | null = null;
  let searchableAt: number | null = null;
  const command = stack
    .cli(
      ['ingest', file, '--wait', '--source', 'probe', '--format', 'hf-json'],
      (line, stream) => {
        if (stream === 'stdout' && line.includes(': archived as ')) queuedAt ??= performance.now();
      },
      signal,
    )
    .then((code) => ({ code, at: performance.now() }));
  const deadline = started + 60_000;
  while (searchableAt === null && performance.now() < deadline && !signal.aborted) {
    const body = await getJson<{ total: number }>(url);
    if (body.total > 0) searchableAt = performance.now();
    else await new Promise((r) => setTimeout(r, 10));
  }
  const done = await command;
  if (done.code !== 0) throw new Error(`paperwire ingest ${file} --wait exited ${done.code}`);
  if (searchableAt === null) throw new Error(`the probe page was not searchable within 60 s (${url})`);
  const s = (ms: number) => Math.round(ms) / 1000;
  const figures = {
    searchableSeconds: s(searchableAt - started),
    afterQueuedSeconds: queuedAt === null ? null : s(searchableAt - queuedAt),
    commandSeconds: s(done.at - started),
  };
  log(
    `freshness: searchable after ${figures.searchableSeconds} s (${figures.afterQueuedSeconds ?? '?'} s after queued)`,
  );
  return figures;
}

async function runIngest(stack: Stack, pagesDir: string, corpus: LoadCorpus): Promise<IngestFigures> {
  log(`ingest: paperwire ingest ${pagesDir} --wait`);
  const started = performance.now();
  let archived = 0;
  let archivedSeconds: number | null = null;
  let lastShown = started;
  let summary = '';
  const tail: string[] = [];
  const show = (what: string) => {
    const s = (performance.now() - started) / 1000;
    log(`ingest ${s.toFixed(0).padStart(4)} s: ${what}`);
    lastShown = performance.now();
  };
  const code = await stack.cli(
    [
      'ingest',
      pagesDir,
      '--wait',
      '--source',
      'bench',
      '--format',
      'hf-json',
      '--captured-at',
      CAPTURED_AT,
      '--timeout',
      String(INGEST_TIMEOUT),
    ],
    (line, stream) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      if (stream === 'stdout' && line.includes(': archived as ')) {
        archived += 1;
        if (archived === corpus.pages) {
          archivedSeconds = (performance.now() - started) / 1000;
          show(`${archived}/${corpus.pages} pages archived and queued`);
        } else if (performance.now() - lastShown > 5_000) show(`${archived}/${corpus.pages} pages archived`);
        return;
      }
      if (stream === 'stdout' && line.startsWith('done: ')) {
        summary = line.slice('done: '.length);
        return;
      }
      if (stream === 'stderr' && performance.now() - lastShown > 5_000) {
        const indexed = Number(/papers indexed (\d+)/.exec(line)?.[1] ?? NaN);
        const s = (performance.now() - started) / 1000;
        show(Number.isNaN(indexed) ? line : `${line} (${Math.round(indexed / s)} papers/s)`);
      }
    },
    signal,
  );
  if (signal.aborted) throw signal.reason;
  if (code !== 0)
    throw new Error(`paperwire ingest exited ${code}:\n${tail.join('\n')}\n${await stack.logs()}`);
  const s = (performance.now() - started) / 1000;
  show(`done: ${summary}`);
  return {
    seconds: round(s, 1),
    papersPerSecond: Math.round(PAPERS / s),
    archivedSeconds: archivedSeconds === null ? null : round(archivedSeconds, 1),
    summary,
  };
}

/** The search answer of median size over a sample of Zipf queries, to size the bare server's. */
async function typicalAnswer(
  gateway: string,
  corpus: LoadCorpus,
): Promise<{ body: string; bytes: number; total: number; q: string }> {
  const next = zipfQueries(corpus, SEED + 4);
  const answers: { body: string; bytes: number; total: number; q: string }[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    const q = next();
    const res = await fetch(`${gateway}/v1/search?q=${encodeURIComponent(q)}`, { signal });
    const body = await res.text();
    if (!res.ok) throw new Error(`GET /v1/search?q=${q} answered ${res.status}: ${body.slice(0, 300)}`);
    answers.push({
      body,
      bytes: Buffer.byteLength(body),
      total: (JSON.parse(body) as { total: number }).total,
      q,
    });
  }
  answers.sort((a, b) => a.bytes - b.bytes);
  const totals = answers.map((a) => a.total).sort((a, b) => a - b);
  return { ...answers[answers.length >> 1]!, total: totals[totals.length >> 1]! };
}

interface LoadOptions {
  name: string;
  /** What is requested, for the report. */
  route: string;
  url: string;
  connections: number;
  duration: number;
  /** The path of the next request; called once per request, across all connections. */
  next: () => string;
}

function load(opts: LoadOptions): Promise<LoadRun> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolveRun, reject) => {
    const instance = autocannon(
      {
        url: opts.url,
        connections: opts.connections,
        duration: opts.duration,
        timeout: 10,
        requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: opts.next() }) }],
      },
      (error: unknown, result: autocannon.Result) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) reject(signal.reason);
        else if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else {
          const run = loadRun(opts, result);
          if (opts.name !== 'warm-up') log(`  ${describeRun(run)}`);
          resolveRun(run);
        }
      },
    );
    const onAbort = () => instance.stop();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function loadRun(opts: LoadOptions, result: autocannon.Result): LoadRun {
  const requests = result.requests.total;
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {}))
    statusCodes[code] = stats.count ?? 0;
  return {
    name: opts.name,
    route: opts.route,
    connections: opts.connections,
    seconds: result.duration,
    requests,
    reqPerSec: Math.round(requests / result.duration),
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    bytesPerResponse: requests > 0 ? Math.round(result.throughput.total / requests) : 0,
  };
}

interface CacheCounts {
  hit: number;
  miss: number;
}

/** The gateway's result-cache counters, from its /metrics. */
async function cacheCounts(gateway: string): Promise<CacheCounts> {
  const res = await fetch(`${gateway}/metrics`, { signal });
  if (!res.ok) throw new Error(`GET ${gateway}/metrics answered ${res.status}`);
  const text = await res.text();
  const count = (result: string) =>
    Number(
      new RegExp(`^paperwire_search_cache_total\\{result="${result}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ??
        0,
    );
  return { hit: count('hit'), miss: count('miss') };
}

function withCacheShare(run: LoadRun, before: CacheCounts, after: CacheCounts): LoadRun {
  const hits = after.hit - before.hit;
  const all = hits + after.miss - before.miss;
  return all === 0 ? run : { ...run, cacheHitShare: Math.round((hits / all) * 1000) / 1000 };
}

function describeRun(r: LoadRun): string {
  return (
    `${r.name}, ${r.connections} conns: ${r.reqPerSec} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms` +
    `, ${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} timeouts)`
  );
}

/** Starts the bare Express server as a process of its own; resolves with its URL. */
async function startBare(bodyFile: string): Promise<string> {
  const child = spawn(process.execPath, [...process.execArgv, join(here, 'bare-server.ts'), bodyFile], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  children.bare = { process: child, exited };
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error('the bare server did not start within 30 s')), 30_000);
    child.once('message', (m: { port: number }) => {
      clearTimeout(timer);
      resolvePort(m.port);
    });
    void exited.then((code) => reject(new Error(`the bare server exited with ${code}`)));
  });
  return `http://127.0.0.1:${port}`;
}

/** The index's files (the database with its -wal and -shm) and their sizes. */
function indexSize(dir: string): { bytes: number; files: Record<string, number> } {
  const files: Record<string, number> = {};
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const size = statSync(path).size;
    files[relative(dir, path)] = size;
    bytes += size;
  }
  return { bytes, files };
}

function memory(stack: Stack): AppMemory {
  const out: AppMemory = {};
  for (const name of APP_NAMES) {
    const m = memoryOf(stack.pids[name]);
    if (m) out[name] = m;
  }
  const redisPid = children.redis?.process.pid;
  if (redisPid !== undefined) {
    const m = memoryOf(redisPid);
    if (m) out.redis = m;
  }
  return out;
}

/** The settings the apps ran with that bear on the figures: the stack's own and any inherited. */
function settingsOf(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    if (/^(SEARCH_|WORKER_|LOG_LEVEL$|RATE_LIMIT_PER_MINUTE$|UV_THREADPOOL_SIZE$|NODE_OPTIONS$)/.test(key))
      out[key] = value;
  }
  return out;
}

type Row = { section: string } | { name: string; text: string } | { run: LoadRun };

function ingestRows(
  ingest: IngestFigures,
  indexed: number,
  pages: number,
  index: { bytes: number; bytesPerPaper: number; files: Record<string, number> },
): Row[] {
  const files = Object.entries(index.files)
    .sort(([, a], [, b]) => b - a)
    .map(([name, bytes]) => `${name} ${mb(bytes)}`)
    .join(', ');
  return [
    { section: 'ingest' },
    {
      name: 'paperwire ingest --wait',
      text:
        `${indexed} papers in ${ingest.seconds} s: ${ingest.papersPerSecond} papers/s end to end ` +
        `(${pages} pages of ${PAGE_SIZE}; archived and queued after ${ingest.archivedSeconds ?? '?'} s)`,
    },
    { name: 'index size', text: `${mb(index.bytes)}, ${index.bytesPerPaper} B/paper (${files})` },
  ];
}

function memoryRows(afterIngest: AppMemory, afterLoad: AppMemory | undefined): Row[] {
  const rows: Row[] = [{ section: 'memory (VmRSS now / VmHWM peak so far; RssFile: pages of mapped files)' }];
  for (const name of [...APP_NAMES, 'redis'] as const) {
    const a = afterIngest[name];
    if (!a) continue;
    const b = afterLoad?.[name];
    rows.push({
      name: `RSS ${name}`,
      text:
        `after ingest ${mb(a.rss)} / peak ${mb(a.peak)}` +
        (b ? `; after load ${mb(b.rss)} / peak ${mb(b.peak)}, of it ${mb(b.file)} of files` : ''),
    });
  }
  return rows;
}

function printTable(rows: Row[]): void {
  const header = [
    'measure',
    'conns',
    'req/s',
    'p50 ms',
    'p99 ms',
    'non-2xx',
    'errors',
    'timeouts',
    'cache hits',
  ];
  const cells = (r: LoadRun) => [
    r.name,
    String(r.connections),
    String(r.reqPerSec),
    String(r.latencyMs.p50),
    String(r.latencyMs.p99),
    String(r.non2xx),
    String(r.errors),
    String(r.timeouts),
    r.cacheHitShare === undefined ? '' : `${Math.round(r.cacheHitShare * 100)}%`,
  ];
  const widths = header.map((h) => h.length);
  for (const row of rows) {
    if ('run' in row) cells(row.run).forEach((c, i) => (widths[i] = Math.max(widths[i]!, c.length)));
    else if ('name' in row) widths[0] = Math.max(widths[0]!, row.name.length);
  }
  const format = (line: string[]) =>
    line.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  log(format(header));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) {
    if ('section' in row) log(`[${row.section}]`);
    else if ('run' in row) log(format(cells(row.run)));
    else log(`${row.name.padEnd(widths[0]!)}  ${row.text}`);
  }
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return (await res.json()) as T;
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof Interrupted) process.exitCode = 130;
  else {
    process.stderr.write(
      `load benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
