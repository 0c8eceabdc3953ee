import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

import type { Paper } from '@paperwire/schema';
import { tempDir, type TempDir } from '@paperwire/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { RawPageCorruptError, RawPageNotFoundError, RawStore, sha256Hex, type RawPageMeta } from './index.js';

let dir: TempDir;
let sut: RawStore;

beforeEach(async () => {
  dir = await tempDir('rawstore');
  sut = new RawStore(join(dir.path, 'raw'));
});

afterEach(async () => {
  await dir.remove();
});

const meta = (overrides: Partial<RawPageMeta> = {}): RawPageMeta => ({
  url: 'https://huggingface.co/papers?date=2025-11-03',
  sourceName: 'hf-daily',
  capturedAt: '2025-11-03T08:00:00.000Z',
  contentType: 'text/html; charset=utf-8',
  formatHint: 'hf-html',
  ...overrides,
});

function paper(id: string, upvotes: number | null): Paper {
  const at = '2025-11-03T08:00:00.000Z';
  return {
    id,
    title: `Paper ${id}`,
    abstract: 'An abstract.',
    authors: ['A. Author'],
    authorCount: 1,
    publishedAt: '2025-11-03',
    upvotes,
    codeUrls: [],
    arxivId: id.startsWith('arxiv-') ? id.slice('arxiv-'.length).replace('_', '.') : null,
    sources: [{ name: 'hf-daily', url: meta().url, format: 'hf-html', capturedAt: at, upvotes }],
    firstSeenAt: at,
    lastSeenAt: at,
  };
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

describe('RawStore', () => {
  it('stores a body under its sha256 and reads it back with its manifest', async () => {
    const body = new TextEncoder().encode('<html>Daily Papers — Nov 3</html>');
    const { page, existed } = await sut.put(body, meta());

    expect(existed).toBe(false);
    expect(page.key).toBe(sha256Hex(body));
    expect(page.manifestId).toMatch(/^[0-9a-f]{32}$/);
    expect(page).toMatchObject({ ...meta(), size: body.byteLength });
    expect(new Uint8Array(await sut.read(page.key))).toEqual(body);
    expect(await sut.manifest(page.manifestId)).toEqual(page);

    const files = await filesUnder(sut.root);
    expect(files).toEqual([
      `manifests/${page.manifestId}.json`,
      `objects/${page.key.slice(0, 2)}/${page.key.slice(2, 4)}/${page.key}.gz`,
    ]);
    const stored = await readFile(join(sut.root, files[1] ?? ''));
    expect(stored.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('names the file that holds a body, for a person to look at it', async () => {
    const { page } = await sut.put(Buffer.from('a page no parser reads'), meta());
    const file = sut.bodyFile(page.key);
    expect(relative(sut.root, file)).toBe(
      `objects/${page.key.slice(0, 2)}/${page.key.slice(2, 4)}/${page.key}.gz`,
    );
    expect(gunzipSync(await readFile(file)).toString()).toBe('a page no parser reads');
    expect(() => sut.bodyFile('../../etc/passwd')).toThrow(/raw page key/);
  });

  it('keeps one object for the same body put twice, and says the second time that it existed', async () => {
    const body = Buffer.from('same body');
    const first = await sut.put(body, meta());
    const again = await sut.put(body, meta());

    expect(first.existed).toBe(false);
    expect(again.existed).toBe(true);
    expect(again.page).toEqual(first.page);
    expect((await filesUnder(join(sut.root, 'objects'))).length).toBe(1);
  });

  it('records a separate manifest for each capture of the same body', async () => {
    const body = Buffer.from('captured twice');
    const monday = await sut.put(body, meta({ capturedAt: '2025-11-03T08:00:00.000Z' }));
    const tuesday = await sut.put(body, meta({ capturedAt: '2025-11-04T08:00:00.000Z' }));

    expect(tuesday.existed).toBe(true);
    expect(tuesday.page.key).toBe(monday.page.key);
    expect(tuesday.page.manifestId).not.toBe(monday.page.manifestId);
    const listed: string[] = [];
    for await (const page of sut.manifests()) listed.push(page.capturedAt);
    expect(listed.sort()).toEqual(['2025-11-03T08:00:00.000Z', '2025-11-04T08:00:00.000Z']);
    expect((await filesUnder(join(sut.root, 'objects'))).length).toBe(1);
  });

  it('detects a body that no longer matches its key', async () => {
    const { page } = await sut.put(Buffer.from('original'), meta());
    const path = join(sut.root, 'objects', page.key.slice(0, 2), page.key.slice(2, 4), `${page.key}.gz`);

    await writeFile(path, gzipSync(Buffer.from('tampered')));
    await expect(sut.read(page.key)).rejects.toThrow(RawPageCorruptError);
    await expect(sut.read(page.key)).rejects.toThrow(`raw page ${page.key} is corrupt`);

    await writeFile(path, Buffer.from('not gzip at all'));
    await expect(sut.read(page.key)).rejects.toThrow(/is corrupt: .* does not decompress/);
  });

  it('says which page is missing', async () => {
    const key = sha256Hex('never stored');
    await expect(sut.read(key)).rejects.toThrow(RawPageNotFoundError);
    await expect(sut.read(key)).rejects.toThrow(`no raw page ${key}`);
    await expect(sut.manifest('0'.repeat(32))).rejects.toThrow(`no raw page manifest ${'0'.repeat(32)}`);
    await expect(sut.read('../../etc/passwd')).rejects.toThrow(/invalid raw page key/);
  });

  it('rejects metadata that breaks the RawPageRef contract', async () => {
    await expect(sut.put(Buffer.from('x'), meta({ capturedAt: 'yesterday' }))).rejects.toThrow(
      /invalid raw page metadata/,
    );
    await expect(sut.put(Buffer.from('x'), meta({ sourceName: '' }))).rejects.toThrow(/sourceName/);
  });

  it('stores the same body from many concurrent puts once, intact, with one writer reporting it new', async () => {
    const body = Buffer.from('x'.repeat(200_000) + 'concurrent');
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        sut.put(body, meta({ capturedAt: `2025-11-03T08:00:${String(i % 4).padStart(2, '0')}.000Z` })),
      ),
    );

    expect(new Set(results.map((r) => r.page.key)).size).toBe(1);
    expect(results.filter((r) => !r.existed)).toHaveLength(1);
    const key = results[0]?.page.key ?? '';
    expect(await sut.read(key)).toEqual(body);
    expect(await filesUnder(join(sut.root, 'objects'))).toEqual([
      `${key.slice(0, 2)}/${key.slice(2, 4)}/${key}.gz`,
    ]);
    expect((await filesUnder(join(sut.root, 'manifests'))).length).toBe(4);
  });

  it('lives under raw/ of the data directory', () => {
    expect(RawStore.inDataDir('/srv/paperwire').root).toBe(join('/srv/paperwire', 'raw'));
  });

  it('lists nothing in an empty store', async () => {
    const listed: unknown[] = [];
    for await (const page of sut.manifests()) listed.push(page);
    expect(listed).toEqual([]);
  });

  it('remembers the papers a page parsed to, per parser version, gzipped and whole', async () => {
    const { page } = await sut.put(Buffer.from('a listing'), meta());
    expect(await sut.papers(page.key, 1)).toBeNull();

    const papers = [paper('arxiv-2511_00001', 5), paper('title-abc123', null)];
    await sut.putPapers(page.key, 1, papers);
    await sut.putPapers(page.key, 2, []);

    expect(await sut.papers(page.key, 1)).toEqual(papers);
    expect(await sut.papers(page.key, 2)).toEqual([]);
    expect(await sut.papers(page.key, 3)).toBeNull();
    const parsed = (await filesUnder(join(sut.root, 'parsed'))).map((f) => f.split('/').pop());
    expect(parsed.sort()).toEqual([`${page.key}.v1.papers.json.gz`, `${page.key}.v2.papers.json.gz`]);

    // A later parse of the same body replaces the record as a whole.
    const again = [paper('arxiv-2511_00001', 7)];
    await sut.putPapers(page.key, 1, again);
    expect(await sut.papers(page.key, 1)).toEqual(again);

    await expect(sut.putPapers(page.key, 1, [{ ...paper('not an id', 1) }])).rejects.toThrow(
      /invalid papers of raw page/,
    );
    expect(await sut.papers(page.key, 1)).toEqual(again);
  });

  it('writes a record of thousands of papers whole, a piece at a time', async () => {
    const { page } = await sut.put(Buffer.from('a long listing'), meta());
    const papers = Array.from({ length: 2_501 }, (_, i) =>
      paper(`arxiv-2511_${String(i).padStart(5, '0')}`, i),
    );
    await sut.putPapers(page.key, 1, papers);
    expect(await sut.papers(page.key, 1)).toEqual(papers);
  });

  it('says which papers file is corrupt', async () => {
    const { page } = await sut.put(Buffer.from('a listing'), meta());
    await sut.putPapers(page.key, 1, [paper('arxiv-2511_00001', 5)]);
    const path = join(
      sut.root,
      'parsed',
      page.key.slice(0, 2),
      page.key.slice(2, 4),
      `${page.key}.v1.papers.json.gz`,
    );

    await writeFile(path, Buffer.from('not gzip at all'));
    await expect(sut.papers(page.key, 1)).rejects.toThrow(RawPageCorruptError);
    await writeFile(path, gzipSync(JSON.stringify({ key: page.key, parserVersion: 1, papers: [{}] })));
    await expect(sut.papers(page.key, 1)).rejects.toThrow(/invalid papers file/);
  });

  it("remembers the body and source of each URL's last parsed page, per URL", async () => {
    const { page } = await sut.put(Buffer.from('a listing'), meta());
    const mirror = (await sut.put(Buffer.from('a listing'), meta({ url: 'https://mirror.example/papers' })))
      .page;
    expect(await sut.lastParse(page.url)).toBeNull();

    await sut.putLastParse(page);
    expect(await sut.lastParse(page.url)).toEqual({ url: page.url, key: page.key, sourceName: 'hf-daily' });
    // The same body from another URL has a parse of its own to wait for.
    expect(await sut.lastParse(mirror.url)).toBeNull();

    const next = (await sut.put(Buffer.from('the next listing'), meta({ sourceName: 'hf' }))).page;
    await sut.putLastParse(next);
    expect(await sut.lastParse(page.url)).toEqual({ url: page.url, key: next.key, sourceName: 'hf' });
  });
});
