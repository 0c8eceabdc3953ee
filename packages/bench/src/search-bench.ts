import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import type { Paper, SearchRequest } from '@paperwire/schema';
import { canonicalPaper, paperIdFromArxiv } from '@paperwire/schema';
import { createSqliteIndex, type SearchIndex } from '@paperwire/search';

import { capital, madeUpWord, madeUpWords, prng } from './corpus.js';
import { runFacts, writeReport } from './report.js';

/**
 * Latency of the embedded SQLite index at scale: a fresh index of 100,000 synthetic papers
 * (titles of 6–14 words, abstracts of about 150 words over a Zipf-distributed vocabulary of
 * tens of thousands of words, a few authors each), written through the adapter, then the query
 * shapes that cost the most: a one-letter prefix (with and without facets), a short prefix, a
 * common word, ten misspelt words, whole-index facets and a sorted placeholder search.
 *
 * The search runs on the gateway's event loop, so its latency is time no other request is
 * served. The report also holds each query's total and first ids, to compare answers across
 * changes to the engine.
 */
/**
 * `--papers N` measures another size; `--index PATH` keeps the index in that file and reuses it
 * on the next run (with the same `--papers`).
 */
const PAPERS = Number(argument('--papers') ?? 100_000);
if (!Number.isSafeInteger(PAPERS) || PAPERS < 1_000)
  throw new Error('--papers takes an integer of at least 1000');
const BATCH = 1_000;
const SEED = 20251103;
const WARMUP = 2;
const ITERATIONS = 10;
/** Distinct made-up words the abstracts draw from, besides the domain words. */
const VOCABULARY = 60_000;

const DOMAIN = (
  'learning model models neural network networks transformer transformers attention diffusion language ' +
  'vision large small efficient robust scalable sparse dense graph reinforcement policy reward agent ' +
  'reasoning retrieval augmented generation benchmark dataset evaluation training inference tuning ' +
  'pretraining supervised contrastive representation embedding token tokens decoding encoder decoder ' +
  'latent variational stochastic gradient descent optimization regularization generalization ' +
  'distillation quantization pruning compression adaptation multimodal video audio speech image ' +
  'segmentation detection tracking point cloud scene rendering radiance field kernel manifold causal ' +
  'fairness privacy federated adversarial uncertainty calibration prediction forecasting anomaly ' +
  'mixture experts memory context scaling alignment preference feedback instruction safety ' +
  'hallucination program synthesis theorem planning robot manipulation navigation control world'
).split(' ');
const GLUE = (
  'the of and a to in for we on with that is by this our from as an are which be at can these it ' +
  'show propose method results approach using based new performance state art'
).split(' ');

interface Shape {
  name: string;
  request: SearchRequest | 'facets';
}

