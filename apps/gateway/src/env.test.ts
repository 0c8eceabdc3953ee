import { describe, expect, it } from 'vitest';

import { connectionLimitsOf, loadEnv, trustProxyWarning } from './env.js';

describe('gateway env', () => {
  it('has defaults that need nothing set', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      GATEWAY_PORT: 3000,
      RATE_LIMIT_PER_MINUTE: 600,
      TRUST_PROXY: false,
      CORS_ORIGINS: [],
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'paperwire',
    });
    expect(env.ADMIN_TOKEN).toBeUndefined();
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['loopback', 'loopback'],
    ['loopback, 10.0.0.0/8', 'loopback, 10.0.0.0/8'],
  ])('reads TRUST_PROXY=%s', (raw, expected) => {
    expect(loadEnv({ TRUST_PROXY: raw }).TRUST_PROXY).toEqual(expected);
  });

  it('warns about TRUST_PROXY=true only', () => {
    expect(trustProxyWarning(loadEnv({ TRUST_PROXY: 'true' }).TRUST_PROXY)).toMatch(
      /TRUST_PROXY=true .*X-Forwarded-For/,
    );
    for (const raw of ['false', '1', 'loopback, 10.0.0.0/8'])
      expect(trustProxyWarning(loadEnv({ TRUST_PROXY: raw }).TRUST_PROXY), raw).toBeUndefined();
  });

  it('reads CORS_ORIGINS as a comma list of origins', () => {
    expect(loadEnv({ CORS_ORIGINS: 'https://a.example, http://localhost:5173,' }).CORS_ORIGINS).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ]);
    expect(loadEnv({ CORS_ORIGINS: '*' }).CORS_ORIGINS).toEqual(['*']);
  });

  it('limits slow and idle connections by default, and reads the limits from GATEWAY_*', () => {
    expect(connectionLimitsOf(loadEnv({}))).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 1_000,
    });
    const env = loadEnv({
      GATEWAY_HEADERS_TIMEOUT_MS: '500',
      GATEWAY_REQUEST_TIMEOUT_MS: '500',
      GATEWAY_KEEP_ALIVE_TIMEOUT_MS: '65000',
      GATEWAY_MAX_CONNECTIONS: '50',
    });
    expect(connectionLimitsOf(env)).toEqual({
      headersTimeoutMs: 500,
      requestTimeoutMs: 500,
      keepAliveTimeoutMs: 65_000,
      maxConnections: 50,
    });
  });

  it('stops when the headers may take longer than the whole request', () => {
    expect(() =>
      loadEnv({ GATEWAY_HEADERS_TIMEOUT_MS: '20000', GATEWAY_REQUEST_TIMEOUT_MS: '10000' }),
    ).toThrow(/GATEWAY_HEADERS_TIMEOUT_MS: 20000 is longer than GATEWAY_REQUEST_TIMEOUT_MS \(10000\)/);
  });

  it('turns the rate limit off with 0', () => {
    expect(loadEnv({ RATE_LIMIT_PER_MINUTE: '0' }).RATE_LIMIT_PER_MINUTE).toBe(0);
  });

  it.each([
    [{ CORS_ORIGINS: 'https://a.example/path' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: 'a.example' }, 'CORS_ORIGINS'],
    [{ RATE_LIMIT_PER_MINUTE: '-1' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ RATE_LIMIT_PER_MINUTE: 'lots' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN must be at least 16 characters'],
    [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL'],
    [{ GATEWAY_HEADERS_TIMEOUT_MS: '0' }, 'GATEWAY_HEADERS_TIMEOUT_MS must be at least 1'],
    [{ GATEWAY_MAX_CONNECTIONS: 'many' }, 'GATEWAY_MAX_CONNECTIONS must be an integer'],
  ])('stops at %j naming the variable', (source, named) => {
    expect(() => loadEnv(source)).toThrow(named);
  });
});
