import { randomBytes } from 'node:crypto';

import type { Producer } from '@paperwire/queue';
import type { Redis } from 'ioredis';

import { connected, keys, redisOf } from './keys.js';

/** How long a run's counters are kept after its last change. */
export const RUN_TTL_MS = 7 * 24 * 3_600_000;

export type RunKind = 'ingest' | 'backfill' | 'tick' | 'reparse' | 'up';
/** How one fetch of a run ended. `skipped`: a backfill day already done by an earlier run. */
export type FetchOutcome = 'fetched' | 'unchanged' | 'failed' | 'refused' | 'skipped';
const FETCH_OUTCOMES: FetchOutcome[] = ['fetched', 'unchanged', 'failed', 'refused', 'skipped'];

export interface RunState {
  runId: string;
  kind: string;
  source: string | null;
  startedAt: string | null;
  /** Fetches (and archived files) the run was given. */
  expected: number;
  fetched: number;
  unchanged: number;
  failed: number;
  refused: number;
  skipped: number;
  /** Pages queued for the parser and not yet parsed (or failed). */
  pagesPending: number;
  pagesParsed: number;
  pagesFailed: number;
  /** Paper chunks queued for the indexer and not yet written (or failed). */
  chunksPending: number;
  chunksFailed: number;
  papersIndexed: number;
  papersSighted: number;
  /** Every fetch has ended and nothing the run queued is still pending. */
  done: boolean;
}

/** Where in the pipeline an item of a run failed: its fetch, its page's parse, or a chunk's write. */
export type FailureStage = 'fetch' | 'parse' | 'index';

/** Why one fetch, page or chunk of a run failed for good, as recorded when it did. */
export interface RunFailure {
  stage: FailureStage;
  outcome: 'failed' | 'refused';
  /** What it failed with: the parser's message, the refusal, the HTTP answer, the write error. */
  reason: string;
  /** The URL fetched, or the URL of the page parsed or indexed, when known. */
  url: string | null;
  source: string | null;
  /** The HTTP status of the answer that failed a fetch; null when no answer failed it. */
  httpStatus: number | null;
  /** Raw store key of the page's body, when one was archived (parse and index failures). */
  pageKey: string | null;
  manifestId: string | null;
  jobId: string | null;
  at: string;
}

/** What the stage that gives an item up knows about why; the rest is filled in by `Runs`. */
export type FailureDetail = Pick<RunFailure, 'reason'> &
  Partial<Pick<RunFailure, 'url' | 'source' | 'httpStatus' | 'pageKey' | 'manifestId' | 'jobId'>>;

/**
 * Longest reason kept: enough for any parser message with its preview of the first bytes, while a
 * run of thousands of failed pages stays small in Redis.
 */
const MAX_REASON_CHARS = 2_000;

const STAGE_ORDER: Record<FailureStage, number> = { fetch: 0, parse: 1, index: 2 };

// An item (one fetch, page or chunk of a run) moves from absent or `pending` to a final state
// once; counters change only on that move, so a job retried or run twice counts once. A close
// that arrives before its open (an indexer faster than the parser's bookkeeping) counts too, and
// the late open is then a no-op.
const OPEN = `
if redis.call('HSETNX', KEYS[2], ARGV[1], 'pending') == 1 then
  redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1`;

// The reason of a failure (ARGV[5], empty for none) is written in the same step as the outcome
// that counts it: a failure counted is never left without its reason by a write lost between two.
const CLOSE = `
local prev = redis.call('HGET', KEYS[2], ARGV[1])
if prev and prev ~= 'pending' then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if prev == 'pending' and ARGV[3] ~= '' then redis.call('HINCRBY', KEYS[1], ARGV[3], -1) end
for i = 6, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[5])
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1`;

// A failed or refused fetch given another chance (a resumed backfill): forget its outcome.
const REOPEN = `
local prev = redis.call('HGET', KEYS[2], ARGV[1])
if prev == 'failed' or prev == 'refused' then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('HINCRBY', KEYS[1], prev, -1)
  return prev
end
return false`;

const START = `
for i = 1, #ARGV - 1, 2 do redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[#ARGV])
return 1`;

