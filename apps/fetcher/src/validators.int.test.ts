import { createHash } from 'node:crypto';

import { createRedis } from '@paperwire/queue';
import { uniquePrefix } from '@paperwire/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { Validators, VALIDATORS_TTL_MS } from './validators.js';

let redis: Redis;

beforeAll(() => {
  redis = createRedis(inject('redisUrl'), 'client');
});

afterAll(() => {
  redis.disconnect();
});

describe('Validators', () => {
  it('keeps the validators of a URL for VALIDATORS_TTL_MS after each fetch of it', async () => {
    const prefix = uniquePrefix('validators');
    const validators = new Validators(redis, prefix);
    const url = 'https://digest.example/2025-11-03.txt';
    const record = { etag: '"v1"', lastModified: null, key: 'a'.repeat(64), contentType: 'text/plain' };
    await validators.set(url, record);
    expect(await validators.get(url)).toEqual(record);

    const [key] = await redis.keys(`${prefix}:*`);
    expect(key).toBe(`${prefix}:http:${createHash('sha256').update(url).digest('hex').slice(0, 32)}`);
    const ttl = await redis.pttl(key!);
    expect(ttl).toBeGreaterThan(VALIDATORS_TTL_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(VALIDATORS_TTL_MS);

    // A later fetch starts the period again.
    await redis.pexpire(key!, 1_000_000);
    await validators.set(url, { ...record, etag: '"v2"' });
    expect(await redis.pttl(key!)).toBeGreaterThan(VALIDATORS_TTL_MS - 60_000);
  });
});
