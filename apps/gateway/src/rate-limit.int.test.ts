import { freePort, uniquePrefix, waitFor } from '@paperwire/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { RedisRateLimiter } from './http/rate-limit.js';
import { QEC } from './testing/fixture.js';
import { startOwnRedis } from './testing/redis-server.js';
import { getJson, seededSqliteIndex, serve, type Running, type SeededIndex } from './testing/serve.js';

describe('rate limit', () => {
  const redisUrl = inject('redisUrl');
  let seeded: SeededIndex;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    seeded = await seededSqliteIndex([QEC]);
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await seeded?.close();
  });

  /** A connected limiter; a fresh prefix gives the test a budget of its own. */
  async function limiter(
    limit: number,
    opts: { prefix?: string; url?: string } = {},
  ): Promise<RedisRateLimiter> {
    const made = new RedisRateLimiter({
      redisUrl: opts.url ?? redisUrl,
      prefix: opts.prefix ?? uniquePrefix('rate'),
      limit,
    });
    closers.push(() => made.close());
    await waitFor(() => made.connected, { what: 'the rate limiter to connect to Redis' });
    return made;
  }

  async function gateway(rateLimiter: RedisRateLimiter, trustProxy?: string): Promise<Running> {
    const running = await serve({ index: seeded.index, rateLimiter, ...(trustProxy ? { trustProxy } : {}) });
    closers.push(() => running.close());
    return running;
  }

  const search = (g: Running, headers: Record<string, string> = {}) =>
    fetch(`${g.base}/v1/search?q=quantum`, { headers });

  it('answers the request past the budget with 429 and Retry-After', async () => {
    const g = await gateway(await limiter(3));
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await search(g));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(answers.map((r) => r.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0']);
    expect(answers[0]?.headers.get('ratelimit-limit')).toBe('3');

    const limited = await getJson(`${g.base}/v1/papers/${QEC.id}`);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body).toEqual({
      error: 'rate_limited',
      message: `too many requests: at most 3 per minute per client; retry in ${retryAfter} s`,
    });
  });

  it('leaves probes, metrics and the page alone', async () => {
    const g = await gateway(await limiter(1));
    await search(g);
    expect((await search(g)).status).toBe(429);
    for (const path of ['/healthz', '/readyz', '/metrics', '/', '/openapi.json']) {
      expect((await fetch(`${g.base}${path}`)).status, path).toBe(200);
    }
  });

  it('shares one budget across gateway replicas', async () => {
    const prefix = uniquePrefix('rate-shared');
    const a = await gateway(await limiter(4, { prefix }));
    const b = await gateway(await limiter(4, { prefix }));
    const statuses = [];
    for (const g of [a, b, a, b, a, b]) statuses.push((await search(g)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('counts the client behind a trusted proxy, and ignores the header otherwise', async () => {
    const trusting = await gateway(await limiter(1), 'loopback');
    expect((await search(trusting, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(200);
    expect((await search(trusting, { 'x-forwarded-for': '203.0.113.2' })).status).toBe(200);
    expect((await search(trusting, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(429);

    const direct = await gateway(await limiter(1));
    expect((await search(direct, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(200);
    // A client cannot buy a new budget by making up a forwarding header.
    expect((await search(direct, { 'x-forwarded-for': '203.0.113.2' })).status).toBe(429);
  });

  it('counts an IPv6 client by its /64, so rotating addresses buys no budget', async () => {
    const g = await gateway(await limiter(1), 'loopback');
    expect((await search(g, { 'x-forwarded-for': '2001:db8:0:1::1' })).status).toBe(200);
    expect((await search(g, { 'x-forwarded-for': '2001:db8:0:1:8a2e:370:7334:1' })).status).toBe(429);
    expect((await search(g, { 'x-forwarded-for': '2001:db8:0:2::1' })).status).toBe(200);
  });

  describe('when Redis is unreachable', () => {
    it('lets requests through, at once, when Redis was never there', async () => {
      const nowhere = new RedisRateLimiter({
        redisUrl: `redis://127.0.0.1:${await freePort()}`,
        prefix: uniquePrefix('rate-nowhere'),
        limit: 1,
      });
      closers.push(() => nowhere.close());
      const g = await gateway(nowhere);
      for (let i = 0; i < 3; i += 1) {
        const started = Date.now();
        expect((await search(g)).status).toBe(200);
        expect(Date.now() - started).toBeLessThan(1_000);
      }
    });

    it('fails open while Redis is frozen or stopped, and limits again once it answers', async () => {
      const redis = await startOwnRedis();
      closers.push(() => redis.stop());
      const g = await gateway(await limiter(2, { url: redis.url }));
      await search(g);
      await search(g);
      expect((await search(g)).status).toBe(429);

      redis.pause();
      const started = Date.now();
      expect((await search(g)).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1_000);
      redis.resume();
      await waitFor(async () => (await search(g)).status === 429, { what: 'the limit to hold again' });

      await redis.stop();
      for (let i = 0; i < 3; i += 1) {
        const begun = Date.now();
        expect((await search(g)).status).toBe(200);
        expect((await fetch(`${g.base}/v1/papers/${QEC.id}`)).status).toBe(200);
        expect(Date.now() - begun).toBeLessThan(1_000);
      }
    });
  });
});
