import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Filesystems without hard links answer `link` with one of these. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

async function syncDir(dir: string): Promise<void> {
  // Makes the new directory entry durable; not every platform lets a directory be fsynced.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}

/**
 * Writes `data` to `path` so readers see either nothing or the whole file: a temp file in the same
 * directory, fsynced, then moved into place. With `exclusive`, an existing file is left alone and
 * the result is false; the hard link that publishes the file fails atomically when another writer
 * got there first, so exactly one of several concurrent writers reports true.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  opts: { exclusive: boolean },
): Promise<boolean> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx');
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    let written = true;
    if (opts.exclusive) {
      try {
        await link(temp, path);
      } catch (err) {
        if (errorCode(err) === 'EEXIST') written = false;
        else if (NO_HARD_LINKS.has(errorCode(err) ?? '')) await rename(temp, path);
        else throw err;
      }
    } else {
      await rename(temp, path);
    }
    if (written) await syncDir(dir);
    return written;
  } finally {
    await rm(temp, { force: true });
  }
}

export function isNotFound(err: unknown): boolean {
  return errorCode(err) === 'ENOENT';
}

/** Names of temp files left by `writeFileAtomic`, which listings must skip. */
export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}
