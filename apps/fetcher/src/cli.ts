#!/usr/bin/env node
import { parseArgs } from 'node:util';

import { createRedis, Producer } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';
import { FORMATS, FormatSchema, type Format } from '@paperwire/schema';
import { createSearchIndex } from '@paperwire/search';

import { ingest, parseCapturedAt, pipelineState, waitForIdle } from '@paperwire/pipeline';
import { ParseError, parseFile } from './cli/parse.js';
import { defaultDigestsDir, up } from './cli/up.js';
import { inheritedEnv, loadEnv } from './env.js';

const USAGE = `paperwire: ingest research-paper digests and serve search over them

Usage:
  paperwire up [--no-ingest] [--digests DIR]
      Start Redis (when none is configured or found), the fetcher, parser, indexer and gateway,
      ingest the bundled digests, and serve search until Ctrl-C.
  paperwire ingest <url|file|dir>... [--captured-at ISO] [--source NAME] [--format F] [--wait]
      Queue pages: URLs are fetched by the fetcher; files are archived here and parsed.
      --captured-at  capture time to record (e.g. 2025-11-03); default: now
      --source       source name recorded on each paper (default: the URL's host, or "local")
      --format       ${FORMATS.join('|')} (default: detected)
      --wait         wait until the pipeline is idle and report what the index holds
  paperwire parse <file> [--format auto|${FORMATS.join('|')}] [--captured-at ISO]
      Print the normalized papers of one file as JSON, one per line (no Redis needed).

Environment: REDIS_URL, DATA_DIR (default ./data), MEILI_URL, MEILI_MASTER_KEY, QUEUE_PREFIX,
GATEWAY_PORT (default 3000), LOG_LEVEL. See README.md.`;

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'up':
      return runUp(rest);
    case 'ingest':
      return runIngest(rest);
    case 'parse':
      return runParse(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`paperwire: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

async function runUp(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'no-ingest': { type: 'boolean', default: false }, digests: { type: 'string' } },
  });
  return up({
    ingestBundled: !values['no-ingest'],
    digestsDir: values.digests ?? defaultDigestsDir,
    env: loadEnv(),
    childEnv: inheritedEnv(),
    out,
  });
}

async function runIngest(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'captured-at': { type: 'string' },
      source: { type: 'string' },
      format: { type: 'string' },
      wait: { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) throw new UsageError('ingest needs at least one URL, file or directory');
  const format = formatOption(values.format);
  const env = loadEnv();
  const producer = new Producer({ connection: createRedis(env.REDIS_URL, 'producer'), prefix: env.QUEUE_PREFIX });
  try {
    const failedBefore = values.wait ? (await pipelineState(producer)).failed : 0;
    await ingest(
      { store: RawStore.inDataDir(env.DATA_DIR), producer },
      positionals,
      {
        capturedAt: values['captured-at'] ? parseCapturedAt(values['captured-at']) : null,
        sourceName: values.source ?? null,
        formatHint: format,
      },
      (r) => out(`${r.target}: ${r.outcome} (job ${r.jobId})`),
    );
    if (!values.wait) return 0;
    let last = -1;
    const state = await waitForIdle(producer, {
      timeoutMs: 30 * 60_000,
      onProgress: (s) => {
        if (s.pending !== last) process.stderr.write(`waiting: ${s.pending} jobs pending\n`);
        last = s.pending;
      },
    });
    const index = createSearchIndex({
      meiliUrl: env.MEILI_URL,
      meiliMasterKey: env.MEILI_MASTER_KEY,
      meiliIndex: env.MEILI_INDEX,
      dataDir: env.DATA_DIR,
    });
    const { papers } = await index.stats();
    await index.close();
    out(`done: ${papers} papers in the index; ${state.failed - failedBefore} jobs failed meanwhile`);
    return 0;
  } finally {
    await producer.close();
  }
}

async function runParse(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: 'string' }, 'captured-at': { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError('parse needs exactly one file');
  try {
    await parseFile(
      positionals[0]!,
      {
        format: formatOption(values.format),
        capturedAt: values['captured-at'] ? parseCapturedAt(values['captured-at']) : new Date().toISOString(),
      },
      out,
      (line) => process.stderr.write(`${line}\n`),
    );
    return 0;
  } catch (error) {
    if (error instanceof ParseError) {
      process.stderr.write(`paperwire: cannot parse ${positionals[0]}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function formatOption(value: string | undefined): Format | null {
  if (value === undefined || value === 'auto') return null;
  const parsed = FormatSchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`--format: "${value}" is not one of auto, ${FORMATS.join(', ')}`);
  return parsed.data;
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`paperwire: ${(error as Error).message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`paperwire: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
