import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { repoRoot, tempDir, uniquePrefix, type TempDir } from '@paperwire/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { runCli } from '../testing/cli.js';

const DIGEST = join(repoRoot, 'infra/digests/hf-daily-papers-2025-11-03.txt');

/** Each command loads its own modules when it runs; these run the ones the other suites do not. */
describe('paperwire commands', () => {
  let data: TempDir;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    data = await tempDir('cli-commands');
    const sourcesFile = join(data.path, 'sources.yaml');
    await writeFile(sourcesFile, 'sources:\n  - name: daily\n    url: https://huggingface.co/papers\n');
    env = {
      ...process.env,
      REDIS_URL: inject('redisUrl'),
      DATA_DIR: data.path,
      QUEUE_PREFIX: uniquePrefix('cli-commands'),
      SOURCES_FILE: sourcesFile,
      MEILI_URL: '',
    };
  });
  afterAll(async () => {
    await data?.remove();
  });

  const cli = (args: string[]) => runCli(args, env);

  it('parse prints the papers of a file as JSON lines, and says why it cannot read one', async () => {
    const parsed = await cli(['parse', DIGEST, '--captured-at', '2025-11-03']);
    expect(parsed.code, parsed.stderr).toBe(0);
    const papers = parsed.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { id: string; title: string; firstSeenAt: string });
    expect(papers).toHaveLength(68);
    expect(papers.every((p) => p.id.length > 0 && p.title.length > 0)).toBe(true);
    expect(papers[0]!.firstSeenAt.startsWith('2025-11-03')).toBe(true);

    const notPapers = join(data.path, 'not-papers.json');
    await writeFile(notPapers, '{"these": "are not papers"}');
    const refused = await cli(['parse', notPapers]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`paperwire: cannot parse ${notPapers}:`);
  }, 60_000);

  it('sources lists the sources file with its schedule and state', async () => {
    const listed = await cli(['sources']);
    expect(listed.code, listed.stderr).toBe(0);
    const row = listed.stdout.split('\n').find((line) => line.startsWith('daily '));
    expect(row, listed.stdout).toMatch(/^daily\s+yes\s+on demand\s.*never fetched$/);
  }, 60_000);

  it('answers usage errors with exit status 2 and the usage, and help with 0', async () => {
    const noTarget = await cli(['ingest']);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('paperwire: ingest needs at least one URL, file or directory');
    expect(noTarget.stderr).toContain('Usage:');
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const help = await cli(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('paperwire up [--no-ingest]');
  }, 60_000);
});
