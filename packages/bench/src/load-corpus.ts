import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { paperIdFromArxiv } from '@paperwire/schema';

import { capital, madeUpWord, madeUpWords, prng, type SynthPaper } from './corpus.js';
import { render } from './render.js';

/**
 * The corpus and the queries of the load benchmark. Papers read like ML abstracts: a few words
 * ("learning", "data", "model") are in most of them, the domain words in many, and a Zipf-
 * distributed made-up vocabulary gives every paper rare words of its own, so a query can be
 * cheap (a rare word) or expensive (a word most papers hold), as real queries are.
 */

export const PAGE_SIZE = 100;
/** Made-up words the corpus draws from, besides the common and domain words. */
const VOCABULARY = 60_000;

/** In most papers. */
const COMMON = 'learning data model models training method results performance'.split(' ');
const DOMAIN = (
  'neural network networks transformer transformers attention diffusion language vision large ' +
  'small efficient robust scalable sparse dense graph reinforcement policy reward agent reasoning ' +
  'retrieval augmented generation benchmark dataset evaluation inference tuning pretraining ' +
  'supervised contrastive representation embedding token tokens decoding encoder decoder latent ' +
  'variational stochastic gradient descent optimization regularization generalization ' +
  'distillation quantization pruning compression adaptation multimodal video audio speech image ' +
  'segmentation detection tracking point cloud scene rendering radiance field kernel manifold ' +
  'causal fairness privacy federated adversarial uncertainty calibration prediction forecasting ' +
  'anomaly mixture experts memory context scaling alignment preference feedback instruction ' +
  'safety hallucination program synthesis theorem planning robot manipulation navigation control world'
).split(' ');
const GLUE = (
  'the of and a to in for we on with that is by this our from as an are which be at can these it ' +
  'show propose new state art'
).split(' ');
const CATEGORIES = ['cs.LG', 'cs.CL', 'cs.CV', 'cs.AI', 'stat.ML'];

/** The words the queries of the load benchmark draw from (`zipfQueries`, `distinctQueries`). */
export type QueryWords = Pick<LoadCorpus, 'ranked' | 'vocabulary'>;

export interface LoadCorpus {
  /** Pages written, one hf-json file of PAGE_SIZE papers each (the last may hold fewer). */
  pages: number;
  bytes: number;
  /** Every paper's id, as the API names it (`arxiv-2301_00001`). */
  ids: string[];
  /** Query words by rank, most frequent first: common, domain, then the made-up words. */
  ranked: string[];
  /** The made-up words by rank. */
  vocabulary: string[];
}

/**
 * Writes `count` seeded papers as Hugging Face daily-papers API pages into `dir`. Pages are
 * rendered and written one at a time, so a large corpus never sits in memory as text.
 */
export async function writeLoadCorpus(
  dir: string,
  count: number,
  seed: number,
  onProgress: (papersWritten: number) => void = () => undefined,
): Promise<LoadCorpus> {
  await mkdir(dir, { recursive: true });
  const rand = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const vocabulary = madeUpWords(rand, VOCABULARY);
  const zipf = zipfSampler(vocabulary.length, rand);
  const word = (): string => {
    const r = rand();
    if (r < 0.08) return pick(COMMON);
    if (r < 0.35) return pick(GLUE);
    if (r < 0.65) return pick(DOMAIN);
    return vocabulary[zipf()]!;
  };
  const words = (n: number): string => Array.from({ length: n }, word).join(' ');
  const names = Array.from({ length: 5_000 }, () => capital(madeUpWord(rand, 2 + (rand() < 0.3 ? 1 : 0))));

  const ids: string[] = [];
  let bytes = 0;
  let pages = 0;
  for (let start = 0; start < count; start += PAGE_SIZE) {
    const batch: SynthPaper[] = [];
    for (let i = start; i < Math.min(count, start + PAGE_SIZE); i += 1) {
      // 120 months of ids, numbered within each month: distinct for up to 12 million papers.
      const monthIndex = i % 120;
      const year = 2015 + Math.floor(monthIndex / 12);
      const month = 1 + (monthIndex % 12);
      const arxivId = `${String(year % 100).padStart(2, '0')}${String(month).padStart(2, '0')}.${String(1 + Math.floor(i / 120)).padStart(5, '0')}`;
      ids.push(paperIdFromArxiv(arxivId));
      const sentences: string[] = [];
      let left = int(120, 220);
      while (left > 0) {
        const n = Math.min(left, int(12, 28));
        sentences.push(`${capital(words(n))}.`);
        left -= n;
      }
      const githubRepo = rand() < 0.3 ? `https://github.com/${pick(names)}Lab/${pick(DOMAIN)}-${i}` : null;
      batch.push({
        arxivIdWithVersion: `${arxivId}v${int(1, 3)}`,
        title: capital(words(int(8, 12))),
        abstract: sentences.join(' '),
        authors: Array.from({ length: int(1, 8) }, () => `${pick(names)} ${pick(names)}`),
        publishedAt: `${year}-${String(month).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`,
        upvotes: rand() < 0.8 ? int(0, 300) : null,
        githubRepo,
        category: pick(CATEGORIES),
      });
    }
    const text = render('hf-json', batch);
    await writeFile(join(dir, `page-${String(pages).padStart(5, '0')}.json`), text);
    bytes += Buffer.byteLength(text);
    pages += 1;
    onProgress(Math.min(count, start + PAGE_SIZE));
  }
  return { pages, bytes, ids, ...queryWords(vocabulary) };
}

