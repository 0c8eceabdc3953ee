import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGzip, gunzip, gzip } from 'node:zlib';

import {
  PaperSchema,
  RawKeySchema,
  RawPageRefSchema,
  type Format,
  type Paper,
  type RawPageRef,
} from '@paperwire/schema';
import { z } from 'zod';

import { isNotFound, isTempName, writeFileAtomic } from './atomic.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export interface RawPageMeta {
  url: string;
  sourceName: string;
  capturedAt: string;
  contentType: string | null;
  formatHint: Format | null;
}

const ManifestIdSchema = RawPageRefSchema.shape.manifestId;
const ParserVersionSchema = z.number().int().nonnegative();
const PapersFileSchema = z.object({
  key: RawKeySchema,
  parserVersion: ParserVersionSchema,
  papers: z.array(PaperSchema),
});
const LastParseFileSchema = z.object({
  url: z.string(),
  key: RawKeySchema,
  sourceName: z.string(),
});
export type LastParse = z.infer<typeof LastParseFileSchema>;

export class RawPageNotFoundError extends Error {
  override name = 'RawPageNotFoundError';
}

export class RawPageCorruptError extends Error {
  override name = 'RawPageCorruptError';
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Identifies one capture of one body at one URL; the same fetch retried gets the same id. */
export function manifestIdOf(url: string, capturedAt: string, key: string): string {
  return sha256Hex(`${url}\0${capturedAt}\0${key}`).slice(0, 32);
}

/** Papers checked and serialized at once by `putPapers`. */
const PAPERS_PER_PIECE = 1_000;

/** Everything a stream gives, as one buffer; rejects with the stream's error. */
function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('error', reject);
    stream.once('end', () => resolve(Buffer.concat(chunks)));
  });
}

function checked<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`invalid ${what}: ${z.prettifyError(result.error)}`);
  return result.data;
}

/**
 * Content-addressed archive of raw page bodies on the filesystem.
 *
 * - `objects/ab/cd/<sha256>.gz`: a body, gzip-compressed, keyed by the sha256 of the decoded body
 * - `manifests/<manifestId>.json`: one capture of a body (URL, time, content type, format hint)
 * - `parsed/ab/cd/<sha256>.v<parserVersion>.papers.json.gz`: the papers of the body's last parse by
 *   that parser version, gzip JSON
 * - `urls/<sha256(url)>.json`: the body (and source name) of the URL's last parsed page
 *
 * Every file is written atomically (readers see a whole old or a whole new file), and bodies and
 * manifests never change once written, so several processes can share one root.
 */
export class RawStore {
  constructor(readonly root: string) {}

  /** The store every app of a deployment shares: `<dataDir>/raw`. */
  static inDataDir(dataDir: string): RawStore {
    return new RawStore(join(dataDir, 'raw'));
  }

  private objectPath(key: string): string {
    return join(this.root, 'objects', key.slice(0, 2), key.slice(2, 4), `${key}.gz`);
  }

  private manifestPath(manifestId: string): string {
    return join(this.root, 'manifests', `${manifestId}.json`);
  }

  private papersPath(key: string, parserVersion: number): string {
    return join(
      this.root,
      'parsed',
      key.slice(0, 2),
      key.slice(2, 4),
      `${key}.v${parserVersion}.papers.json.gz`,
    );
  }

  private lastParsePath(url: string): string {
    return join(this.root, 'urls', `${sha256Hex(url)}.json`);
  }

  /** The file that holds (or would hold) the gzip body of `key`: where to look at a page by hand. */
  bodyFile(key: string): string {
    checked(RawKeySchema, key, 'raw page key');
    return this.objectPath(key);
  }

  async put(body: Uint8Array, meta: RawPageMeta): Promise<{ page: RawPageRef; existed: boolean }> {
    const key = sha256Hex(body);
    const page = checked(
      RawPageRefSchema,
      {
        key,
        manifestId: manifestIdOf(meta.url, meta.capturedAt, key),
        url: meta.url,
        sourceName: meta.sourceName,
        capturedAt: meta.capturedAt,
        contentType: meta.contentType,
        formatHint: meta.formatHint,
        size: body.byteLength,
      },
      `raw page metadata for ${meta.url}`,
    );
    const path = this.objectPath(key);
    let existed = await exists(path);
    if (!existed) existed = !(await writeFileAtomic(path, await gzipAsync(body), { exclusive: true }));
    await writeFileAtomic(this.manifestPath(page.manifestId), `${JSON.stringify(page, null, 2)}\n`, {
      exclusive: false,
    });
    return { page, existed };
  }

