import { UnrecoverableJobError } from '@paperwire/queue';

export interface HttpOptions {
  timeoutMs: number;
  maxBytes: number;
  userAgent: string;
}

export interface FetchedPage {
  body: Buffer;
  contentType: string | null;
  /** The URL that answered, after redirects. */
  finalUrl: string;
}

/** A response that retrying will not fix (4xx other than 408/429, too large, bad scheme). */
export class PermanentFetchError extends UnrecoverableJobError {
  override name = 'PermanentFetchError';
}

/**
 * GETs one page with a total timeout and a streaming body-size limit: the connection is cut
 * as soon as the body passes `maxBytes`, so a hostile endless body costs nothing.
 * Transient failures (network, 5xx, 408, 429) throw plain errors so the job is retried with backoff.
 */
export async function fetchPage(url: string, opts: HttpOptions): Promise<FetchedPage> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`timed out after ${opts.timeoutMs} ms fetching ${url}`)),
    opts.timeoutMs,
  );
  try {
    const res = await fetch(url, {
      redirect: 'follow',
      signal: controller.signal,
      headers: {
        'user-agent': opts.userAgent,
        accept: 'text/html, application/json, application/atom+xml, application/rss+xml, text/plain;q=0.9, */*;q=0.5',
      },
    });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      const message = `GET ${url} answered ${res.status} ${res.statusText}`.trim();
      if (res.status >= 500 || res.status === 408 || res.status === 429) throw new Error(message);
      throw new PermanentFetchError(message);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      controller.abort();
      throw new PermanentFetchError(`GET ${url}: body of ${declared} bytes exceeds the ${opts.maxBytes}-byte limit`);
    }
    const body = await readLimited(res, opts.maxBytes, url, controller);
    return { body, contentType: res.headers.get('content-type'), finalUrl: res.url || url };
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason instanceof Error && !(error instanceof PermanentFetchError)) {
      throw controller.signal.reason;
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function readLimited(res: Response, maxBytes: number, url: string, controller: AbortController): Promise<Buffer> {
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
