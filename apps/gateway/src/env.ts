import { availableParallelism } from 'node:os';

import { commonEnv, egressEnv, EnvError, parseEnv, portSchema, redisEnv, searchEnv } from '@paperwire/config';
import { DEFAULT_SEARCH_QUEUE_LIMIT } from '@paperwire/search';
import { z } from 'zod';

import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './http/server.js';

/**
 * Express's `trust proxy`: `true`/`false`, a hop count, or a comma list of addresses, subnets and
 * the names Express knows (`loopback`, `linklocal`, `uniquelocal`).
 */
export type TrustProxy = boolean | number | string;

const trustProxy = z
  .string()
  .trim()
  .min(1)
  .transform((raw): TrustProxy => {
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    if (/^\d+$/.test(raw)) return Number(raw);
    return raw;
  });

const origin = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
    } catch {
      return false;
    }
  },
  { message: 'each origin is scheme://host[:port] with no path or trailing slash, or *' },
);

const positiveInt = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be an integer` })
    .int(`${name} must be an integer`)
    .min(1, `${name} must be at least 1`)
    .default(fallback);

const corsOrigins = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  )
  .pipe(z.array(z.union([z.literal('*'), origin])));

export const gatewayEnv = {
  ...commonEnv,
  ...searchEnv,
  ...redisEnv,
  /** Webhook URLs of watches are refused at creation when the fetcher would refuse them. */
  ...egressEnv,
  GATEWAY_PORT: portSchema.default(3000),
  GATEWAY_HOST: z.string().min(1).default('0.0.0.0'),
  /**
   * A request's headers must be in within this time from its first byte, however slowly they
   * trickle: a client holding sockets open with unfinished headers (slow loris) loses each one then.
   */
  GATEWAY_HEADERS_TIMEOUT_MS: positiveInt(
    'GATEWAY_HEADERS_TIMEOUT_MS',
    DEFAULT_CONNECTION_LIMITS.headersTimeoutMs,
  ),
  /** The whole request, body included; at least GATEWAY_HEADERS_TIMEOUT_MS. */
  GATEWAY_REQUEST_TIMEOUT_MS: positiveInt(
    'GATEWAY_REQUEST_TIMEOUT_MS',
    DEFAULT_CONNECTION_LIMITS.requestTimeoutMs,
  ),
  /** An idle keep-alive connection is closed after this; behind a proxy, make it longer than the proxy's. */
  GATEWAY_KEEP_ALIVE_TIMEOUT_MS: positiveInt(
    'GATEWAY_KEEP_ALIVE_TIMEOUT_MS',
    DEFAULT_CONNECTION_LIMITS.keepAliveTimeoutMs,
  ),
  /** Open connections at most, per gateway process; past it a new connection is closed at once. */
  GATEWAY_MAX_CONNECTIONS: positiveInt('GATEWAY_MAX_CONNECTIONS', DEFAULT_CONNECTION_LIMITS.maxConnections),
  /** Enables `/v1/admin` and `/admin/queues`; unset, they answer "admin is disabled". */
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
  /** Requests per client per minute, shared by every replica through Redis; 0 turns it off. */
  RATE_LIMIT_PER_MINUTE: z.coerce
    .number({ error: 'RATE_LIMIT_PER_MINUTE must be an integer' })
    .int('RATE_LIMIT_PER_MINUTE must be an integer')
    .min(0, 'RATE_LIMIT_PER_MINUTE must be at least 0')
    .default(600),
  TRUST_PROXY: trustProxy.default(false),
  /** Origins allowed to call the API from a browser (comma list, `*` for any); none by default. */
  CORS_ORIGINS: corsOrigins.default([]),
  /**
   * Threads that run searches on the embedded index, off the event loop; 0 runs them on it.
   * Default: one per CPU, at most 4.
   */
  SEARCH_THREADS: z.coerce
    .number({ error: 'SEARCH_THREADS must be an integer' })
    .int('SEARCH_THREADS must be an integer')
    .min(0, 'SEARCH_THREADS must be at least 0')
    .max(64, 'SEARCH_THREADS must be at most 64')
    .default(Math.min(4, availableParallelism())),
  /** Searches that may wait for a search thread; past it a search answers 503 with Retry-After. */
  SEARCH_QUEUE_LIMIT: z.coerce
    .number({ error: 'SEARCH_QUEUE_LIMIT must be an integer' })
    .int('SEARCH_QUEUE_LIMIT must be an integer')
    .min(0, 'SEARCH_QUEUE_LIMIT must be at least 0')
    .default(DEFAULT_SEARCH_QUEUE_LIMIT),
  /** Megabytes of search answers kept for repeated searches; 0 turns the result cache off. */
  SEARCH_CACHE_MB: z.coerce
    .number({ error: 'SEARCH_CACHE_MB must be a number' })
    .min(0, 'SEARCH_CACHE_MB must be at least 0')
    .default(64),
};

/**
 * What to warn about at start: `true` makes Express take the left-most X-Forwarded-For entry,
 * which the client writes itself, as the client address.
 */
export function trustProxyWarning(trust: TrustProxy): string | undefined {
  if (trust !== true) return undefined;
  return (
    'TRUST_PROXY=true trusts every X-Forwarded-For entry, so a client can name its own address ' +
    'and get a fresh rate-limit budget per request; set the number of proxies in front of the ' +
    'gateway (TRUST_PROXY=1) or their addresses (TRUST_PROXY=loopback, 10.0.0.0/8)'
  );
}

export type GatewayEnv = z.output<z.ZodObject<typeof gatewayEnv>>;

export function loadEnv(source: Record<string, string | undefined> = process.env): GatewayEnv {
  const env = parseEnv(gatewayEnv, source);
  // Node refuses a server whose headers may take longer than the whole request.
  if (env.GATEWAY_HEADERS_TIMEOUT_MS > env.GATEWAY_REQUEST_TIMEOUT_MS) {
    throw new EnvError(
      `invalid environment:\n  GATEWAY_HEADERS_TIMEOUT_MS: ${env.GATEWAY_HEADERS_TIMEOUT_MS} is longer than GATEWAY_REQUEST_TIMEOUT_MS (${env.GATEWAY_REQUEST_TIMEOUT_MS}); the headers are part of the request`,
    );
  }
  return env;
}

/** The HTTP server's connection limits, from GATEWAY_*_TIMEOUT_MS and GATEWAY_MAX_CONNECTIONS. */
export function connectionLimitsOf(env: GatewayEnv): ConnectionLimits {
  return {
    headersTimeoutMs: env.GATEWAY_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: env.GATEWAY_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: env.GATEWAY_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: env.GATEWAY_MAX_CONNECTIONS,
  };
}