interface Row {
  shape: string;
  /** The request's query text. */
  q: string | null;
  medianMs: number;
  bestMs: number;
  total: number | null;
  ids: string[];
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  const kept = argument('--index');
  const dir = kept ? undefined : mkdtempSync(join(tmpdir(), 'paperwire-search-bench-'));
  const path = kept ?? join(dir!, 'papers.sqlite');
  const reused = kept !== undefined && existsSync(kept);
  const index = createSqliteIndex({ path });
  try {
    await index.ensureSettings();
    const built = performance.now();
    // A kept index is trusted to hold this corpus; only the words the queries need are made again.
    const corpus = await build(reused ? undefined : index);
    const buildSeconds = (performance.now() - built) / 1000;
    console.log(
      `${reused ? 'reused' : 'indexed'} ${PAPERS} papers in ${buildSeconds.toFixed(1)} s (${path})\n`,
    );
    const rows: Row[] = [];
    for (const shape of shapes(corpus)) rows.push(await measure(index, shape));
    printTable(rows);
    writeReport('search', {
      benchmark: 'search',
      engine: 'sqlite',
      ...runFacts(loadBefore),
      papers: PAPERS,
      seed: SEED,
      buildSeconds: Math.round(buildSeconds * 10) / 10,
      iterations: ITERATIONS,
      warmup: WARMUP,
      rows,
    });
  } finally {
    await index.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

interface Corpus {
  /** Made-up words by rank (most frequent first). */
  vocabulary: string[];
  /** A title of a paper in the index. */
  someTitle: string;
}

async function build(index: SearchIndex | undefined): Promise<Corpus> {
  const rand = prng(SEED);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const vocabulary = madeUpWords(rand, VOCABULARY);
  // Zipf (s = 1) over the made-up words: a few are common, most are rare.
  const cumulative: number[] = [];
  let sum = 0;
  for (let rank = 1; rank <= vocabulary.length; rank += 1) cumulative.push((sum += 1 / rank));
  const zipf = (): string => {
    const target = rand() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return vocabulary[lo]!;
  };
  const word = (): string => {
    const r = rand();
    return r < 0.35 ? pick(GLUE) : r < 0.7 ? pick(DOMAIN) : zipf();
  };
  const words = (n: number): string => Array.from({ length: n }, word).join(' ');
  const names = Array.from({ length: 5_000 }, () => capital(madeUpWord(rand, 2)));

  let someTitle = '';
  for (let start = 0; start < PAPERS; start += BATCH) {
    const batch: Paper[] = [];
    for (let i = start; i < Math.min(PAPERS, start + BATCH); i += 1) {
      const arxivId = `${String(15 + (i % 11)).padStart(2, '0')}${String(1 + (i % 12)).padStart(2, '0')}.${String(i).padStart(5, '0')}`;
      const capturedAt = new Date(Date.UTC(2025, 0, 1) + int(0, 300 * 24) * 3_600_000).toISOString();
      const upvotes = rand() < 0.7 ? int(0, 300) : null;
      const sources = [pick(['hf', 'arxiv', 'hf-api'])];
      if (rand() < 0.3) sources.push('rss');
      const title = capital(words(int(6, 14)));
      if (i === Math.floor(PAPERS / 2)) someTitle = title;
      batch.push(
        canonicalPaper({
          id: paperIdFromArxiv(arxivId),
          title,
          abstract: `${capital(words(int(130, 170)))}.`,
          authors: Array.from({ length: int(1, 6) }, () => `${pick(names)} ${pick(names)}`),
          authorCount: null,
          publishedAt: `${int(2015, 2025)}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`,
          upvotes,
          codeUrls: rand() < 0.3 ? [`https://github.com/lab/${i}`] : [],
          arxivId,
          sources: sources.map((name) => ({
            name,
            url: `https://${name}.example/list/${i % 300}`,
            format: name === 'arxiv' ? 'arxiv-atom' : name === 'rss' ? 'arxiv-rss' : 'hf-json',
            capturedAt,
            upvotes: name === sources[0] ? upvotes : null,
          })),
          firstSeenAt: capturedAt,
          lastSeenAt: capturedAt,
        }),
      );
    }
    await index?.upsert(batch);
  }
  return { vocabulary, someTitle };
}

function shapes(corpus: Corpus): Shape[] {
  const page = { limit: 20, offset: 0 };
  const rand = prng(SEED + 1);
  // Ten words of a title, misspelt where long enough to allow a typo (not on the first letter).
  const misspelt = corpus.someTitle
    .toLowerCase()
    .split(' ')
    .slice(0, 10)
    .map((w) => {
      if (w.length < 5) return w;
      const at = 1 + Math.floor(rand() * (w.length - 1));
      return w.slice(0, at) + (w[at] === 'x' ? 'y' : 'x') + w.slice(at + 1);
    })
    .join(' ');
  return [
    { name: 'q=t', request: { q: 't', ...page } },
    { name: 'q=t + 3 facets', request: { q: 't', ...page, facets: ['year', 'hasCode', 'source'] } },
    { name: 'q=tr', request: { q: 'tr', ...page } },
    { name: 'q=tra', request: { q: 'tra', ...page } },
    { name: 'q=model', request: { q: 'model', ...page } },
    { name: 'q=model (complete)', request: { q: 'model ', ...page } },
    { name: 'q=diffusion model', request: { q: 'diffusion model ', ...page } },
    { name: `q=${corpus.vocabulary[2000]} (rare)`, request: { q: `${corpus.vocabulary[2000]} `, ...page } },
    { name: 'q=model, page 50', request: { q: 'model', limit: 20, offset: 1000 } },
    {
      name: 'q=model + filters + highlight',
      request: { q: 'model', ...page, filters: { hasCode: true, years: [2024, 2025] }, highlight: true },
    },
    { name: '10 misspelt words', request: { q: misspelt, ...page } },
    { name: 'facets()', request: 'facets' },
    { name: 'placeholder, publishedAt:desc', request: { q: '', ...page, sort: 'publishedAt:desc' } },
    { name: 'placeholder, 3 facets', request: { q: '', ...page, facets: ['year', 'hasCode', 'source'] } },
  ];
}

async function measure(index: SearchIndex, shape: Shape): Promise<Row> {
  const run = async (): Promise<{ total: number | null; ids: string[] }> => {
    if (shape.request === 'facets') {
      await index.facets();
      return { total: null, ids: [] };
    }
    const response = await index.search(shape.request);
    return { total: response.total, ids: response.hits.map((h) => h.id) };
  };
  let answer = await run();
  for (let i = 1; i < WARMUP; i += 1) await run();
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i += 1) {
    const started = performance.now();
    answer = await run();
    times.push(performance.now() - started);
  }
  return {
    shape: shape.name,
    q: shape.request === 'facets' ? null : shape.request.q,
    medianMs: round(median(times)),
    bestMs: round(Math.min(...times)),
    ...answer,
  };
}

function argument(name: string): string | undefined {
  const args = process.argv.slice(2);
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined) throw new Error(`${name} takes a value`);
  return value;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function printTable(rows: Row[]): void {
  const header = ['query', 'ms median', 'ms best', 'total'];
  const lines = rows.map((r) => [r.shape, r.medianMs.toFixed(1), r.bestMs.toFixed(1), String(r.total ?? '')]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
}

await main();
