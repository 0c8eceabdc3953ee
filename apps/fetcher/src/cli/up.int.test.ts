import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { freePort, tempDir, uniquePrefix, waitFor, type TempDir } from '@paperwire/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { loadEnv } from '../env.js';
import { hfTextPage, startDigestServer, type DigestServer } from '../testing/digest-server.js';
import { up } from './up.js';

describe('paperwire up', () => {
  let server: DigestServer;
  let data: TempDir;
  let releaseSlowPage = () => {};

  beforeAll(async () => {
    const slowPage = new Promise<void>((resolve) => (releaseSlowPage = resolve));
    server = await startDigestServer({
      // Answers only once the test lets it: a first fetch that outlasts up's wait.
      '/slow.txt': (_req, res) =>
        void slowPage.then(() =>
          res.writeHead(200, { 'content-type': 'text/plain' }).end(
            hfTextPage('2025-11-03', [
              {
                title: 'Pages That Arrive After the Wait',
                abstract: 'One paragraph.',
                authors: 2,
                upvotes: 1,
              },
            ]),
          ),
        ),
    });
    data = await tempDir('up');
  });

  afterAll(async () => {
    releaseSlowPage();
    await server?.close();
    await data?.remove();
  });

  it('keeps serving when its first fetch outlasts the wait, and the fetch lands in the background', async () => {
    const sourcesFile = join(data.path, 'sources.yaml');
    await writeFile(
      sourcesFile,
      `sources:\n  - name: slow\n    url: ${server.origin}/slow.txt\n    format: hf-text\n`,
    );
    const port = await freePort();
    const vars = {
      REDIS_URL: inject('redisUrl'),
      DATA_DIR: data.path,
      QUEUE_PREFIX: uniquePrefix('up'),
      GATEWAY_PORT: String(port),
      GATEWAY_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      MEILI_URL: '',
      LOG_LEVEL: 'info',
      FETCH_ALLOW_HOSTS: '127.0.0.1',
    };
    const lines: string[] = [];
    const stop = new AbortController();
    let exitCode: number | undefined;
    const running = up({
      ingestSources: true,
      sourcesFile,
      env: loadEnv(vars),
      childEnv: { ...process.env, ...vars },
      out: (line) => void lines.push(line),
      ingestWaitMs: 1_000,
      signal: stop.signal,
    }).then((code) => (exitCode = code));

    try {
      await waitFor(() => lines.some((l) => l.startsWith('search is up')) || exitCode !== undefined, {
        what: 'up to say search is up',
        timeoutMs: 90_000,
      });
      expect(exitCode, lines.join('\n')).toBeUndefined();
      expect(lines.some((l) => /ingestion continues in the background/.test(l))).toBe(true);

      releaseSlowPage();
      const gateway = `http://127.0.0.1:${port}`;
      await waitFor(
        async () => ((await (await fetch(`${gateway}/v1/stats`)).json()) as { papers: number }).papers === 1,
        { what: 'the slow page to be indexed', timeoutMs: 60_000 },
      );
      expect(exitCode).toBeUndefined();
    } finally {
      stop.abort();
      await running;
    }
    expect(exitCode).toBe(0);
    expect(lines.at(-1)).toBe('stopped');
  });
});