/**
 * The query words of the corpus `writeLoadCorpus` writes with `seed`, without writing it: to
 * query an index that a run with the same seed kept (`--keep`).
 */
export function loadCorpusWords(seed: number): QueryWords {
  // The vocabulary is the first thing `writeLoadCorpus` draws.
  return queryWords(madeUpWords(prng(seed), VOCABULARY));
}

function queryWords(vocabulary: string[]): QueryWords {
  return { ranked: [...COMMON, ...DOMAIN, ...vocabulary], vocabulary };
}

/**
 * A page of one new paper whose title holds a word no other paper has, for timing how soon a
 * page is searchable: ids and dates past the corpus's, so it adds a paper rather than a sighting.
 */
export async function writeProbePage(dir: string, seed: number): Promise<{ file: string; word: string }> {
  await mkdir(dir, { recursive: true });
  const rand = prng(seed);
  const word = `probe${madeUpWord(rand, 3)}`;
  const paper: SynthPaper = {
    arxivIdWithVersion: `3001.${String(1 + Math.floor(rand() * 99_999)).padStart(5, '0')}v1`,
    title: `A ${word} of freshness`,
    abstract: `We measure how soon a new ${word} page is searchable.`,
    authors: ['Probe Author'],
    publishedAt: '2030-01-01',
    upvotes: 1,
    githubRepo: null,
    category: 'cs.LG',
  };
  const file = join(dir, `probe-${seed}.json`);
  await writeFile(file, render('hf-json', [paper]));
  return { file, word };
}

/** Index of a Zipf (s = 1) distributed rank in `[0, n)`: rank 0 most often. */
export function zipfSampler(n: number, rand: () => number): () => number {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let rank = 1; rank <= n; rank += 1) cumulative[rank - 1] = sum += 1 / rank;
  return () => {
    const target = rand() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** One typo past the first letter (users rarely get the first one wrong): swap, drop or replace. */
export function misspell(word: string, rand: () => number): string {
  if (word.length < 4) return word;
  const at = 1 + Math.floor(rand() * (word.length - 1));
  const kind = rand();
  if (kind < 0.3 && at < word.length - 1)
    return word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2);
  if (kind < 0.5) return word.slice(0, at) + word.slice(at + 1);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let letter = letters[Math.floor(rand() * letters.length)]!;
  if (letter === word[at]) letter = letter === 'z' ? 'a' : String.fromCharCode(letter.charCodeAt(0) + 1);
  return word.slice(0, at) + letter + word.slice(at + 1);
}

/**
 * Queries as users type them: one to three words, each drawn by Zipf rank from the corpus words,
 * one in ten with a typo. Popular queries come back again and again, which is what a cache in
 * front of the engine is for.
 */
export function zipfQueries(corpus: QueryWords, seed: number): () => string {
  const rand = prng(seed);
  const zipf = zipfSampler(corpus.ranked.length, rand);
  return () => {
    const r = rand();
    const n = r < 0.5 ? 1 : r < 0.85 ? 2 : 3;
    const words = Array.from({ length: n }, () => corpus.ranked[zipf()]!);
    if (rand() < 0.1) {
      const at = Math.floor(rand() * n);
      words[at] = misspell(words[at]!, rand);
    }
    return words.join(' ');
  };
}

/**
 * Queries that never repeat in a run, whatever the order of their words: a popular word with a
 * word picked uniformly from the made-up vocabulary, a word with a misspelling not seen before,
 * or three words. No answer cache can serve them, and a fresh misspelling makes the engine
 * expand a typo it has not expanded yet.
 */
export function distinctQueries(corpus: QueryWords, seed: number): () => string {
  const rand = prng(seed);
  const zipf = zipfSampler(corpus.ranked.length, rand);
  const uniform = () => corpus.vocabulary[Math.floor(rand() * corpus.vocabulary.length)]!;
  const popular = () => corpus.ranked[zipf()]!;
  const seen = new Set<string>();
  const typos = new Set<string>();
  return () => {
    for (;;) {
      const r = rand();
      let words: string[];
      if (r < 0.4) words = [popular(), uniform()];
      else if (r < 0.7) {
        const typo = misspell(uniform(), rand);
        if (typos.has(typo)) continue;
        typos.add(typo);
        words = [popular(), typo];
      } else words = [popular(), popular(), uniform()];
      if (new Set(words).size < words.length) continue;
      const key = [...words].sort().join(' ');
      if (seen.has(key)) continue;
      seen.add(key);
      return words.join(' ');
    }
  };
}
