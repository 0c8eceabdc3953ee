import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';

import { createLogger } from '@paperwire/observability';
import { sha256Hex } from '@paperwire/rawstore';
import { tempDir, uniquePrefix, type TempDir } from '@paperwire/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { loadEnv } from '../env.js';
import { startFetcher, type RunningFetcher } from '../fetcher.js';
import { runCli, type CliResult } from '../testing/cli.js';
import { hfTextPage, startDigestServer, type DigestServer } from '../testing/digest-server.js';
import { startApp, type AppProcess } from '../testing/processes.js';
import type { RunSummary } from './report.js';

describe('paperwire ingest, backfill and reparse --wait', () => {
  let server: DigestServer;
  let data: TempDir;
  let env: NodeJS.ProcessEnv;
  let fetcher: RunningFetcher;
  let apps: AppProcess[] = [];
  let releaseHang = () => {};

  const page = (title: string) =>
    hfTextPage('2025-11-03', [{ title, abstract: 'One paragraph.', authors: 2, upvotes: 1 }]);

  beforeAll(async () => {
    const hang = new Promise<void>((resolve) => (releaseHang = resolve));
    server = await startDigestServer({
      '/ok.txt': (_req, res) =>
        void res.writeHead(200, { 'content-type': 'text/plain' }).end(page('Exit Codes That Mean Something')),
      '/day/2025-11-01.txt': (_req, res) =>
        void res.writeHead(200, { 'content-type': 'text/plain' }).end(page('A Day That Was Fetched')),
      // Answers only once the tests are over: a run that outlasts the wait.
      '/hang.txt': (_req, res) =>
        void hang.then(() => res.writeHead(200, { 'content-type': 'text/plain' }).end(page('Late'))),
    });
    data = await tempDir('cli-wait');
    const sourcesFile = join(data.path, 'sources.yaml');
    await writeFile(
      sourcesFile,
      `sources:\n  - name: daily\n    url: ${server.origin}/day/{date}.txt\n    format: hf-text\n`,
    );
    env = {
      ...process.env,
      REDIS_URL: inject('redisUrl'),
      DATA_DIR: data.path,
      QUEUE_PREFIX: uniquePrefix('cli-wait'),
      METRICS_PORT: '0',
      MEILI_URL: '',
      LOG_LEVEL: 'info',
      SOURCES_FILE: sourcesFile,
      FETCH_ALLOW_HOSTS: '127.0.0.1',
      FETCH_RETRY_BASE_MS: '20',
      FETCH_HOST_INTERVAL_MS: '1',
      FETCH_HOST_BURST: '50',
      FETCH_TIMEOUT_MS: '20000',
    };
    const started = await Promise.all([startApp('parser', env), startApp('indexer', env)]);
    apps = started;
    fetcher = await startFetcher(loadEnv(env), createLogger('fetcher', 'silent'));
  });

  afterAll(async () => {
    releaseHang();
    await fetcher?.close();
    await Promise.all(apps.map((app) => app.stop()));
    await server?.close();
    await data?.remove();
  });

  const cli = (args: string[]) => runCli(args, env);

  /** The one JSON object --json prints on stdout, and nothing else there. */
  function summaryOf(result: CliResult): RunSummary {
    const lines = result.stdout.split('\n').filter((line) => line !== '');
    expect(lines, `${result.stdout}\n${result.stderr}`).toHaveLength(1);
    return JSON.parse(lines[0]!) as RunSummary;
  }

  async function badPage(name: string): Promise<{ path: string; body: string }> {
    const path = join(data.path, name);
    const body = `{"these": "are not papers", "file": "${name}"}`;
    await writeFile(path, body);
    return { path, body };
  }

  it('exits 1 for a page no parser reads, with the parser’s reason and the raw page’s file', async () => {
    const bad = await badPage('bad.json');
    const result = await cli(['ingest', bad.path, '--source', 'bad', '--wait', '--json', '--timeout', '60']);
    expect(result.code, result.stderr).toBe(1);
    const summary = summaryOf(result);
    const key = sha256Hex(bad.body);
    expect(summary).toMatchObject({ done: true, ok: false, timedOut: false, pagesFailed: 1, failedTotal: 1 });
    expect(summary.failures).toHaveLength(1);
    const [failure] = summary.failures;
    expect(failure).toMatchObject({
      stage: 'parse',
      outcome: 'failed',
      url: pathToFileURL(bad.path).href,
      source: 'bad',
      pageKey: key,
      rawPath: join(data.path, 'raw', 'objects', key.slice(0, 2), key.slice(2, 4), `${key}.gz`),
    });
    expect(failure?.reason).toMatch(/cannot parse page/);
    expect(gunzipSync(readFileSync(failure!.rawPath!)).toString()).toBe(bad.body);
    expect(result.stderr).toContain(
      `failed: parse of ${pathToFileURL(bad.path).href} (source bad): cannot parse`,
    );
    expect(result.stderr).toContain(`raw page: ${key} in ${failure?.rawPath}`);
  });

  it('exits 1 when URLs fail or are refused, printing the HTTP status and the refusal', async () => {
    const missing = `${server.origin}/missing.txt`;
    const metadata = 'http://169.254.169.254/latest/meta-data/';
    const result = await cli(['ingest', missing, metadata, '--wait', '--timeout', '60']);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
    expect(result.stdout).toMatch(
      /^done: 0 indexed, 2 failed, 0 unchanged, 1 refused; \d+ papers in the index$/m,
    );
    expect(result.stderr).toContain(
      `failed: fetch of ${missing} (source 127.0.0.1): GET ${missing} answered 404 Not Found\n  HTTP 404; raw page: none archived`,
    );
    expect(result.stderr).toMatch(
      /^refused: fetch of http:\/\/169\.254\.169\.254\/latest\/meta-data\/ \(source 169\.254\.169\.254\): refused .*\n {2}raw page: none archived$/m,
    );
  });

  it('exits 0 when everything was indexed, and the JSON summary says ok', async () => {
    const result = await cli(['ingest', `${server.origin}/ok.txt`, '--wait', '--json', '--timeout', '60']);
    expect(result.code, result.stderr).toBe(0);
    const summary = summaryOf(result);
    expect(summary).toMatchObject({ done: true, ok: true, fetched: 1, papersIndexed: 1, failures: [] });
    expect(summary.papersInIndex).toBeGreaterThanOrEqual(1);
    // Everything for a person went to stderr.
    expect(result.stderr).toMatch(/^done: 1 indexed, 0 failed, 0 unchanged/m);
  });

  it('exits 1 at the timeout, with a summary that says the run is not done', async () => {
    const result = await cli(['ingest', `${server.origin}/hang.txt`, '--wait', '--json', '--timeout', '1']);
    expect(result.code, result.stderr).toBe(1);
    expect(summaryOf(result)).toMatchObject({ done: false, ok: false, timedOut: true, failures: [] });
    expect(result.stderr).toMatch(/not done after 1000 ms/);
  });

  it('reparse --wait exits 1 when an archived page still does not parse, naming it', async () => {
    const bad = await badPage('bad-again.json');
    expect((await cli(['ingest', bad.path, '--source', 'bad-again', '--wait', '--timeout', '60'])).code).toBe(
      1,
    );
    const result = await cli(['reparse', '--source', 'bad-again', '--wait', '--json', '--timeout', '60']);
    expect(result.code, result.stderr).toBe(1);
    const summary = summaryOf(result);
    expect(summary).toMatchObject({ kind: 'reparse', done: true, pagesFailed: 1 });
    expect(summary.failures).toEqual([
      expect.objectContaining({ stage: 'parse', source: 'bad-again', pageKey: sha256Hex(bad.body) }),
    ]);
    expect(existsSync(summary.failures[0]!.rawPath!)).toBe(true);
    expect(result.stderr).toMatch(/^reparse: 1 archived pages queued/m);
  });

  it('backfill exits 1 when a day failed, with its HTTP status', async () => {
    const result = await cli([
      'backfill',
      '--source',
      'daily',
      '--from',
      '2025-11-01',
      '--to',
      '2025-11-02',
      '--json',
      '--timeout',
      '60',
    ]);
    expect(result.code, result.stderr).toBe(1);
    const summary = summaryOf(result);
    expect(summary).toMatchObject({ kind: 'backfill', done: true, fetched: 1, failed: 1, papersIndexed: 1 });
    expect(summary.failures).toEqual([
      expect.objectContaining({
        stage: 'fetch',
        url: `${server.origin}/day/2025-11-02.txt`,
        source: 'daily',
        httpStatus: 404,
        rawPath: null,
      }),
    ]);
    expect(result.stderr).toContain(`failed: fetch of ${server.origin}/day/2025-11-02.txt (source daily)`);
  });
});
