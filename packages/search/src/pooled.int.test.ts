import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createPooledSqliteIndex } from './pooled.js';
import type { SearchIndex } from './port.js';
import { SearchBusyError } from './readers.js';
import { createSqliteIndex } from './sqlite.js';
import { describeSearchIndexContract } from './testing/contract.js';
import { readHfFixture } from './testing/hf-fixture.js';

// The whole contract, with searches, similar papers and facets answered by reader threads.
describeSearchIndexContract('sqlite with reader threads', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'paperwire-pooled-'));
  const index = createPooledSqliteIndex({ path: join(dir, 'papers.sqlite'), readers: 2, queueLimit: 64 });
  return {
    index,
    cleanup: async () => {
      await index.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite reader threads', () => {
  let dir: string;
  let sut: SearchIndex;
  const depths: number[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperwire-pooled-'));
    depths.length = 0;
    sut = createPooledSqliteIndex({
      path: join(dir, 'papers.sqlite'),
      readers: 1,
      queueLimit: 1,
      onQueueDepth: (depth) => depths.push(depth),
    });
    await sut.ensureSettings();
    await sut.upsert(readHfFixture());
  });

  afterEach(async () => {
    await sut.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers what the same index answers on the calling thread', async () => {
    const local = createSqliteIndex({ path: join(dir, 'papers.sqlite') });
    try {
      for (const request of [
        { q: 'learning', limit: 10, offset: 0, highlight: true },
        { q: 'difusion', limit: 5, offset: 0, facets: ['year' as const, 'hasCode' as const] },
        { q: '', limit: 3, offset: 2, sort: 'publishedAt:desc' as const },
      ]) {
        const [pooled, direct] = await Promise.all([sut.search(request), local.search(request)]);
        expect({ ...pooled, processingTimeMs: 0 }).toEqual({ ...direct, processingTimeMs: 0 });
      }
      expect(await sut.facets()).toEqual(await local.facets());
    } finally {
      await local.close();
    }
  });

  it('sees writes made through another connection, with a new version', async () => {
    const before = sut.version();
    const other = createSqliteIndex({ path: join(dir, 'papers.sqlite') });
    try {
      const [paper] = readHfFixture();
      await other.upsert([{ ...paper!, title: 'Zyxwvut quokka fieldwork' }]);
    } finally {
      await other.close();
    }
    expect(sut.version()).not.toBe(before);
    const response = await sut.search({ q: 'quokka', limit: 5, offset: 0 });
    expect(response.hits.map((h) => h.title)).toEqual(['Zyxwvut quokka fieldwork']);
  });

  it('fails a search past the queue with SearchBusyError, and serves the ones it took', async () => {
    const request = { q: 'model', limit: 5, offset: 0 };
    // One reader and a queue of one: the first runs, the second waits, the third finds no room.
    const calls = [sut.search(request), sut.search(request), sut.search(request)];
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    const refused = (settled[2] as PromiseRejectedResult).reason as SearchBusyError;
    expect(refused).toBeInstanceOf(SearchBusyError);
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(depths).toEqual([1, 0]);
  });

  it('refuses bad filters as the engine does, without taking a reader', async () => {
    const failed = sut.search({ q: 'x', limit: 5, offset: 0, filters: { from: 'yesterday' } });
    await expect(failed).rejects.toThrow(RangeError);
    expect(depths).toEqual([]);
    expect((await sut.search({ q: 'learning', limit: 1, offset: 0 })).hits).toHaveLength(1);
  });
});
