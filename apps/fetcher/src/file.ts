import { lstat, open, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { PermanentFetchError } from './http.js';
import { RefusedFetchError } from './safety.js';

/**
 * Reads a `file:` source. Only files inside one of `roots` are read, judged on the real path (so a
 * symlink out of a root is refused); anything else is refused without being opened.
 */
export async function readFileSource(
  url: string,
  roots: readonly string[],
  maxBytes: number,
): Promise<Buffer> {
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch (error) {
    throw new RefusedFetchError(`refused ${url}: ${(error as Error).message}`);
  }
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Only a missing file under a root is reported as missing: elsewhere even existence stays private.
    if (code === 'ENOENT') {
      const at = await whereMissingWouldBe(path);
      if (at !== null && (await insideAny(at, roots))) throw new PermanentFetchError(`${path}: no such file`);
    }
    throw new RefusedFetchError(`refused ${url}: not inside FETCH_FILE_ROOTS`);
  }
  if (!(await insideAny(real, roots))) {
    throw new RefusedFetchError(
      `refused ${url}: not inside FETCH_FILE_ROOTS (${roots.join(', ') || 'none configured'})`,
    );
  }
  const handle = await open(real, 'r');
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new PermanentFetchError(`${real}: not a regular file`);
    if (info.size > maxBytes)
      throw new PermanentFetchError(`${real}: ${info.size} bytes exceeds the ${maxBytes}-byte limit`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * The real path a missing `path` would have: its deepest existing ancestor resolved (so a root
 * reached through a symlink is recognised, and a symlink out of one is not), the missing rest
 * appended. Null when the first missing part exists after all as a dangling symlink, which leads
 * who knows where.
 */
async function whereMissingWouldBe(path: string): Promise<string | null> {
  const rest: string[] = [];
  let dir = resolve(path);
  for (;;) {
    const parent = dirname(dir);
    if (parent === dir) return null;
    rest.unshift(basename(dir));
    dir = parent;
    const real = await realpath(dir).catch(() => null);
    if (real === null) continue;
    const dangling = await lstat(join(dir, rest[0]!)).then(
      () => true,
      () => false,
    );
    return dangling ? null : join(real, ...rest);
  }
}

async function insideAny(path: string, roots: readonly string[]): Promise<boolean> {
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => null);
    if (realRoot === null) continue;
    const rel = relative(realRoot, path);
    if (rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))) return true;
  }
  return false;
}
