import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

import { parsePage, type ParseContext } from '@paperwire/parsers';
import type { Format } from '@paperwire/schema';

import { makeCorpus, type SynthPaper } from './corpus.js';
import { render, RENDITIONS, type Rendition } from './render.js';
import { runFacts, writeReport } from './report.js';

/**
 * Throughput of the parser worker's own path, `parsePage(bytes, ctx)` (decode, detect, parse,
 * normalize, validate, canonicalize), per format on ≥ 10 MB pages, against `JSON.parse` of a
 * JSON document of the same byte size (the hf-json rendition of the same synthetic papers,
 * cut to size), which is the fastest way V8 turns bytes into objects.
 */
const MIN_BYTES = 10_000_000;
const WARMUP = 2;
const ITERATIONS = 10;
const SEED = 20251103;

const TARGET_MB_S: Record<Rendition, number> = {
  'hf-text': 100,
  'hf-json': 100,
  'hf-html': 50,
  'arxiv-atom': 20,
  'arxiv-rss': 20,
  'arxiv-rss-1.0': 20,
};

const FORMAT_OF: Record<Rendition, Format> = {
  'hf-text': 'hf-text',
  'hf-json': 'hf-json',
  'hf-html': 'hf-html',
  'arxiv-atom': 'arxiv-atom',
  'arxiv-rss': 'arxiv-rss',
  'arxiv-rss-1.0': 'arxiv-rss',
};

interface Row {
  rendition: Rendition;
  format: Format;
  bytes: number;
  papers: number;
  medianMs: number;
  bestMs: number;
  /** From the median run. */
  mbPerS: number;
  /** From the fastest run: what the code does when nothing else competes for the CPU. */
  bestMbPerS: number;
  papersPerS: number;
  jsonParseMbPerS: number;
  ratioToJsonParse: number;
  targetMbPerS: number;
  meetsTarget: boolean;
}

const encoder = new TextEncoder();

function main(): void {
  const loadBefore = loadavg()[0];
  const corpus = makeCorpus(40_000, SEED);
  const rows: Row[] = [];
  for (const rendition of RENDITIONS) rows.push(benchRendition(rendition, corpus));
  printTable(rows);
  console.log(
    '\nMB = 10^6 bytes. ok: median run meets the target. Baseline (JSON.parse MB/s): TextDecoder +' +
      ' JSON.parse of the hf-json rendition of the same papers, cut to the same byte size, timed' +
      ` alternately with parsePage. Load average ${loadBefore?.toFixed(2)} before, ${loadavg()[0]?.toFixed(2)} after.`,
  );
  writeReport('parse', {
    benchmark: 'parse',
    ...runFacts(loadBefore),
    iterations: ITERATIONS,
    warmup: WARMUP,
    seed: SEED,
    megabyte: '10^6 bytes',
    baseline:
      'TextDecoder + JSON.parse of an hf-json rendition of the same papers, cut to the same byte size',
    rows,
  });
}

function benchRendition(rendition: Rendition, corpus: readonly SynthPaper[]): Row {
  const bytes = encoder.encode(render(rendition, sizedPrefix(rendition, corpus, MIN_BYTES)));
  const ctx: ParseContext = {
    url: `https://example.org/${rendition}`,
    sourceName: 'bench',
    capturedAt: '2025-11-03T12:00:00.000Z',
    contentType: null,
    formatHint: null,
  };
  const first = parsePage(bytes, ctx);
  if (first.format !== FORMAT_OF[rendition]) {
    throw new Error(`${rendition} was detected as ${first.format}`);
  }
  const papers = first.papers.length;
  const json = jsonOfSize(corpus, bytes.length);
  const decoder = new TextDecoder();
  const [times, jsonTimes] = timeInterleaved(
    () => parsePage(bytes, ctx),
    () => JSON.parse(decoder.decode(json)),
  );

  const medianMs = median(times);
  const bestMs = Math.min(...times);
  const jsonMs = median(jsonTimes);
  const mbPerS = bytes.length / 1e6 / (medianMs / 1000);
  const bestMbPerS = bytes.length / 1e6 / (bestMs / 1000);
  const jsonParseMbPerS = json.length / 1e6 / (jsonMs / 1000);
  return {
    rendition,
    format: FORMAT_OF[rendition],
    bytes: bytes.length,
    papers,
    medianMs: round(medianMs),
    bestMs: round(bestMs),
    mbPerS: round(mbPerS),
    bestMbPerS: round(bestMbPerS),
    papersPerS: Math.round(papers / (medianMs / 1000)),
    jsonParseMbPerS: round(jsonParseMbPerS),
    ratioToJsonParse: round(mbPerS / jsonParseMbPerS, 3),
    targetMbPerS: TARGET_MB_S[rendition],
    meetsTarget: mbPerS >= TARGET_MB_S[rendition],
  };
}

/** The fewest papers from the corpus whose rendition is at least `minBytes` long. */
function sizedPrefix(rendition: Rendition, corpus: readonly SynthPaper[], minBytes: number): SynthPaper[] {
  const sample = encoder.encode(render(rendition, corpus.slice(0, 200))).length / 200;
  let count = Math.ceil((minBytes / sample) * 1.02);
  for (;;) {
    if (count > corpus.length) throw new Error(`corpus too small for ${minBytes} bytes of ${rendition}`);
    const papers = corpus.slice(0, count);
    if (encoder.encode(render(rendition, papers)).length >= minBytes) return papers;
    count = Math.ceil(count * 1.05);
  }
}

/** An hf-json array of the corpus's papers, with as many entries as fit in `size` bytes, padded to it. */
function jsonOfSize(corpus: readonly SynthPaper[], size: number): Uint8Array {
  const papers = sizedPrefix('hf-json', corpus, size);
  let text = render('hf-json', papers);
  while (encoder.encode(text).length > size && papers.length > 1) {
    papers.pop();
    text = render('hf-json', papers);
  }
  const missing = size - encoder.encode(text).length;
  return encoder.encode(text + ' '.repeat(Math.max(0, missing)));
}

/**
 * Times `a` and `b` alternately, so both see the same load from whatever else runs on the
 * machine, and their ratio means something even when the absolute numbers move.
 */
function timeInterleaved(a: () => unknown, b: () => unknown): [number[], number[]] {
  for (let i = 0; i < WARMUP; i++) {
    a();
    b();
  }
  const timesA: number[] = [];
  const timesB: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    timesA.push(timed(a));
    timesB.push(timed(b));
  }
  return [timesA, timesB];
}

function timed(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function printTable(rows: Row[]): void {
  const header = [
    'format',
    'MB',
    'papers',
    'ms median',
    'ms best',
    'MB/s median',
    'MB/s best',
    'papers/s',
    'JSON.parse MB/s',
    'ratio',
    'target',
    'ok',
  ];
  const body = rows.map((r) => [
    r.rendition,
    (r.bytes / 1e6).toFixed(1),
    String(r.papers),
    r.medianMs.toFixed(1),
    r.bestMs.toFixed(1),
    r.mbPerS.toFixed(1),
    r.bestMbPerS.toFixed(1),
    String(r.papersPerS),
    r.jsonParseMbPerS.toFixed(1),
    r.ratioToJsonParse.toFixed(3),
    String(r.targetMbPerS),
    r.meetsTarget ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of body) console.log(line(row));
}

main();
