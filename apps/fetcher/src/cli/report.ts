import {
  describeRun,
  failedCount,
  RunTimeoutError,
  waitForRun,
  type RunFailure,
  type Runs,
  type RunState,
} from '@paperwire/pipeline';
import type { RawStore } from '@paperwire/rawstore';

import { progressReporter, type ProgressStream } from './progress.js';

/** Exit codes of the commands that follow a run (`ingest`, `backfill`, `reparse`). */
export const EXIT = {
  /** Everything the run was given ended well (or the command did not wait). */
  ok: 0,
  /** Something the run was given failed or was refused, or the run was not done by --timeout. */
  failed: 1,
} as const;

/** A failure as reported: the run's record, and where the page's body can be looked at. */
export interface ReportedFailure extends RunFailure {
  /** The raw store file holding the page's body (gzip); null when none was archived. */
  rawPath: string | null;
}

/** What `--json` prints: the run's counts, whether it ended well, and every failure with its reason. */
export interface RunSummary extends RunState {
  /** Done, and nothing failed or was refused. */
  ok: boolean;
  /** The command stopped waiting at --timeout; the run goes on. */
  timedOut: boolean;
  /** Failed or refused at any stage: fetches, pages and chunks. */
  failedTotal: number;
  failures: ReportedFailure[];
  [field: string]: unknown;
}

export interface ReportIo {
  /** The result: the summary line, or with --json the summary object and nothing else. */
  out(line: string): void;
  /** What a person reads besides: failures, timeouts, and with --json every other line. */
  err(line: string): void;
  progress: ProgressStream;
}

export interface ReportOptions {
  runId: string;
  wait: boolean;
  json: boolean;
  timeoutMs: number;
  intervalMs?: number;
  /** What the progress line counts against `expected`. */
  unit?: string;
  /** Said after a timeout: what becomes of the work the command stops watching. */
  timeoutHint?: string;
  /** What the command adds to the summary: fields for --json, words for the summary line. */
  extra?: (state: RunState) => Promise<{ fields: Record<string, unknown>; words: string }>;
}

/** Failures listed on the terminal; --json lists every one. */
const MAX_FAILURE_LINES = 50;

/**
 * Follows a run to its end (with `wait`) and reports it: the counts, then each failure with its
 * reason and where its page is kept, or with `json` one summary object on stdout. Returns the
 * exit code: `EXIT.failed` when anything failed or was refused, or the wait timed out.
 */
export async function reportRun(
  deps: { runs: Runs; store: RawStore },
  opts: ReportOptions,
  io: ReportIo,
): Promise<number> {
  const say = opts.json ? io.err : io.out;
  let state: RunState | null = null;
  let timedOut = false;
  if (opts.wait) {
    const progress = progressReporter(io.progress, opts.unit);
    try {
      state = await waitForRun(deps.runs, opts.runId, {
        timeoutMs: opts.timeoutMs,
        ...(opts.intervalMs === undefined ? {} : { intervalMs: opts.intervalMs }),
        onProgress: (s) => progress.update(s),
      });
    } catch (error) {
      if (!(error instanceof RunTimeoutError)) throw error;
      progress.end();
      timedOut = true;
      state = error.state;
      io.err(`paperwire: ${error.message}${opts.timeoutHint ? `; ${opts.timeoutHint}` : ''}`);
    } finally {
      progress.end();
    }
  } else {
    if (!opts.json) return EXIT.ok;
    state = await deps.runs.get(opts.runId);
  }

  const current = state ?? emptyState(opts.runId);
  const failures = await reportedFailures(deps.store, await deps.runs.failures(opts.runId));
  const extra = opts.extra ? await opts.extra(current) : { fields: {}, words: '' };
  if (opts.wait && !timedOut) say(`done: ${describeRun(current)}${extra.words}`);
  for (const line of failureLines(current, failures)) io.err(line);
  const summary = summarize(current, failures, timedOut, extra.fields);
  if (opts.json) io.out(JSON.stringify(summary));
  if (!opts.wait) return EXIT.ok;
  return summary.ok ? EXIT.ok : EXIT.failed;
}

export function summarize(
  state: RunState,
  failures: ReportedFailure[],
  timedOut: boolean,
  fields: Record<string, unknown> = {},
): RunSummary {
  const failedTotal = failedCount(state);
  return {
    ...state,
    ...fields,
    ok: state.done && !timedOut && failedTotal === 0,
    timedOut,
    failedTotal,
    failures,
  };
}

/**
 * The run's failures with the file of each archived page. A chunk's failure names its page by
 * manifest; the manifest gives its URL, source and body.
 */
export async function reportedFailures(store: RawStore, failures: RunFailure[]): Promise<ReportedFailure[]> {
  const reported: ReportedFailure[] = [];
  for (const failure of failures) {
    let { pageKey, url, source } = failure;
    if (pageKey === null && failure.manifestId !== null) {
      try {
        const page = await store.manifest(failure.manifestId);
        pageKey = page.key;
        url ??= page.url;
        source ??= page.sourceName;
      } catch {
        // A manifest this store does not hold (another DATA_DIR): the failure is still reported.
      }
    }
    reported.push({
      ...failure,
      pageKey,
      url,
      source,
      rawPath: pageKey === null ? null : store.bodyFile(pageKey),
    });
  }
  return reported;
}

/** Two lines per failure: what failed and why, then its HTTP status and where its page is kept. */
export function failureLines(state: RunState, failures: ReportedFailure[]): string[] {
  const lines: string[] = [];
  for (const f of failures.slice(0, MAX_FAILURE_LINES)) {
    const source = f.source === null ? '' : ` (source ${f.source})`;
    const [first, ...more] = f.reason.split('\n');
    lines.push(`${f.outcome}: ${subjectOf(f)}${source}: ${first}`, ...more.map((line) => `    ${line}`));
    const status = f.httpStatus === null ? '' : `HTTP ${f.httpStatus}; `;
    const kept = f.rawPath === null ? 'raw page: none archived' : `raw page: ${f.pageKey} in ${f.rawPath}`;
    lines.push(`  ${status}${kept}`);
  }
  if (failures.length > MAX_FAILURE_LINES) {
    lines.push(`… and ${failures.length - MAX_FAILURE_LINES} more failures (--json lists every one)`);
  }
  const unexplained = failedCount(state) - failures.length;
  if (unexplained > 0) {
    lines.push(
      `${unexplained} more failed without a recorded reason: see the apps' logs and the failed jobs (/admin/queues)`,
    );
  }
  return lines;
}

function subjectOf(f: ReportedFailure): string {
  switch (f.stage) {
    case 'fetch':
      return `fetch of ${f.url ?? 'an unknown URL'}`;
    case 'parse':
      return `parse of ${f.url ?? f.pageKey ?? 'a page'}`;
    case 'index':
      return `index write of ${f.jobId ?? 'a chunk'}${f.url === null ? '' : ` from ${f.url}`}`;
  }
}

function emptyState(runId: string): RunState {
  return {
    runId,
    kind: 'unknown',
    source: null,
    startedAt: null,
    expected: 0,
    fetched: 0,
    unchanged: 0,
    failed: 0,
    refused: 0,
    skipped: 0,
    pagesPending: 0,
    pagesParsed: 0,
    pagesFailed: 0,
    chunksPending: 0,
    chunksFailed: 0,
    papersIndexed: 0,
    papersSighted: 0,
    done: false,
  };
}
