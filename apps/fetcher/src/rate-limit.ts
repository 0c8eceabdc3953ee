import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

import type { Redis } from 'ioredis';

/** One host's limits: a token every `intervalMs` (at most `burst` saved up), `concurrency` in flight. */
export interface HostLimit {
  intervalMs: number;
  burst: number;
  concurrency: number;
}

export type Acquired = { granted: true; lease: Lease } | { granted: false; waitMs: number };

export interface Lease {
  host: string;
  id: string;
}

// Token bucket plus a set of leases (one per request in flight), in one script so every fetcher
// replica sees one host budget. Time is Redis's, so replicas with skewed clocks still agree.
// A lease expires on its own when its holder dies, so a crashed replica never wedges a host.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local concurrency = tonumber(ARGV[3])
local leaseTtl = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= concurrency then
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {0, math.max(1, math.min(tonumber(first[2]) - now, 100))}
end
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(bucket[1])
local ts = tonumber(bucket[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
tokens = math.min(burst, tokens + math.max(0, now - ts) / interval)
if tokens < 1 then
  return {0, math.max(1, math.ceil((1 - tokens) * interval))}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(interval * burst) + 60000)
redis.call('ZADD', KEYS[2], now + leaseTtl, ARGV[4])
redis.call('PEXPIRE', KEYS[2], leaseTtl + 60000)
return {1, 0}`;

export class HostBusyError extends Error {
  override name = 'HostBusyError';
  constructor(
    message: string,
    readonly waitMs: number,
  ) {
    super(message);
  }
}

/** Per-host request budget shared by every fetcher replica through Redis. */
export class HostLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** How long a lease lives if its holder never releases it (a crashed replica). */
    private readonly leaseTtlMs: number,
  ) {}

  private keys(host: string): [string, string] {
    return [`${this.prefix}:host:${host}:bucket`, `${this.prefix}:host:${host}:leases`];
  }

  /** One attempt: a lease now, or how long to wait before asking again. */
  async tryAcquire(host: string, limit: HostLimit): Promise<Acquired> {
    const id = randomUUID();
    const [bucket, leases] = this.keys(host);
    const [granted, waitMs] = (await this.redis.eval(
      ACQUIRE,
      2,
      bucket,
      leases,
      limit.intervalMs,
      limit.burst,
      limit.concurrency,
      id,
      this.leaseTtlMs,
    )) as [number, number];
    return granted === 1 ? { granted: true, lease: { host, id } } : { granted: false, waitMs };
  }

  /**
   * Waits for a lease for at most `maxWaitMs`, and no longer than until `signal` aborts; past
   * that, throws HostBusyError with the wait still ahead, so the job can be put off instead of
   * holding a worker slot (or a worker that is closing).
   */
  async acquire(host: string, limit: HostLimit, maxWaitMs: number, signal?: AbortSignal): Promise<Lease> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const result = await this.tryAcquire(host, limit);
      if (result.granted) return result.lease;
      if (Date.now() + result.waitMs > deadline || signal?.aborted) {
        throw new HostBusyError(`${host}: rate limit; next request in ${result.waitMs} ms`, result.waitMs);
      }
      const until = Date.now() + result.waitMs;
      try {
        await delay(result.waitMs, undefined, signal ? { signal } : {});
      } catch (error) {
        if (!signal?.aborted) throw error;
        const left = Math.max(1, until - Date.now());
        throw new HostBusyError(`${host}: rate limit; stopped waiting, next request in ${left} ms`, left);
      }
    }
  }

  async release(lease: Lease): Promise<void> {
    await this.redis.zrem(this.keys(lease.host)[1], lease.id);
  }
}
