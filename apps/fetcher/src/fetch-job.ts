import type { Logger } from '@paperwire/observability';
import { archivePage, fetchItem, type FetchOutcome, type Runs, type SourceState } from '@paperwire/pipeline';
import {
  RetryLaterError,
  UnrecoverableJobError,
  type FinalFailure,
  type JobContext,
  type Producer,
} from '@paperwire/queue';
import { RawPageNotFoundError, sha256Hex, type RawStore } from '@paperwire/rawstore';
import type { JobPayload } from '@paperwire/schema';
import { expandUrl, utcDay } from '@paperwire/sources';
import type { Counter } from 'prom-client';
import type { Dispatcher } from 'undici';

import { readFileSource } from './file.js';
import { fetchHttp, httpStatusOf, TransientFetchError, type HttpResult } from './http.js';
import { HostBusyError, type HostLimit, type HostLimiter } from './rate-limit.js';
import { RefusedFetchError, type FetchPolicy } from './safety.js';
import { tickOf } from './schedules.js';
import type { Validators } from './validators.js';

export interface FetchConfig {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  policy: FetchPolicy;
  fileRoots: readonly string[];
  retryBaseMs: number;
  maxRetryAfterMs: number;
  /**
   * How long a fetch may hold its worker slot waiting for its host's rate limit; a longer wait
   * puts the job off (delayed, no attempt used) instead.
   */
  maxHostWaitMs: number;
}

export interface FetchDeps {
  store: RawStore;
  producer: Producer;
  runs: Runs;
  state: SourceState;
  validators: Validators;
  limiter: HostLimiter;
  dispatcher: Dispatcher;
  config: FetchConfig;
  /** The limit of a host: the strictest its sources ask for, else the defaults. */
  hostLimit: (host: string) => HostLimit;
  logger: Logger;
  fetched: Counter<'result'>;
  refused: Counter;
  /** Aborted when the fetcher closes: a fetch waiting for its host's turn is put off at once. */
  closing?: AbortSignal;
}

export interface FetchJobResult {
  outcome: FetchOutcome;
  url: string;
  pageKey?: string;
  runId?: string;
}

/**
 * One `page.fetch` job: expand the URL for its day, fetch it politely and safely, archive the body
 * and queue it for the parser, and account for it in its run and its source's status.
 */
export async function handleFetch(
  deps: FetchDeps,
  job: JobPayload<'page.fetch'>,
  ctx: JobContext,
): Promise<FetchJobResult> {
  const { tick, url, runId, item } = targetOf(ctx.id, job);
  if (tick && runId) await deps.runs.start(runId, { kind: 'tick', source: job.sourceName, expected: 1 });
  const now = new Date().toISOString();

  let got: { body: Buffer; contentType: string | null; notModified: boolean };
  try {
    got = url.startsWith('file:')
      ? {
          body: await readFileSource(url, deps.config.fileRoots, deps.config.maxBytes),
          contentType: null,
          notModified: false,
        }
      : await fetchOverHttp(deps, url);
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    if (err instanceof UnrecoverableJobError) throw err;
    // Waiting for the host's turn is politeness, not a failure: it never uses up an attempt.
    if (err instanceof HostBusyError) return ctx.delay(Date.now() + hostWaitWithJitter(err.waitMs), 'host');
    // Nor does waiting as long as a server asked, up to FETCH_MAX_RETRY_AFTER_MS in all.
    if (err instanceof TransientFetchError && err.retryAfterMs !== null) {
      const wait = retryAfterWithJitter(err.retryAfterMs);
      if ((await ctx.delayedMs(RETRY_AFTER)) + wait <= deps.config.maxRetryAfterMs) {
        return ctx.delay(Date.now() + wait, RETRY_AFTER);
      }
    }
    // The cause keeps what failed (an HTTP status) for the run's record once attempts run out.
    throw new RetryLaterError(err.message, retryDelayOf(deps.config, err, ctx.attemptsMade + 1), {
      cause: err,
    });
  }

  const archived = await archivePage(
    { store: deps.store, producer: deps.producer, runs: deps.runs },
    got.body,
    {
      url,
      sourceName: job.sourceName,
      capturedAt: job.capturedAt ?? now,
      contentType: got.contentType,
      formatHint: job.formatHint,
    },
    runId,
  );
  const outcome: FetchOutcome = got.notModified || archived.unchanged ? 'unchanged' : 'fetched';
  deps.fetched.inc({ result: got.notModified ? 'not-modified' : archived.unchanged ? 'unchanged' : 'new' });
  // The ledger first: a backfill that sees the fetch ended must also see the day done.
  if (job.date !== undefined && runId) await deps.state.markDay(job.sourceName, job.date, runId);
  if (runId) await deps.runs.closeFetch(runId, item, outcome);
  await deps.state.recordFetch(job.sourceName, {
    at: new Date().toISOString(),
    status: outcome,
    url,
    error: null,
  });
  deps.logger.info(
    { jobId: ctx.id, runId, pageKey: archived.page.key, url, bytes: got.body.length, outcome },
    'page fetched',
  );
  return { outcome, url, pageKey: archived.page.key, ...(runId ? { runId } : {}) };
}

/**
 * The bookkeeping of a fetch job given up for good, whatever failed (the fetch, the archive, the
 * bookkeeping of a success, its payload, or BullMQ itself): its fetch ends in its run as failed
 * or refused, and its source's status says why. The payload is read leniently, as it may be the
 * reason the job failed: whatever of run, URL and source it names is settled.
 */
