import type { Logger } from '@paperwire/observability';
import type { ErrorResponse } from '@paperwire/schema';
import { isIPv4, isIPv6 } from 'node:net';

import type { RequestHandler } from 'express';
import { Redis } from 'ioredis';

export type RateDecision =
  | { kind: 'allowed'; limit: number; remaining: number; resetMs: number }
  | { kind: 'limited'; limit: number; windowMs: number; resetMs: number }
  /** The budget could not be checked (Redis unreachable or slow): the request goes through. */
  | { kind: 'unchecked'; reason: string };

export interface RateLimiter {
  hit(client: string): Promise<RateDecision>;
  close(): Promise<void>;
}

export interface RedisRateLimiterOptions {
  redisUrl: string;
  /** Namespace of the counters, so deployments sharing a Redis keep separate budgets. */
  prefix: string;
  limit: number;
  windowMs?: number;
  /** A Redis slower than this counts as unreachable. */
  commandTimeoutMs?: number;
  logger?: Logger;
}

/**
 * Counts the window's requests and starts the window on its first one, atomically: every
 * replica of the gateway shares one counter per client.
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`;

type RateRedis = Redis & { rateHit(key: string, windowMs: number): Promise<[number, number]> };

/**
 * A fixed-window limit per client, kept in Redis. It fails open and fast: while Redis is not
 * connected a request is not held back to wait for it (no offline queue, no retries), and a
 * connected but slow Redis is given `commandTimeoutMs`. Reconnection goes on in the background.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  private readonly redis: RateRedis;
  private readonly prefix: string;
  private readonly logger: Logger | undefined;
  private lastFailure: string | undefined;

  constructor(opts: RedisRateLimiterOptions) {
    this.limit = opts.limit;
    this.windowMs = opts.windowMs ?? 60_000;
    this.prefix = `${opts.prefix}:gateway:ratelimit:`;
    this.logger = opts.logger;
    const redis = new Redis(opts.redisUrl, {
      connectionName: 'paperwire-gateway-ratelimit',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: opts.commandTimeoutMs ?? 200,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 250, 2_000),
    });
    redis.defineCommand('rateHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    redis.on('error', (error: Error) => this.noteFailure(error.message));
    redis.on('ready', () => {
      if (this.lastFailure !== undefined) this.logger?.info('rate limiter: Redis is back');
      this.lastFailure = undefined;
    });
    this.redis = redis as RateRedis;
  }

  /** True once connected; requests before that go through unchecked. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  async hit(client: string): Promise<RateDecision> {
    if (this.redis.status !== 'ready') return { kind: 'unchecked', reason: `Redis is ${this.redis.status}` };
    try {
      const [count, ttl] = await this.redis.rateHit(this.prefix + client, this.windowMs);
      const resetMs = Math.max(0, ttl);
      if (count > this.limit) return { kind: 'limited', limit: this.limit, windowMs: this.windowMs, resetMs };
      return { kind: 'allowed', limit: this.limit, remaining: this.limit - count, resetMs };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.noteFailure(reason);
      return { kind: 'unchecked', reason };
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  /** A Redis that is down fails every request the same way: log when the reason changes. */
  private noteFailure(reason: string): void {
    if (reason === this.lastFailure) return;
    this.lastFailure = reason;
    this.logger?.warn({ err: reason }, 'rate limiter: Redis unavailable, requests go through unchecked');
  }
}

/**
 * Answers 429 with Retry-After once a client has spent its budget. The client is `req.ip`,
 * which is the real client behind proxies Express is told to trust (`TRUST_PROXY`), keyed by
 * `clientKey`.
 */
export function rateLimit(limiter: RateLimiter): RequestHandler {
  return async (req, res, next) => {
    const client = clientKey(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    const decision = await limiter.hit(client);
    if (decision.kind === 'unchecked') {
      next();
      return;
    }
    const resetSeconds = Math.max(1, Math.ceil(decision.resetMs / 1000));
    res.set('RateLimit-Limit', String(decision.limit));
    res.set('RateLimit-Remaining', String(decision.kind === 'allowed' ? decision.remaining : 0));
    res.set('RateLimit-Reset', String(resetSeconds));
    if (decision.kind === 'allowed') {
      next();
      return;
    }
    res.set('Retry-After', String(resetSeconds));
    const body: ErrorResponse = {
      error: 'rate_limited',
      message: `too many requests: at most ${decision.limit} per ${per(decision.windowMs)} per client; retry in ${resetSeconds} s`,
    };
    res.status(429).json(body);
  };
}

function per(windowMs: number): string {
  return windowMs === 60_000 ? 'minute' : `${windowMs / 1000} s`;
}

/**
 * The budget an address draws on: an IPv4 address (also written IPv4-mapped, `::ffff:a.b.c.d`)
 * on its own, an IPv6 address by its /64, since one subscriber is usually handed a whole /64
 * and could otherwise take a fresh address, and a fresh budget, per request.
 */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  const groups = ipv6Groups(address);
  if (!groups) return address;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (zone index dropped), or undefined for anything else. */
function ipv6Groups(address: string): number[] | undefined {
  const bare = address.replace(/%.*$/, '');
  if (!isIPv6(bare)) return undefined;
  const [head = '', tail] = bare.split('::');
  const parse = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const [a, b, c, d] = group.split('.').map(Number) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        });
  const before = parse(head);
  if (tail === undefined) return before;
  const after = parse(tail);
  return [...before, ...Array<number>(8 - before.length - after.length).fill(0), ...after];
}
