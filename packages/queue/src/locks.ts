import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

import type { Redis } from 'ioredis';

export interface LockOptions {
  /** How long a lock outlives a process that dies holding it. Renewed while `fn` runs. */
  ttlMs?: number;
  /** How long to wait for all locks before giving up with a LockTimeoutError. */
  waitMs?: number;
  /** Prefix of each lock's Redis key. */
  prefix?: string;
}

export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError';
}

/**
 * A lock expired or was taken over while it was held (Redis too slow to renew it, or the process
 * stalled past its TTL): another process may have run its section at the same time.
 */
export class LockLostError extends Error {
  override name = 'LockLostError';
}

// Delete or extend a lock only while it still holds our token: after a TTL expiry another
// process may own it.
const RELEASE = `
local released = 0
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    released = released + redis.call('DEL', key)
  end
end
return released`;

const EXTEND = `
local extended = 0
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    extended = extended + redis.call('PEXPIRE', key, ARGV[2])
  end
end
return extended`;

/**
 * Runs `fn` holding a lock on every key, across processes. Keys are deduplicated and taken in
 * sorted order, so two callers with overlapping key sets cannot deadlock; each is `SET NX PX`
 * with a token of this call, renewed from its acquisition on (also while later keys are awaited)
 * and released by compare-and-delete. A renewal that finds a key no longer ours aborts `fn`'s
 * signal, and the call rejects with LockLostError once `fn` has settled.
 */
export async function withLocks<T>(
  redis: Redis,
  keys: string[],
  fn: (signal: AbortSignal) => Promise<T>,
  opts: LockOptions = {},
): Promise<T> {
  const ttlMs = opts.ttlMs ?? 30_000;
  const waitMs = opts.waitMs ?? 60_000;
  const prefix = opts.prefix ?? 'lock:';
  const token = randomUUID();
  const deadline = Date.now() + waitMs;
  const lockKeys = [...new Set(keys)].sort().map((key) => `${prefix}${key}`);
  const held: string[] = [];
  const lost = new AbortController();
  let settled = false;
  const renew = async () => {
    const extending = [...held];
    if (extending.length === 0) return;
    const extended = Number(await redis.eval(EXTEND, extending.length, ...extending, token, ttlMs));
    if (extended < extending.length && !settled && !lost.signal.aborted) {
      lost.abort(
        new LockLostError(
          `lost ${extending.length - extended} of the locks ${extending.join(', ')} (TTL ${ttlMs}ms): ` +
            'another process may have held them too',
        ),
      );
    }
  };
  let renewal: NodeJS.Timeout | undefined;
  try {
    for (const lockKey of lockKeys) {
      for (let attempt = 0; ; attempt += 1) {
        if (lost.signal.aborted) throw lost.signal.reason;
        if ((await redis.set(lockKey, token, 'PX', ttlMs, 'NX')) === 'OK') break;
        if (Date.now() >= deadline) {
          throw new LockTimeoutError(
            `could not lock ${lockKey} within ${waitMs}ms (held by another process)`,
          );
        }
        // Small, jittered, growing waits: contention here is short (one read-merge-write).
        const backoff = Math.min(5 * 2 ** attempt, 100) * (0.5 + Math.random());
        await delay(Math.min(backoff, Math.max(0, deadline - Date.now())));
      }
      held.push(lockKey);
      // Renewal starts with the first key: waiting for a later one may take longer than the TTL.
      renewal ??= setInterval(
        () => {
          // A renewal that fails to reach Redis says nothing; the next one that does will tell.
          renew().catch(() => {});
        },
        Math.max(10, Math.floor(ttlMs / 3)),
      );
      renewal.unref();
    }
    if (lost.signal.aborted) throw lost.signal.reason;
    let result: T;
    try {
      result = await fn(lost.signal);
    } catch (error) {
      if (lost.signal.aborted) throw withCause(lost.signal.reason as LockLostError, error);
      throw error;
    }
    if (lost.signal.aborted) throw lost.signal.reason;
    return result;
  } finally {
    settled = true;
    if (renewal) clearInterval(renewal);
    // A release that fails (Redis gone) must not hide fn's outcome; the locks then expire by TTL.
    if (held.length > 0) await redis.eval(RELEASE, held.length, ...held, token).catch(() => {});
  }
}

function withCause(error: LockLostError, cause: unknown): LockLostError {
  if (error === cause) return error;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new LockLostError(`${error.message}; the section then failed: ${reason}`, { cause });
}