export async function settleFailedFetch(
  deps: Pick<FetchDeps, 'runs' | 'state' | 'fetched' | 'refused'>,
  failure: FinalFailure,
): Promise<void> {
  const refused = [failure.error, failure.error.cause].some((e) => e instanceof RefusedFetchError);
  const outcome: FetchOutcome = refused ? 'refused' : 'failed';
  if (refused) deps.refused.inc();
  deps.fetched.inc({ result: refused ? 'refused' : 'error' });

  const data = (typeof failure.data === 'object' && failure.data !== null ? failure.data : {}) as Record<
    string,
    unknown
  >;
  const text = (field: string) => (typeof data[field] === 'string' ? data[field] : undefined);
  const sourceName = text('sourceName');
  const rawUrl = text('url');
  if (sourceName === undefined) return;
  let target: ReturnType<typeof targetOf> | undefined;
  if (rawUrl !== undefined) {
    try {
      target = targetOf(failure.jobId, { url: rawUrl, sourceName, date: text('date'), runId: text('runId') });
    } catch {
      // A payload too broken to expand; its source status is still recorded below.
    }
  }
  if (target?.runId !== undefined) {
    if (target.tick) await deps.runs.start(target.runId, { kind: 'tick', source: sourceName, expected: 1 });
    await deps.runs.closeFetch(target.runId, target.item, outcome, {
      reason: failure.error.message,
      url: target.url,
      source: sourceName,
      httpStatus: httpStatusOf(failure.error),
      ...(failure.jobId === '' ? {} : { jobId: failure.jobId }),
    });
  }
  await deps.state.recordFetch(sourceName, {
    at: new Date().toISOString(),
    status: outcome,
    url: target?.url ?? rawUrl ?? '',
    error: failure.error.message,
  });
}

/** The URL a fetch job fetches (its `{date}` expanded) and the run and run item it counts in. */
function targetOf(jobId: string, job: { url: string; sourceName: string; date?: string; runId?: string }) {
  const tick = tickOf(jobId);
  const day = job.date ?? utcDay(tick?.at ?? Date.now());
  const url = expandUrl(job.url, day);
  const runId = job.runId ?? (tick ? `tick-${job.sourceName}-${tick.at}` : undefined);
  return { tick, url, runId, item: fetchItem(job.sourceName, url) };
}

async function fetchOverHttp(
  deps: FetchDeps,
  url: string,
): Promise<{ body: Buffer; contentType: string | null; notModified: boolean }> {
  const host = new URL(url).hostname;
  const previous = await deps.validators.get(url);
  const lease = await deps.limiter.acquire(
    host,
    deps.hostLimit(host),
    deps.config.maxHostWaitMs,
    deps.closing,
  );
  let result: HttpResult;
  try {
    const options = {
      timeoutMs: deps.config.timeoutMs,
      maxBytes: deps.config.maxBytes,
      maxRedirects: deps.config.maxRedirects,
      userAgent: deps.config.userAgent,
      policy: deps.config.policy,
      dispatcher: deps.dispatcher,
    };
    result = await fetchHttp(url, { ...options, validators: previous?.key ? previous : null });
    if (result.status === 'not-modified') {
      const body = previous?.key ? await readArchived(deps.store, previous.key) : null;
      if (body) return { body, contentType: previous?.contentType ?? null, notModified: true };
      // The archived copy is gone (a fresh data directory): ask again, unconditionally.
      result = await fetchHttp(url, { ...options, validators: null });
      if (result.status === 'not-modified') {
        throw new TransientFetchError(`GET ${url} answered 304 to an unconditional request`);
      }
    }
  } finally {
    await deps.limiter.release(lease).catch(() => undefined);
  }
  await deps.validators.set(url, {
    etag: result.etag,
    lastModified: result.lastModified,
    key: sha256Hex(result.body),
    contentType: result.contentType,
  });
  return { body: result.body, contentType: result.contentType, notModified: false };
}

async function readArchived(store: RawStore, key: string): Promise<Buffer | null> {
  try {
    return await store.read(key);
  } catch (error) {
    if (error instanceof RawPageNotFoundError) return null;
    throw error;
  }
}

/** The tally of a job's delays asked for by servers, capped by FETCH_MAX_RETRY_AFTER_MS. */
const RETRY_AFTER = 'retry-after';

/**
 * A host's wait plus up to as much again: the fetches put off together by one busy host come back
 * spread over its following turns, not all at its next one.
 */
function hostWaitWithJitter(waitMs: number): number {
  return Math.round(waitMs * (1 + Math.random()));
}

/** What a server's Retry-After asked for, plus up to a tenth more, so its callers return apart. */
function retryAfterWithJitter(retryAfterMs: number): number {
  return Math.round(retryAfterMs * (1 + Math.random() / 10));
}

/**
 * When to try a failed fetch again: what the server asked for (capped), else exponential backoff
 * from `retryBaseMs` with jitter, so fetches that failed together do not return together.
 */
export function retryDelayOf(
  config: Pick<FetchConfig, 'retryBaseMs' | 'maxRetryAfterMs'>,
  error: Error,
  retry: number,
): number {
  if (error instanceof TransientFetchError && error.retryAfterMs !== null) {
    return Math.min(error.retryAfterMs, config.maxRetryAfterMs);
  }
  const max = config.retryBaseMs * 2 ** Math.max(0, retry - 1);
  return Math.round(max / 2 + Math.random() * (max / 2));
}
