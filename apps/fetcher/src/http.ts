import { UnrecoverableJobError } from '@paperwire/queue';
import { Agent, fetch, type Dispatcher, type Response } from 'undici';

import {
  checkUrl,
  guardedLookup,
  redactUrl,
  refusalIn,
  RefusedFetchError,
  type FetchPolicy,
} from './safety.js';

export interface HttpOptions {
  /** For the whole fetch: every redirect hop and the body. */
  timeoutMs: number;
  /** Limit on the decoded body; the connection is cut as soon as it is passed. */
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  policy: FetchPolicy;
  /** From `createFetchAgent`: connects only to addresses the policy allows. */
  dispatcher: Dispatcher;
  /** The validators of the last fetch of this URL, for a conditional request. */
  validators?: { etag: string | null; lastModified: string | null } | null;
}

export type HttpResult =
  | {
      status: 'ok';
      body: Buffer;
      contentType: string | null;
      /** The URL that answered, after redirects. */
      finalUrl: string;
      etag: string | null;
      lastModified: string | null;
    }
  | { status: 'not-modified'; finalUrl: string };

/** A response that retrying will not fix (a 4xx other than 408/429, too large, a redirect loop). */
export class PermanentFetchError extends UnrecoverableJobError {
  override name = 'PermanentFetchError';
  constructor(
    message: string,
    /** The status of the answer that failed the fetch; null when no answer did. */
    readonly httpStatus: number | null = null,
  ) {
    super(message);
  }
}

/** A failure a later attempt may not meet: network errors, timeouts, 5xx, 408, 429. */
export class TransientFetchError extends Error {
  override name = 'TransientFetchError';
  constructor(
    message: string,
    /** What the server asked for with Retry-After (429, 503), in ms; null when it did not say. */
    readonly retryAfterMs: number | null = null,
    /** The status of the answer that failed the fetch; null when no answer did. */
    readonly httpStatus: number | null = null,
  ) {
    super(message);
  }
}

/**
 * The HTTP status behind a fetch's failure, looked for along the error's causes (the worker and
 * the retry logic wrap what the fetch threw); null when it failed without an answer.
 */
export function httpStatusOf(error: unknown): number | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (current instanceof PermanentFetchError || current instanceof TransientFetchError) {
      if (current.httpStatus !== null) return current.httpStatus;
    }
    current = current.cause;
  }
  return null;
}

/**
 * The connection pool of the fetcher. Its lookup refuses forbidden addresses at connect time, so
 * the address checked is the address connected to.
 */
export function createFetchAgent(opts: {
  connectTimeoutMs: number;
  policy: FetchPolicy;
  idleTimeoutMs: number;
}): Agent {
  return new Agent({
    connect: { timeout: opts.connectTimeoutMs, lookup: guardedLookup(opts.policy) },
    headersTimeout: opts.idleTimeoutMs,
    bodyTimeout: opts.idleTimeoutMs,
    keepAliveTimeout: 10_000,
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const ACCEPT =
  'text/html, application/json, application/atom+xml, application/rss+xml, text/plain;q=0.9, */*;q=0.5';

/**
 * GETs one page. Redirects are followed by hand, at most `maxRedirects`, and every hop's URL is
 * checked before anything is sent to it. gzip and brotli bodies are decoded, and the size limit
 * applies to the decoded bytes. A 304 to a conditional request is `not-modified`.
 */
export async function fetchHttp(url: string, opts: HttpOptions): Promise<HttpResult> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new TransientFetchError(`timed out after ${opts.timeoutMs} ms fetching ${url}`)),
    opts.timeoutMs,
  );
  let current = new URL(url);
  try {
    for (let hop = 0; ; hop += 1) {
      checkUrl(current, opts.policy);
      const res = await send(current, opts, controller.signal);
      if (REDIRECTS.has(res.status)) {
        const location = res.headers.get('location');
        await discard(res);
        if (!location)
          throw new PermanentFetchError(
            `GET ${redactUrl(current)} answered ${res.status} without a Location`,
            res.status,
          );
        if (hop >= opts.maxRedirects) {
          throw new PermanentFetchError(
            `GET ${url}: more than ${opts.maxRedirects} redirects (last to ${location})`,
          );
        }
        current = new URL(location, current);
        continue;
      }
      if (res.status === 304) {
        await discard(res);
        return { status: 'not-modified', finalUrl: current.href };
      }
      if (res.status < 200 || res.status > 299) {
        await discard(res);
        throw statusError(current, res);
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (!res.headers.get('content-encoding') && Number.isFinite(declared) && declared > opts.maxBytes) {
        controller.abort();
        throw new PermanentFetchError(
          `GET ${current.href}: body of ${declared} bytes exceeds the ${opts.maxBytes}-byte limit`,
        );
      }
      const body = await readLimited(res, opts.maxBytes, current.href, controller);
      return {
        status: 'ok',
        body,
        contentType: res.headers.get('content-type'),
        finalUrl: current.href,
        etag: res.headers.get('etag'),
        lastModified: res.headers.get('last-modified'),
      };
    }
  } catch (error) {
    const refused = refusalIn(error);
    if (refused) throw refused;
    if (error instanceof PermanentFetchError || error instanceof TransientFetchError) throw error;
    if (controller.signal.aborted && controller.signal.reason instanceof TransientFetchError) {
      throw controller.signal.reason;
    }
    throw new TransientFetchError(`GET ${redactUrl(current)} failed: ${describeNetworkError(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

async function send(url: URL, opts: HttpOptions, signal: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = {
    'user-agent': opts.userAgent,
    accept: ACCEPT,
    'accept-encoding': 'gzip, br',
  };
  if (opts.validators?.etag) headers['if-none-match'] = opts.validators.etag;
  if (opts.validators?.lastModified) headers['if-modified-since'] = opts.validators.lastModified;
  return fetch(url, { redirect: 'manual', signal, headers, dispatcher: opts.dispatcher });
}

function statusError(url: URL, res: Response): Error {
  const message = `GET ${redactUrl(url)} answered ${res.status} ${res.statusText}`.trim();
  if (res.status === 429 || res.status === 503) {
    return new TransientFetchError(message, parseRetryAfter(res.headers.get('retry-after')), res.status);
  }
  if (res.status === 408 || res.status >= 500) return new TransientFetchError(message, null, res.status);
  return new PermanentFetchError(message, res.status);
}

/** Retry-After as seconds or an HTTP date → ms from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

async function readLimited(
  res: Response,
  maxBytes: number,
  url: string,
  controller: AbortController,
): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      controller.abort();
      throw new PermanentFetchError(`GET ${url}: body exceeds the ${maxBytes}-byte limit; connection cut`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

function describeNetworkError(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    const code = (e as NodeJS.ErrnoException).code;
    parts.push(code ? `${e.message} (${code})` : e.message);
  }
  return parts.length > 0 ? parts.join(': ') : String(error);
}

export { RefusedFetchError };
