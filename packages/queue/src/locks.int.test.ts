import { uniquePrefix, waitFor } from '@paperwire/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createRedis, LockLostError, LockTimeoutError, withLocks } from './index.js';

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

/** Resolves when `release()` is called: lets a test hold a lock for as long as it needs. */
function gate() {
  let release = () => {};
  const opened = new Promise<void>((resolve) => (release = resolve));
  return { opened, release };
}

describe('withLocks', () => {
  it('never runs two sections with overlapping keys at once, across connections', async () => {
    const prefix = `${uniquePrefix('locks')}:`;
    const keys = ['p1', 'p2', 'p3', 'p4'];
    const inside = new Map<string, number>();
    let overlaps = 0;
    let running = 0;
    let maxRunning = 0;
    let done = 0;

    const section = async (conn: Redis, mine: string[]) => {
      for (const key of new Set(mine)) {
        const n = (inside.get(key) ?? 0) + 1;
        inside.set(key, n);
        if (n > 1) overlaps += 1;
      }
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      // Real round trips give other sections every chance to interleave.
      for (let i = 0; i < 3; i += 1) await conn.ping();
      running -= 1;
      for (const key of new Set(mine)) inside.set(key, (inside.get(key) ?? 0) - 1);
      done += 1;
    };

    await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        // Every non-empty subset of the keys, in shifting order, some with duplicates.
        const mask = (i % 15) + 1;
        const mine = keys.filter((_, bit) => mask & (1 << bit));
        const ordered = i % 2 === 0 ? mine : [...mine].reverse().concat(mine.slice(0, 1));
        const conn = i % 2 === 0 ? a : b;
        return withLocks(conn, ordered, () => section(conn, ordered), {
          prefix,
          ttlMs: 5_000,
          waitMs: 30_000,
        });
      }),
    );

    expect(done).toBe(60);
    expect(overlaps).toBe(0);
    // Disjoint key sets did run side by side: this is per-key exclusion, not one global lock.
    expect(maxRunning).toBeGreaterThan(1);
    expect(await a.keys(`${prefix}*`)).toEqual([]);
  });

  it('returns what fn returns and releases its locks when fn throws', async () => {
    const prefix = `${uniquePrefix('locks')}:`;
    expect(await withLocks(a, ['x'], async () => 42, { prefix })).toBe(42);
    await expect(
      withLocks(
        a,
        ['x', 'y'],
        async () => {
          throw new Error('merge failed');
        },
        { prefix },
      ),
    ).rejects.toThrow('merge failed');
    expect(await a.exists(`${prefix}x`, `${prefix}y`)).toBe(0);
  });

  it('gives up with LockTimeoutError when a key stays locked past waitMs', async () => {
    const prefix = `${uniquePrefix('locks')}:`;
    const held = gate();
    const entered = gate();
    const holder = withLocks(
      a,
      ['busy'],
      async () => {
        entered.release();
        await held.opened;
      },
      { prefix },
    );
    await entered.opened;

    await expect(withLocks(b, ['free', 'busy'], async () => 'never', { prefix, waitMs: 50 })).rejects.toThrow(
      LockTimeoutError,
    );
    // The key it did get is released again.
    expect(await b.exists(`${prefix}free`)).toBe(0);

    held.release();
    await holder;
    expect(await withLocks(b, ['free', 'busy'], async () => 'now', { prefix, waitMs: 1_000 })).toBe('now');
  });

  it('renews its locks while fn runs longer than the TTL', async () => {
    const prefix = `${uniquePrefix('locks')}:`;
    const ttlMs = 60;
    await withLocks(
      a,
      ['slow'],
      async () => {
        const started = Date.now();
        // The lock must still be ours after several TTLs have passed.
        await waitFor(() => Date.now() - started > ttlMs * 4, {
          what: 'four lock TTLs to pass',
          intervalMs: 10,
        });
        expect(await b.set(`${prefix}slow`, 'intruder', 'PX', 1_000, 'NX')).toBeNull();
      },
      { prefix, ttlMs },
    );
  });

  it('does not release a lock that another process took over after expiry', async () => {
    const prefix = `${uniquePrefix('locks')}:`;
    await withLocks(
      a,
      ['taken'],
      async () => {
        // What another process does once this lock's TTL ran out.
        await b.set(`${prefix}taken`, 'other-owner', 'PX', 10_000);
      },
      { prefix },
    );
    expect(await a.get(`${prefix}taken`)).toBe('other-owner');
  });

  it('keeps the keys it holds while it waits for a later one longer than the TTL', async () => {
    const prefix = `${uniquePrefix('locks')}:`;
    const ttlMs = 80;
    const inside = { a: 0 };
    let overlaps = 0;
    let waiterDone = false;
    const enter = () => {
      inside.a += 1;
      if (inside.a > 1) overlaps += 1;
    };

    // Another owner holds `b` for several TTLs.
    const holding = gate();
    const entered = gate();
    const holder = withLocks(
      a,
      ['b'],
      async () => {
        entered.release();
        await holding.opened;
      },
      { prefix, ttlMs },
    );
    await entered.opened;

    // The waiter takes `a`, then waits for `b`.
    const waiter = withLocks(
      b,
      ['a', 'b'],
      async () => {
        enter();
        await b.ping();
        inside.a -= 1;
        waiterDone = true;
      },
      { prefix, ttlMs, waitMs: 30_000 },
    );
    await waitFor(async () => (await a.exists(`${prefix}a`)) === 1, { what: 'the waiter to lock a' });

    // A third section on `a` alone: it must not get in while the waiter still counts on holding `a`.
    const intruderEntered = gate();
    const intruder = withLocks(
      a,
      ['a'],
      async () => {
        enter();
        intruderEntered.release();
        // Stays inside until the waiter has run, so an overlap cannot go unnoticed.
        await waitFor(() => waiterDone, { what: 'the waiter to finish', timeoutMs: 30_000 });
        inside.a -= 1;
      },
      { prefix, ttlMs, waitMs: 30_000 },
    );

    // Several TTLs pass while `b` stays held.
    const started = Date.now();
    await waitFor(() => Date.now() - started > ttlMs * 5, { what: 'five lock TTLs to pass', intervalMs: 10 });
    holding.release();
    await Promise.all([holder, waiter, intruder]);
    await intruderEntered.opened;
    expect(overlaps).toBe(0);
  });

  it('rejects with LockLostError when a lock is taken over while fn runs', async () => {
    const prefix = `${uniquePrefix('locks')}:`;
    const ttlMs = 60;
    let aborted = false;
    const outcome = withLocks(
      a,
      ['stolen'],
      async (signal) => {
        // What another process does after this lock expired unnoticed.
        await b.set(`${prefix}stolen`, 'other-owner', 'PX', 10_000);
        await waitFor(() => signal.aborted, { what: 'the lost lock to be noticed' });
        aborted = true;
        return 'finished anyway';
      },
      { prefix, ttlMs },
    );
    await expect(outcome).rejects.toBeInstanceOf(LockLostError);
    await expect(outcome).rejects.toThrow(/lost 1 of the locks/);
    expect(aborted).toBe(true);
    // The other owner's lock is left alone.
    expect(await a.get(`${prefix}stolen`)).toBe('other-owner');
  });

  it('gives up waiting for a later key when an earlier one is lost', async () => {
    const prefix = `${uniquePrefix('locks')}:`;
    const ttlMs = 60;
    const holding = gate();
    const entered = gate();
    const holder = withLocks(
      a,
      ['later'],
      async () => {
        entered.release();
        await holding.opened;
      },
      { prefix, ttlMs },
    );
    await entered.opened;
    let ran = false;
    const waiter = withLocks(
      b,
      ['earlier', 'later'],
      async () => {
        ran = true;
      },
      { prefix, ttlMs, waitMs: 30_000 },
    );
    await waitFor(async () => (await a.exists(`${prefix}earlier`)) === 1, {
      what: 'the waiter to lock earlier',
    });
    await a.set(`${prefix}earlier`, 'other-owner', 'PX', 10_000);
    await expect(waiter).rejects.toBeInstanceOf(LockLostError);
    expect(ran).toBe(false);
    holding.release();
    await holder;
  });
});
