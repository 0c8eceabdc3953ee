import { createRedis } from '@paperwire/queue';
import { uniquePrefix } from '@paperwire/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { HostBusyError, HostLimiter, type Lease } from './rate-limit.js';

let a: Redis;
let b: Redis;

beforeAll(() => {
  a = createRedis(inject('redisUrl'), 'client');
  b = createRedis(inject('redisUrl'), 'client');
});

afterAll(() => {
  a.disconnect();
  b.disconnect();
});

/** Two limiters on two connections: what two fetcher replicas share. */
function replicas(leaseTtlMs = 60_000) {
  const prefix = uniquePrefix('bucket');
  return [new HostLimiter(a, prefix, leaseTtlMs), new HostLimiter(b, prefix, leaseTtlMs)] as const;
}

describe('HostLimiter', () => {
  it('grants a burst, then one request per interval, across replicas', async () => {
    const [one, two] = replicas();
    const limit = { intervalMs: 60_000, burst: 3, concurrency: 100 };
    const results = [];
    for (let i = 0; i < 5; i += 1)
      results.push(await (i % 2 === 0 ? one : two).tryAcquire('example.org', limit));
    expect(results.map((r) => r.granted)).toEqual([true, true, true, false, false]);
    const refused = results[3]!;
    // The next token is about one interval away (minus the few ms the test took).
    expect(refused.granted ? 0 : refused.waitMs).toBeGreaterThan(55_000);
    expect(refused.granted ? 0 : refused.waitMs).toBeLessThanOrEqual(60_000);
  });

  it('keeps hosts apart', async () => {
    const [one] = replicas();
    const limit = { intervalMs: 60_000, burst: 1, concurrency: 10 };
    expect((await one.tryAcquire('a.example', limit)).granted).toBe(true);
    expect((await one.tryAcquire('a.example', limit)).granted).toBe(false);
    expect((await one.tryAcquire('b.example', limit)).granted).toBe(true);
  });

  it('refills at the configured rate', async () => {
    const [one, two] = replicas();
    const limit = { intervalMs: 40, burst: 1, concurrency: 10 };
    let granted = 0;
    const started = Date.now();
    while (granted < 6) {
      const lease = await one.acquire('fast.example', limit, 5_000);
      await two.release(lease);
      granted += 1;
    }
    // Six tokens with a burst of one: at least five refills of 40 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(5 * 40 - 5);
  });

  it('caps requests in flight per host, and a release frees a slot for the other replica', async () => {
    const [one, two] = replicas();
    const limit = { intervalMs: 1, burst: 100, concurrency: 2 };
    const first = await one.tryAcquire('slow.example', limit);
    const second = await two.tryAcquire('slow.example', limit);
    expect([first.granted, second.granted]).toEqual([true, true]);
    const third = await one.tryAcquire('slow.example', limit);
    expect(third.granted).toBe(false);
    await one.release((first as { lease: Lease }).lease);
    expect((await two.tryAcquire('slow.example', limit)).granted).toBe(true);
  });

  it('lets a lease of a crashed replica expire', async () => {
    const [one, two] = replicas(50);
    const limit = { intervalMs: 1, burst: 100, concurrency: 1 };
    expect((await one.tryAcquire('crash.example', limit)).granted).toBe(true);
    // Never released: the other replica gets the slot once the lease's TTL has passed.
    const lease = await two.acquire('crash.example', limit, 5_000);
    expect(lease.host).toBe('crash.example');
  });

  it('gives up with the wait still ahead when it is longer than allowed', async () => {
    const [one] = replicas();
    const limit = { intervalMs: 60_000, burst: 1, concurrency: 10 };
    await one.acquire('busy.example', limit, 1_000);
    const error = await one.acquire('busy.example', limit, 1_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostBusyError);
    expect((error as HostBusyError).waitMs).toBeGreaterThan(50_000);
  });
});