/** A new run id: kind, UTC time and a random suffix (`ingest-20251103T080000Z-3f9a1c`). */
export function newRunId(kind: RunKind): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${kind}-${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * Per-run counters in Redis, written by every stage as a run's jobs settle: the fetcher counts
 * fetches and opens pages, the parser closes pages and opens chunks, the indexer closes chunks.
 */
export class Runs {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Runs kept beside a Producer's queues, on its connection. */
  static async of(producer: Producer): Promise<Runs> {
    const { redis, prefix } = await redisOf(producer);
    return new Runs(redis, prefix);
  }

  private keys(runId: string): [string, string, string] {
    return [
      keys.run(this.prefix, runId),
      keys.runItems(this.prefix, runId),
      keys.runFailures(this.prefix, runId),
    ];
  }

  /** Records a run's kind, source and start; idempotent (the first call's values stay). */
  async start(
    runId: string,
    meta: { kind: RunKind; source?: string | null; expected?: number },
  ): Promise<void> {
    await connected(this.redis);
    const fields = ['kind', meta.kind, 'startedAt', new Date().toISOString()];
    if (meta.source) fields.push('source', meta.source);
    if (meta.expected !== undefined) fields.push('expected', String(meta.expected));
    await this.redis.eval(START, 1, keys.run(this.prefix, runId), ...fields, RUN_TTL_MS);
  }

  /** Adds `n` fetches to what the run waits for; call before queueing them. */
  async expect(runId: string, n: number): Promise<void> {
    await connected(this.redis);
    const key = keys.run(this.prefix, runId);
    await this.redis.multi().hincrby(key, 'expected', n).pexpire(key, RUN_TTL_MS).exec();
  }

  /** Ends one fetch of the run; a failed or refused one keeps `failure` as its reason. */
  async closeFetch(
    runId: string,
    item: string,
    outcome: FetchOutcome,
    failure?: FailureDetail,
  ): Promise<boolean> {
    const detail =
      failure && (outcome === 'failed' || outcome === 'refused')
        ? failureRecord('fetch', outcome, failure)
        : '';
    return this.close(runId, `f:${item}`, outcome, '', [[outcome, 1]], detail);
  }

  /** Forgets a failed or refused fetch, so it can run again; returns the outcome forgotten. */
  async reopenFetch(runId: string, item: string): Promise<FetchOutcome | null> {
    await connected(this.redis);
    const [run, items, failures] = this.keys(runId);
    const prev = (await this.redis.eval(REOPEN, 3, run, items, failures, `f:${item}`)) as string | null;
    return (prev as FetchOutcome | null) ?? null;
  }

  /** The outcome of one fetch of the run, or null while it has none. */
  async fetchOutcome(runId: string, item: string): Promise<FetchOutcome | null> {
    await connected(this.redis);
    const value = await this.redis.hget(keys.runItems(this.prefix, runId), `f:${item}`);
    return FETCH_OUTCOMES.includes(value as FetchOutcome) ? (value as FetchOutcome) : null;
  }

  async openPage(runId: string, manifestId: string): Promise<void> {
    await this.open(runId, `p:${manifestId}`, 'pagesPending');
  }

  /** Ends one page of the run; a failed one keeps `failure` as its reason. */
  async closePage(
    runId: string,
    manifestId: string,
    outcome: 'parsed' | 'failed',
    failure?: FailureDetail,
  ): Promise<boolean> {
    const counter = outcome === 'parsed' ? 'pagesParsed' : 'pagesFailed';
    const detail =
      failure && outcome === 'failed' ? failureRecord('parse', 'failed', { ...failure, manifestId }) : '';
    return this.close(runId, `p:${manifestId}`, outcome, 'pagesPending', [[counter, 1]], detail);
  }

  async openChunk(runId: string, jobId: string): Promise<void> {
    await this.open(runId, `c:${jobId}`, 'chunksPending');
  }

  /** Ends one chunk of the run; a failed one keeps `failure` as its reason. */
  async closeChunk(
    runId: string,
    jobId: string,
    outcome: { indexed: number } | { sighted: number } | 'failed',
    failure?: FailureDetail,
  ): Promise<boolean> {
    const detail =
      failure && outcome === 'failed' ? failureRecord('index', 'failed', { ...failure, jobId }) : '';
    const counters: [string, number][] =
      outcome === 'failed'
        ? [['chunksFailed', 1]]
        : 'indexed' in outcome
          ? [['papersIndexed', outcome.indexed]]
          : [['papersSighted', outcome.sighted]];
    return this.close(
      runId,
      `c:${jobId}`,
      outcome === 'failed' ? 'failed' : 'done',
      'chunksPending',
      counters,
      detail,
    );
  }

  async get(runId: string): Promise<RunState | null> {
    await connected(this.redis);
    const raw = await this.redis.hgetall(keys.run(this.prefix, runId));
    if (Object.keys(raw).length === 0) return null;
    const n = (field: string) => Number(raw[field] ?? 0);
    const state: Omit<RunState, 'done'> = {
      runId,
      kind: raw.kind ?? 'unknown',
      source: raw.source ?? null,
      startedAt: raw.startedAt ?? null,
      expected: n('expected'),
      fetched: n('fetched'),
      unchanged: n('unchanged'),
      failed: n('failed'),
      refused: n('refused'),
      skipped: n('skipped'),
      pagesPending: n('pagesPending'),
      pagesParsed: n('pagesParsed'),
      pagesFailed: n('pagesFailed'),
      chunksPending: n('chunksPending'),
      chunksFailed: n('chunksFailed'),
      papersIndexed: n('papersIndexed'),
      papersSighted: n('papersSighted'),
    };
    return { ...state, done: isDone(state) };
  }

  /**
   * Why each failed or refused item of the run failed, oldest first (in pipeline order within the
   * same millisecond). An item that failed without
   * a recorded reason (closed by a stage older than these records) is counted, not listed.
   */
  async failures(runId: string): Promise<RunFailure[]> {
    await connected(this.redis);
    const raw = await this.redis.hgetall(keys.runFailures(this.prefix, runId));
    return Object.entries(raw)
      .map(([item, json]) => ({ item, failure: readFailure(item, json) }))
      .sort(
        (a, b) =>
          a.failure.at.localeCompare(b.failure.at) ||
          STAGE_ORDER[a.failure.stage] - STAGE_ORDER[b.failure.stage] ||
          a.item.localeCompare(b.item),
      )
      .map(({ failure }) => failure);
  }

  private async open(runId: string, item: string, pendingField: string): Promise<void> {
    await connected(this.redis);
    const [run, items] = this.keys(runId);
    await this.redis.eval(OPEN, 2, run, items, item, pendingField, RUN_TTL_MS);
  }

  private async close(
    runId: string,
    item: string,
    outcome: string,
    pendingField: string,
    counters: [string, number][],
    failure = '',
  ): Promise<boolean> {
    await connected(this.redis);
    const [run, items, failures] = this.keys(runId);
    const result = await this.redis.eval(
      CLOSE,
      3,
      run,
      items,
      failures,
      item,
      outcome,
      pendingField,
      RUN_TTL_MS,
      failure,
      ...counters.flat(),
    );
    return result === 1;
  }
}

function failureRecord(stage: FailureStage, outcome: RunFailure['outcome'], detail: FailureDetail): string {
  const reason =
    detail.reason.length > MAX_REASON_CHARS ? `${detail.reason.slice(0, MAX_REASON_CHARS)}…` : detail.reason;
  const record: RunFailure = {
    stage,
    outcome,
    reason,
    url: detail.url ?? null,
    source: detail.source ?? null,
    httpStatus: detail.httpStatus ?? null,
    pageKey: detail.pageKey ?? null,
    manifestId: detail.manifestId ?? null,
    jobId: detail.jobId ?? null,
    at: new Date().toISOString(),
  };
  return JSON.stringify(record);
}

/** A stored failure, read leniently: a record this version cannot read still says which item failed. */
function readFailure(item: string, json: string): RunFailure {
  let value: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(json) as unknown;
    if (typeof parsed === 'object' && parsed !== null) value = parsed as Record<string, unknown>;
  } catch {
    // Kept as an unreadable record below.
  }
  const text = (key: string) => (typeof value[key] === 'string' ? value[key] : null);
  const stage = text('stage');
  return {
    stage: stage === 'fetch' || stage === 'parse' || stage === 'index' ? stage : stageOfItem(item),
    outcome: text('outcome') === 'refused' ? 'refused' : 'failed',
    reason: text('reason') ?? `unreadable failure record of ${item}: ${json.slice(0, 200)}`,
    url: text('url'),
    source: text('source'),
    httpStatus: typeof value.httpStatus === 'number' ? value.httpStatus : null,
    pageKey: text('pageKey'),
    manifestId: text('manifestId'),
    jobId: text('jobId'),
    at: text('at') ?? '',
  };
}

