import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { tempDir, type TempDir } from '@paperwire/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readFileSource } from './file.js';
import { PermanentFetchError } from './http.js';
import { RefusedFetchError } from './safety.js';

describe('readFileSource', () => {
  let dir: TempDir;
  let root: string;
  let linkedRoot: string;

  beforeAll(async () => {
    dir = await tempDir('file-sources');
    root = join(dir.path, 'digests');
    await mkdir(join(root, 'nested'), { recursive: true });
    await writeFile(join(root, 'nested', 'page.txt'), 'inside');
    await writeFile(join(dir.path, 'secret.txt'), 'outside');
    await symlink(join(dir.path, 'secret.txt'), join(root, 'link-out.txt'));
    await writeFile(join(root, 'big.txt'), Buffer.alloc(4096, 'x'));
    // A root configured through a symlink, and a directory link out of the root.
    linkedRoot = join(dir.path, 'digests-link');
    await symlink(root, linkedRoot);
    await mkdir(join(dir.path, 'elsewhere'));
    await symlink(join(dir.path, 'elsewhere'), join(root, 'dir-out'));
    await symlink(join(dir.path, 'nowhere.txt'), join(root, 'dangling.txt'));
  });

  afterAll(() => dir.remove());

  const url = (...parts: string[]) => pathToFileURL(join(...parts)).href;

  it('reads a file inside a root', async () => {
    expect((await readFileSource(url(root, 'nested', 'page.txt'), [root], 1024)).toString()).toBe('inside');
  });

  it('refuses files outside every root, by path, by .. and through a symlink', async () => {
    for (const target of [
      url(dir.path, 'secret.txt'),
      `file://${root}/../secret.txt`,
      url(root, 'link-out.txt'),
      'file:///etc/passwd',
    ]) {
      await expect(readFileSource(target, [root], 1024), target).rejects.toBeInstanceOf(RefusedFetchError);
    }
    await expect(readFileSource(url(root, 'nested', 'page.txt'), [], 1024)).rejects.toThrow(
      /none configured/,
    );
  });

  it('says a file inside a root is missing, and refuses one too big', async () => {
    await expect(readFileSource(url(root, 'gone.txt'), [root], 1024)).rejects.toThrow(/no such file/);
    await expect(readFileSource(url(root, 'big.txt'), [root], 1024)).rejects.toBeInstanceOf(
      PermanentFetchError,
    );
  });

  it('says a file inside a root reached through a symlink is missing', async () => {
    await expect(readFileSource(url(linkedRoot, 'gone.txt'), [linkedRoot], 1024)).rejects.toThrow(
      /no such file/,
    );
    await expect(readFileSource(url(root, 'nested', 'gone.txt'), [linkedRoot], 1024)).rejects.toThrow(
      /no such file/,
    );
    await expect(readFileSource(url(linkedRoot, 'nested', 'page.txt'), [linkedRoot], 1024)).resolves.toEqual(
      Buffer.from('inside'),
    );
  });

  it('refuses a missing file outside every root, also through a symlink or a dangling one', async () => {
    for (const target of [
      url(dir.path, 'gone.txt'),
      url(root, 'dir-out', 'gone.txt'),
      url(root, 'dangling.txt'),
      url(dir.path, 'no-dir', 'gone.txt'),
    ]) {
      for (const roots of [[root], [linkedRoot]]) {
        await expect(readFileSource(target, roots, 1024), target).rejects.toBeInstanceOf(RefusedFetchError);
      }
    }
  });
});
