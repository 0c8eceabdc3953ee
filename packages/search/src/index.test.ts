import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createSearchIndex, describeEngine, searchConfigOf } from './index.js';

describe('createSearchIndex', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperwire-search-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses the embedded sqlite index under the data directory when no Meilisearch URL is set', async () => {
    const config = { meiliIndex: 'papers', dataDir: join(dir, 'data') };
    const index = createSearchIndex(config);
    try {
      expect(index.engine).toBe('sqlite');
      expect(existsSync(join(dir, 'data', 'index', 'papers.sqlite'))).toBe(true);
      await expect(index.stats()).resolves.toEqual({ papers: 0 });
    } finally {
      await index.close();
    }
    expect(describeEngine(config)).toBe(`sqlite at ${join(dir, 'data', 'index', 'papers.sqlite')}`);
  });

  it('uses Meilisearch when a URL is set', () => {
    const config = { meiliUrl: 'http://meili:7700', meiliMasterKey: 'k', meiliIndex: 'papers', dataDir: dir };
    expect(createSearchIndex(config).engine).toBe('meilisearch');
    expect(describeEngine(config)).toBe('meilisearch at http://meili:7700 index papers');
  });
});

describe('searchConfigOf', () => {
  it('selects Meilisearch only when MEILI_URL is set, with its key when there is one', () => {
    expect(searchConfigOf({ MEILI_INDEX: 'papers', DATA_DIR: '/data' })).toEqual({
      meiliIndex: 'papers',
      dataDir: '/data',
    });
    expect(
      searchConfigOf({
        MEILI_URL: 'http://meili:7700',
        MEILI_MASTER_KEY: 'k',
        MEILI_INDEX: 'p',
        DATA_DIR: '/d',
      }),
    ).toEqual({ meiliUrl: 'http://meili:7700', meiliMasterKey: 'k', meiliIndex: 'p', dataDir: '/d' });
  });
});