function stageOfItem(item: string): FailureStage {
  return item.startsWith('p:') ? 'parse' : item.startsWith('c:') ? 'index' : 'fetch';
}

export function fetchesSettled(s: Omit<RunState, 'done'>): number {
  return s.fetched + s.unchanged + s.failed + s.refused + s.skipped;
}

function isDone(s: Omit<RunState, 'done'>): boolean {
  return fetchesSettled(s) >= s.expected && s.pagesPending <= 0 && s.chunksPending <= 0;
}

/** Everything that failed in a run, at any stage. */
export function failedCount(s: RunState): number {
  return s.failed + s.refused + s.pagesFailed + s.chunksFailed;
}

/** `68 indexed, 0 failed, 0 unchanged`, plus what else happened (sighted, refused, skipped). */
export function describeRun(s: RunState): string {
  const parts = [`${s.papersIndexed} indexed`, `${failedCount(s)} failed`, `${s.unchanged} unchanged`];
  if (s.papersSighted > 0) parts.push(`${s.papersSighted} sighted`);
  if (s.refused > 0) parts.push(`${s.refused} refused`);
  if (s.skipped > 0) parts.push(`${s.skipped} skipped (done before)`);
  return parts.join(', ');
}

export class RunTimeoutError extends Error {
  override name = 'RunTimeoutError';
  constructor(
    message: string,
    readonly state: RunState | null,
  ) {
    super(message);
  }
}

/**
 * Polls a run until it is done; throws RunTimeoutError (with the last state) after `timeoutMs`.
 * `onProgress` sees every state read.
 */
export async function waitForRun(
  runs: Runs,
  runId: string,
  opts: { timeoutMs: number; intervalMs?: number; onProgress?: (state: RunState) => void },
): Promise<RunState> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 200;
  for (;;) {
    const state = await runs.get(runId);
    if (state) opts.onProgress?.(state);
    if (state?.done) return state;
    if (Date.now() > deadline) {
      const where = state
        ? `${fetchesSettled(state)}/${state.expected} fetches ended, ${state.pagesPending} pages and ${state.chunksPending} chunks pending`
        : 'it never started';
      throw new RunTimeoutError(`run ${runId} not done after ${opts.timeoutMs} ms: ${where}`, state);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
