#!/usr/bin/env node
import { parseArgs } from 'node:util';

import { FORMATS, FormatSchema, type Format } from '@paperwire/schema';

import type { CliContext } from './cli/context.js';
import type { ReportIo } from './cli/report.js';

// Each command imports what it needs when it runs (`await import`), so a command starts without
// loading what only the others use: `ingest` starts without the search engines (until its
// summary counts the index), the parsers and the app supervisor.

const USAGE = `paperwire: ingest research-paper digests and serve search over them

Usage:
  paperwire up [--no-ingest] [--sources FILE]
      Start Redis (when none is configured or found), the fetcher, parser, indexer and gateway,
      fetch every enabled source once (default: infra/sources.local.yaml, the bundled digests),
      keep them on their schedules, and serve search until Ctrl-C.
  paperwire ingest <url|file|dir>... [--captured-at ISO] [--source NAME] [--format F] [--wait] [--json]
      Queue pages: URLs are fetched by the fetcher; files are archived here and parsed.
      --captured-at  capture time to record (e.g. 2025-11-03); default: now
      --source       source name recorded on each paper (default: the URL's host, or "local")
      --format       ${FORMATS.join('|')} (default: detected)
      --wait         wait until everything queued is indexed, report the counts and each failure
      --json         print the run's summary as one JSON object on stdout (other lines on stderr)
  paperwire backfill --source NAME --from DATE --to DATE [--sources FILE] [--no-wait] [--json]
      Fetch a source whose URL holds {date} once for every day from DATE to DATE (UTC), with a
      progress bar. Interrupt it at will: the same command resumes without fetching a day twice.
  paperwire sources [--sources FILE]
      List the sources with their schedule, last fetch, last status, papers found and freshness.
  paperwire reparse [--source NAME] [--since DATE] [--wait] [--json]
      Parse archived pages again with the current parser, at their original capture times.
  paperwire parse <file> [--format auto|${FORMATS.join('|')}] [--captured-at ISO]
      Print the normalized papers of one file as JSON, one per line (no Redis needed).

Commands that wait accept --timeout SECONDS (default 1800) and print each failure with its
reason (the parser's message, the refusal, the HTTP status) and where its raw page is kept.
Exit status: 0 when everything given ended well, 1 when anything failed or was refused or the
timeout passed (the --json summary's "ok", "done" and "timedOut" tell which), 2 on a usage error.

Environment: REDIS_URL, DATA_DIR (default ./data), SOURCES_FILE, MEILI_URL, MEILI_MASTER_KEY,
QUEUE_PREFIX, GATEWAY_PORT (default 3000), FETCH_* (see README.md), LOG_LEVEL.`;

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);
const reportIo: ReportIo = { out, err, progress: process.stderr };
const DEFAULT_TIMEOUT_S = 1800;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'up':
      return runUp(rest);
    case 'ingest':
      return runIngest(rest);
    case 'backfill':
      return withContext((ctx) => backfillCommand(ctx, rest));
    case 'sources':
      return withContext((ctx) => sourcesCommand(ctx, rest));
    case 'reparse':
      return withContext((ctx) => reparseCommand(ctx, rest));
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

async function withContext(fn: (ctx: CliContext) => Promise<number>): Promise<number> {
  const [{ openContext }, { loadEnv }] = await Promise.all([import('./cli/context.js'), import('./env.js')]);
  const ctx = openContext(loadEnv());
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

function timeoutOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_S * 1000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError(`--timeout: "${value}" is not a number of seconds`);
  return seconds * 1000;
}

