import { existsSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import { createSqliteIndex, type SearchIndex } from '@paperwire/search';

import { distinctQueries, loadCorpusWords, zipfQueries } from './load-corpus.js';
import { agreement, comparePage, type Agreement } from './relevance.js';
import { integerOption, runFacts, writeReport } from './report.js';

/**
 * The embedded engine's pages against the full ranking, on an index the load benchmark kept
 * (`pnpm bench ingest --keep DIR`): the load benchmark's two query mixes (same seed, same
 * queries) asked of the index as the gateway's readers ask it, and of the same file with every
 * match ranked (`candidates` past any total). Searches choose candidates in rank order and stop
 * early; this says how often that gives the page the full ranking gives, so a change to how
 * candidates are chosen can be judged on relevance as well as speed.
 */

const USAGE =
  'usage: pnpm bench relevance --index DIR|FILE [--queries N] [--seed N] [--limit N]\n' +
  '  DIR: a directory `pnpm bench ingest --keep DIR` kept; FILE: an index file (papers.sqlite)';

interface Options {
  index: string;
  queries: number;
  seed: number;
  limit: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      index: { type: 'string' },
      queries: { type: 'string', default: '100' },
      seed: { type: 'string', default: '20251103' },
      limit: { type: 'string', default: '20' },
    },
  });
  if (values.index === undefined) throw new Error(`--index is required\n${USAGE}`);
  return {
    index: indexFile(resolve(values.index)),
    queries: integerOption('--queries', values.queries, [1, 100_000], USAGE),
    seed: integerOption('--seed', values.seed, [0, 2 ** 31], USAGE),
    limit: integerOption('--limit', values.limit, [1, 100], USAGE),
  };
}

/** Past any total: every match is ranked. */
const EVERY_MATCH = Number.MAX_SAFE_INTEGER;
/** Queries of each mix listed in the report whose page differs from the full ranking's. */
const LISTED = 5;
const PROGRESS_MS = 10_000;

interface QueryRow {
  q: string;
  total: number;
  ids: string[];
  fullIds: string[];
  ms: number;
  fullMs: number;
}

interface MixReport extends Agreement {
  mix: string;
  meanMs: number;
  meanFullMs: number;
  differing: string[];
}

async function main(): Promise<void> {
  const { index: path, queries, seed, limit } = options();
  const loadBefore = loadavg()[0];
  const bounded = createSqliteIndex({ path, readonly: true });
  const full = createSqliteIndex({ path, readonly: true, candidates: EVERY_MATCH });
  try {
    const { papers } = await bounded.stats();
    if (papers === 0) throw new Error(`${path} holds no papers`);
    console.log(
      `paperwire relevance benchmark: ${papers} papers in ${path}; ${queries} queries of each mix (seed ${seed}), first ${limit} hits`,
    );
    const words = loadCorpusWords(seed);
    // The load benchmark's mixes: the same seeds give the same queries.
    const mixes: [string, () => string][] = [
      ['Zipf mix', zipfQueries(words, seed + 1)],
      ['no repeats', distinctQueries(words, seed + 2)],
    ];
    const reports: MixReport[] = [];
    const rows: Record<string, QueryRow[]> = {};
    for (const [mix, next] of mixes) {
      rows[mix] = await compare(mix, Array.from({ length: queries }, next), limit, bounded, full);
      reports.push(summarize(mix, rows[mix]));
    }
    print(reports);
    writeReport('relevance', {
      benchmark: 'relevance',
      engine: 'sqlite',
      ...runFacts(loadBefore),
      index: path,
      papers,
      seed,
      limit,
      mixes: reports,
      queries: rows,
    });
  } finally {
    await bounded.close();
    await full.close();
  }
}

/** The index file a `--keep` directory holds, or the file itself. */
function indexFile(given: string): string {
  if (!existsSync(given)) throw new Error(`--index ${given}: no such file or directory\n${USAGE}`);
  if (!statSync(given).isDirectory()) return given;
  const file = join(given, 'data', 'index', 'papers.sqlite');
  if (!existsSync(file))
    throw new Error(
      `--index ${given}: no data/index/papers.sqlite in it (kept by \`pnpm bench ingest --keep\`?)`,
    );
  return file;
}

async function compare(
  mix: string,
  queries: string[],
  limit: number,
  bounded: SearchIndex,
  full: SearchIndex,
): Promise<QueryRow[]> {
  const rows: QueryRow[] = [];
  let reported = performance.now();
  for (const q of queries) {
    const request = { q, limit, offset: 0 };
    let started = performance.now();
    const page = await bounded.search(request);
    const ms = performance.now() - started;
    started = performance.now();
    const reference = await full.search(request);
    const fullMs = performance.now() - started;
    rows.push({
      q,
      total: reference.total,
      ids: page.hits.map((h) => h.id),
      fullIds: reference.hits.map((h) => h.id),
      ms,
      fullMs,
    });
    if (performance.now() - reported >= PROGRESS_MS) {
      reported = performance.now();
      console.log(`  ${mix}: ${rows.length}/${queries.length} queries`);
    }
  }
  return rows;
}

function summarize(mix: string, rows: QueryRow[]): MixReport {
  const mean = (pick: (r: QueryRow) => number) => rows.reduce((sum, r) => sum + pick(r), 0) / rows.length;
  const comparisons = rows.map((r) => comparePage(r.ids, r.fullIds));
  return {
    mix,
    ...agreement(comparisons),
    meanMs: round(mean((r) => r.ms)),
    meanFullMs: round(mean((r) => r.fullMs)),
    differing: rows
      .filter((_, i) => comparisons[i]?.identical === false)
      .slice(0, LISTED)
      .map((r) => r.q),
  };
}

function print(reports: MixReport[]): void {
  const header = ['mix', 'queries', 'identical', 'same first', 'shared', 'ms', 'full ms'];
  const lines = reports.map((r) => [
    r.mix,
    String(r.queries),
    `${r.identical} (${percent(r.identical / Math.max(1, r.queries))})`,
    `${r.sameFirst} (${percent(r.sameFirst / Math.max(1, r.queries))})`,
    percent(r.meanShared),
    r.meanMs.toFixed(1),
    r.meanFullMs.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(
    `\nqueries with hits, the page against the full ranking's (identical: same ids in the same order)`,
  );
  console.log(row(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(row(line));
  for (const r of reports)
    if (r.differing.length > 0)
      console.log(`${r.mix}, pages that differ: ${r.differing.map((q) => `"${q}"`).join(', ')}`);
}

function percent(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

try {
  await main();
} catch (error) {
  process.stderr.write(
    `relevance benchmark failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
}
