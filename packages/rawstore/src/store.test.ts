import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

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

  it('remembers the paper ids a page parsed to, per parser version', async () => {
    const { page } = await sut.put(Buffer.from('a listing'), meta());
    expect(await sut.paperIds(page.key, 1)).toBeNull();

    await sut.putPaperIds(page.key, 1, ['arxiv-2511_00001', 'title-abc123']);
    await sut.putPaperIds(page.key, 2, []);

    expect(await sut.paperIds(page.key, 1)).toEqual(['arxiv-2511_00001', 'title-abc123']);
    expect(await sut.paperIds(page.key, 2)).toEqual([]);
    expect(await sut.paperIds(page.key, 3)).toBeNull();
    await expect(sut.putPaperIds(page.key, 1, ['not an id'])).rejects.toThrow(/invalid paper ids/);
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