async function runUp(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'no-ingest': { type: 'boolean', default: false }, sources: { type: 'string' } },
  });
  const [{ up }, { inheritedEnv, loadEnv }] = await Promise.all([import('./cli/up.js'), import('./env.js')]);
  return up({
    ingestSources: !values['no-ingest'],
    sourcesFile: values.sources,
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
      json: { type: 'boolean', default: false },
      timeout: { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new UsageError('ingest needs at least one URL, file or directory');
  const format = formatOption(values.format);
  const timeoutMs = timeoutOption(values.timeout);
  const say = values.json ? err : out;
  const [{ ingest, newRunId, parseCapturedAt }, { reportRun }] = await Promise.all([
    import('@paperwire/pipeline'),
    import('./cli/report.js'),
  ]);
  return withContext(async (ctx) => {
    const runId = newRunId('ingest');
    await ctx.runs.start(runId, { kind: 'ingest', source: values.source ?? null, expected: 0 });
    await ingest(
      { store: ctx.store, producer: ctx.producer, runs: ctx.runs },
      positionals,
      {
        capturedAt: values['captured-at'] ? parseCapturedAt(values['captured-at']) : null,
        sourceName: values.source ?? null,
        formatHint: format,
        runId,
      },
      (r) => say(`${r.target}: ${r.outcome} (job ${r.jobId})`),
    );
    if (!values.wait) say(`run ${runId}`);
    return reportRun(
      ctx,
      {
        runId,
        wait: values.wait,
        json: values.json,
        timeoutMs,
        extra: async () => {
          const { createSearchIndex, searchConfigOf } = await import('@paperwire/search');
          const index = createSearchIndex(searchConfigOf(ctx.env));
          try {
            const { papers } = await index.stats();
            return { fields: { papersInIndex: papers }, words: `; ${papers} papers in the index` };
          } finally {
            await index.close();
          }
        },
      },
      reportIo,
    );
  });
}

async function backfillCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      source: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      sources: { type: 'string' },
      'no-wait': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      timeout: { type: 'string' },
    },
  });
  if (!values.source || !values.from || !values.to)
    throw new UsageError('backfill needs --source, --from and --to');
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(
      '\ninterrupted: queued fetches continue in the background; run the same command again to resume\n',
    );
    process.exit(130);
  };
  process.once('SIGINT', onSigint);
  const { runBackfill } = await import('./cli/backfill.js');
  try {
    return await runBackfill(
      ctx,
      {
        source: values.source,
        from: values.from,
        to: values.to,
        sourcesFile: values.sources,
        wait: !values['no-wait'],
        json: values.json,
        timeoutMs: timeoutOption(values.timeout),
      },
      reportIo,
    );
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function sourcesCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { sources: { type: 'string' } } });
  const { runSources } = await import('./cli/sources.js');
  return runSources(ctx, values.sources, out);
}

async function reparseCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      source: { type: 'string' },
      since: { type: 'string' },
      wait: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      timeout: { type: 'string' },
    },
  });
  const { runReparse } = await import('./cli/reparse.js');
  return runReparse(
    ctx,
    {
      ...(values.source === undefined ? {} : { source: values.source }),
      ...(values.since === undefined ? {} : { since: values.since }),
      wait: values.wait,
      json: values.json,
      timeoutMs: timeoutOption(values.timeout),
    },
    reportIo,
  );
}

async function runParse(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: 'string' }, 'captured-at': { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError('parse needs exactly one file');
  const [{ parseCapturedAt }, { ParseError, parseFile }] = await Promise.all([
    import('@paperwire/pipeline'),
    import('./cli/parse.js'),
  ]);
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

/**
 * Exits once stdout and stderr have taken all that was written to them: into a pipe, a write
 * past its buffer is still pending, and `process.exit` alone would drop it (`paperwire parse
 * big.json | jq` would see the first 64 KiB).
 */
function exitAfterOutput(code: number): void {
  const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((r) => stream.write('', () => r()));
  void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => process.exit(code));
}

main(process.argv.slice(2)).then(exitAfterOutput, (error: unknown) => {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`paperwire: ${(error as Error).message}\n\n${USAGE}\n`);
    exitAfterOutput(2);
    return;
  }
  process.stderr.write(`paperwire: ${error instanceof Error ? error.message : String(error)}\n`);
  exitAfterOutput(1);
});