  /** The decoded body of `key`, checked against its hash. */
  async read(key: string): Promise<Buffer> {
    checked(RawKeySchema, key, 'raw page key');
    let compressed: Buffer;
    try {
      compressed = await readFile(this.objectPath(key));
    } catch (err) {
      if (isNotFound(err)) throw new RawPageNotFoundError(`no raw page ${key} in ${this.root}`);
      throw err;
    }
    let body: Buffer;
    try {
      body = await gunzipAsync(compressed);
    } catch (err) {
      throw new RawPageCorruptError(
        `raw page ${key} is corrupt: ${this.objectPath(key)} does not decompress (${(err as Error).message})`,
      );
    }
    const actual = sha256Hex(body);
    if (actual !== key) {
      throw new RawPageCorruptError(
        `raw page ${key} is corrupt: ${this.objectPath(key)} decodes to a body with sha256 ${actual}`,
      );
    }
    return body;
  }

  async manifest(manifestId: string): Promise<RawPageRef> {
    checked(ManifestIdSchema, manifestId, 'manifest id');
    const path = this.manifestPath(manifestId);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (isNotFound(err))
        throw new RawPageNotFoundError(`no raw page manifest ${manifestId} in ${this.root}`);
      throw err;
    }
    return checked(RawPageRefSchema, parseJson(text, path), `manifest ${path}`);
  }

  /** Every manifest in the store, in manifest id order. */
  async *manifests(): AsyncIterable<RawPageRef> {
    let names: string[];
    try {
      names = await readdir(join(this.root, 'manifests'));
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    for (const name of names.sort()) {
      if (isTempName(name) || !name.endsWith('.json')) continue;
      yield await this.manifest(name.slice(0, -'.json'.length));
    }
  }

  /**
   * Records the papers `key` parsed to with parser version `parserVersion`, as parsed (sources and
   * sighting times of that capture). Rewritten by every parse of the body; each version is whole.
   */
  async putPapers(key: string, parserVersion: number, papers: Paper[]): Promise<void> {
    const head = checked(PapersFileSchema, { key, parserVersion, papers: [] }, `papers of raw page ${key}`);
    // Checked and written a piece at a time: a page of 50,000 papers would otherwise be copied
    // whole by the check and again as one JSON string, a hundred megabytes at once.
    const gzip = createGzip();
    const compressed = collect(gzip);
    const write = async (text: string) => {
      if (!gzip.write(text)) await once(gzip, 'drain');
    };
    try {
      await write(`{"key":${JSON.stringify(head.key)},"parserVersion":${head.parserVersion},"papers":[`);
      for (let at = 0; at < papers.length; at += PAPERS_PER_PIECE) {
        const piece = checked(
          PapersFileSchema.shape.papers,
          papers.slice(at, at + PAPERS_PER_PIECE),
          `papers of raw page ${key} (counting from paper ${at})`,
        );
        const json = JSON.stringify(piece);
        await write(`${at === 0 ? '' : ','}${json.slice(1, -1)}`);
      }
      gzip.end(']}');
    } catch (error) {
      gzip.destroy();
      throw error;
    }
    await writeFileAtomic(this.papersPath(key, parserVersion), await compressed, { exclusive: false });
  }

  /** The papers recorded for `key` and `parserVersion`; null when that body was never recorded. */
  async papers(key: string, parserVersion: number): Promise<Paper[] | null> {
    checked(RawKeySchema, key, 'raw page key');
    checked(ParserVersionSchema, parserVersion, 'parser version');
    const path = this.papersPath(key, parserVersion);
    let compressed: Buffer;
    try {
      compressed = await readFile(path);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    let text: string;
    try {
      text = (await gunzipAsync(compressed)).toString('utf8');
    } catch (err) {
      throw new RawPageCorruptError(`papers file ${path} does not decompress (${(err as Error).message})`);
    }
    const record = checked(PapersFileSchema, parseJson(text, path), `papers file ${path}`);
    if (record.key !== key || record.parserVersion !== parserVersion) {
      throw new RawPageCorruptError(
        `papers file ${path} holds raw page ${record.key} v${record.parserVersion}, not ${key} v${parserVersion}`,
      );
    }
    return record.papers;
  }

  /**
   * Records that a page of `page.url` with body `page.key` was parsed under `page.sourceName` and
   * its papers queued for the index: from now on that body from that URL and source is unchanged.
   */
  async putLastParse(page: Pick<RawPageRef, 'url' | 'key' | 'sourceName'>): Promise<void> {
    const record = checked(
      LastParseFileSchema,
      { url: page.url, key: page.key, sourceName: page.sourceName },
      `last parse of ${page.url}`,
    );
    await writeFileAtomic(this.lastParsePath(page.url), `${JSON.stringify(record)}\n`, { exclusive: false });
  }

  /** The body and source name of `url`'s last parsed page; null when none was recorded. */
  async lastParse(url: string): Promise<LastParse | null> {
    const path = this.lastParsePath(url);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    const record = checked(LastParseFileSchema, parseJson(text, path), `last parse file ${path}`);
    // The file is named by a hash of the URL; a record of another URL says nothing about this one.
    return record.url === url ? record : null;
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
