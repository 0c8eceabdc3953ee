import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

import { createLogger } from '@paperwire/observability';
import {
  backfill,
  ingest,
  newRunId,
  Runs,
  SourceState,
  waitForRun,
  type RunState,
} from '@paperwire/pipeline';
import { createRedis, JOB_ATTEMPTS, Producer } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';
import type { Paper } from '@paperwire/schema';
import { createSearchIndex } from '@paperwire/search';
import { parseSources, type Source } from '@paperwire/sources';
import { tempDir, uniquePrefix, waitFor, type TempDir } from '@paperwire/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { loadEnv } from './env.js';
import { startFetcher, type RunningFetcher } from './fetcher.js';
import {
  hfTextPage,
  startDigestServer,
  type DigestPaper,
  type DigestServer,
} from './testing/digest-server.js';
import { startApp, type AppProcess } from './testing/processes.js';

const FETCH_TIMEOUT_MS = 800;
const MAX_BYTES = 256 * 1024;

const paper = (title: string, upvotes = 1): DigestPaper => ({
  title,
  abstract: `We study ${title.toLowerCase()} and report what we found, in one paragraph.`,
  authors: 3,
  upvotes,
});

/** The pages the site publishes, one per day; a day not in here is not published (404). */
const DAYS: Record<string, DigestPaper[]> = {
  '2025-11-01': [
    paper('Sparse Routers for Daily Digests'),
    paper('Contrastive Pretraining of Paper Crawlers'),
  ],
  '2025-11-02': [
    paper('Scheduling Fetches by Cron in UTC'),
    paper('Token Buckets Shared Across Replicas'),
    paper('Conditional Requests Save Bandwidth'),
  ],
  '2025-11-03': [paper('Backfilling a Research Index Day by Day')],
  '2025-11-04': [paper('Resumable Backfills With a Ledger')],
};
const LATE_DAY = '2025-11-05';
const LATE_PAPER = paper('A Page Published After Its First Fetch');

describe('fetcher against a local digest site', () => {
  let server: DigestServer;
  let data: TempDir;
  let apps: AppProcess[] = [];
  let fetcher: RunningFetcher;
  let producer: Producer;
  let runs: Runs;
  let state: SourceState;
  let store: RawStore;
  let lateDayPublished = false;
  let changingVersion = 1;
  let endlessCut: Promise<number>;

  beforeAll(async () => {
    let endlessClosed: (bytes: number) => void = () => {};
    endlessCut = new Promise((resolve) => (endlessClosed = resolve));
    const text = (body: string, headers: Record<string, string> = {}) => ({
      body,
      headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
    });
    const routes: Parameters<typeof startDigestServer>[0] = {
      '/changing.txt': (_req, res) => {
        const papers = [paper('A Page That Changes Overnight'), paper('Versioned Digests and Their Readers')];
        if (changingVersion > 1) papers.push(paper('The Paper Added in the Second Version'));
        const page = text(hfTextPage('2025-11-03', papers));
        res.writeHead(200, page.headers).end(page.body);
      },
      '/etag.txt': (req, res) => {
        if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, { etag: '"v1"' }).end();
        const page = text(hfTextPage('2025-11-03', [paper('Entity Tags for Digest Pages')]), {
          etag: '"v1"',
        });
        res.writeHead(200, page.headers).end(page.body);
      },
      '/static.txt': (_req, res) => {
        const page = text(hfTextPage('2025-11-03', [paper('Identical Bodies Need No Second Parse')]));
        res.writeHead(200, page.headers).end(page.body);
      },
      '/busy.txt': (_req, res, nth) => {
        if (nth === 0) return void res.writeHead(429, { 'retry-after': '1' }).end('slow down');
        const page = text(hfTextPage('2025-11-03', [paper('Honouring Retry-After Headers')]));
        res.writeHead(200, page.headers).end(page.body);
      },
      '/flaky.txt': (_req, res, nth) => {
        if (nth === 0) return void res.writeHead(503).end('maintenance');
        const page = text(hfTextPage('2025-11-03', [paper('Recovering From a Service Unavailable')]));
        res.writeHead(200, page.headers).end(page.body);
      },
      '/gzip.txt': (_req, res) => {
        const page = text(hfTextPage('2025-11-03', [paper('Gzip Bodies Are Decoded Before Parsing')]));
        res.writeHead(200, { ...page.headers, 'content-encoding': 'gzip' }).end(gzipSync(page.body));
      },
      // A small response that decodes to sixteen times the size limit.
      '/bomb.txt': (_req, res) =>
        void res
          .writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' })
          .end(gzipSync(Buffer.alloc(MAX_BYTES * 16, 'a'))),
      '/brotli.txt': (_req, res) => {
        const page = text(hfTextPage('2025-11-03', [paper('Brotli Bodies Are Decoded Too')]));
        res.writeHead(200, { ...page.headers, 'content-encoding': 'br' }).end(brotliCompressSync(page.body));
      },
      '/moved.txt': (_req, res) => void res.writeHead(301, { location: '/moved-here.txt' }).end(),
      '/moved-here.txt': (_req, res) => {
        const page = text(hfTextPage('2025-11-03', [paper('Following One Redirect Safely')]));
        res.writeHead(200, page.headers).end(page.body);
      },
      // Accepts the request and never answers.
      '/hang.txt': () => undefined,
      '/endless.txt': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        let sent = 0;
        const chunk = Buffer.alloc(16 * 1024, 'a');
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) sent += chunk.length;
          if (!res.destroyed) res.once('drain', pump);
        };
        res.once('close', () => endlessClosed(sent));
        pump();
      },
      '/loop-a': (_req, res) => void res.writeHead(302, { location: '/loop-b' }).end(),
      '/loop-b': (_req, res) => void res.writeHead(302, { location: '/loop-a' }).end(),
      '/to-other-host.txt': (_req, res) =>
        void res.writeHead(302, { location: `http://127.0.0.2:${server.port}/secret.txt` }).end(),
      '/via-localhost.txt': (_req, res) => void res.writeHead(200).end('never requested'),
    };
    for (const [day, papers] of Object.entries(DAYS)) {
      routes[`/daily/${day}.txt`] = (_req, res) => {
        const page = text(hfTextPage(day, papers));
        res.writeHead(200, page.headers).end(page.body);
      };
    }
    routes[`/daily/${LATE_DAY}.txt`] = (_req, res) => {
      if (!lateDayPublished) return void res.writeHead(404).end('not yet');
      const page = text(hfTextPage(LATE_DAY, [LATE_PAPER]));
      res.writeHead(200, page.headers).end(page.body);
    };
    server = await startDigestServer(routes);

    data = await tempDir('fetch-int');
    const sourcesFile = join(data.path, 'sources.yaml');
    await writeFile(sourcesFile, 'sources: []\n');
    const env = {
      REDIS_URL: inject('redisUrl'),
      DATA_DIR: data.path,
      QUEUE_PREFIX: uniquePrefix('fetch-int'),
      LOG_LEVEL: 'info',
      MEILI_URL: '',
      WORKER_CONCURRENCY: '8',
      SOURCES_FILE: sourcesFile,
      FETCH_ALLOW_HOSTS: '127.0.0.1',
      FETCH_TIMEOUT_MS: String(FETCH_TIMEOUT_MS),
      FETCH_CONNECT_TIMEOUT_MS: '500',
      FETCH_MAX_BYTES: String(MAX_BYTES),
      FETCH_RETRY_BASE_MS: '50',
      FETCH_HOST_INTERVAL_MS: '1',
      FETCH_HOST_BURST: '50',
      FETCH_HOST_CONCURRENCY: '8',
    };
    apps = [
      await startApp('parser', { ...process.env, ...env }),
      await startApp('indexer', { ...process.env, ...env }),
    ];
    fetcher = await startFetcher(loadEnv(env), createLogger('fetcher', 'silent'));
    producer = new Producer({ connection: createRedis(env.REDIS_URL, 'producer'), prefix: env.QUEUE_PREFIX });
    runs = new Runs(producer.connection, producer.prefix);
    state = new SourceState(producer.connection, producer.prefix);
    store = RawStore.inDataDir(data.path);
  });

  afterAll(async () => {
    await fetcher?.close();
    await Promise.all(apps.map((app) => app.stop()));
    await producer?.close();
    producer?.connection.disconnect();
    await server?.close();
    await data?.remove();
  });

  /** One ingest of `url` as a run of its own, waited for to the end. */
  async function fetchOnce(
    url: string,
    capturedAt: string | null = null,
    sourceName = 'local-site',
  ): Promise<RunState> {
    const runId = newRunId('ingest');
    await ingest({ store, producer, runs }, [url], { capturedAt, sourceName, formatHint: null, runId });
    return waitForRun(runs, runId, { timeoutMs: 60_000, intervalMs: 50 }).catch(async (error: Error) => {
      throw new Error(
        `${error.message}\n${apps.map((a) => a.output().split('\n').slice(-15).join('\n')).join('\n')}`,
      );
    });
  }

  const counts = (s: RunState) => ({
    fetched: s.fetched,
    unchanged: s.unchanged,
    failed: s.failed,
    refused: s.refused,
    papersIndexed: s.papersIndexed,
  });

  describe('a site that publishes a page a day', () => {
    const dailySource = (): Source =>
      parseSources(
        `sources:\n  - name: daily\n    url: ${server.origin}/daily/{date}.txt\n    format: hf-text\n`,
        {
          file: 'test',
          baseDir: '/',
        },
      ).sources[0]!;

    it('backfills one fetch per day, once, even when the backfill is started twice at once', async () => {
      const source = dailySource();
      const [first, again] = await Promise.all([
        backfill({ producer, runs, state }, source, '2025-11-01', '2025-11-03'),
        backfill({ producer, runs, state }, source, '2025-11-01', '2025-11-03'),
      ]);
      expect(again.runId).toBe(first.runId);
      const done = await waitForRun(runs, first.runId, { timeoutMs: 60_000, intervalMs: 50 });
      expect(counts(done)).toEqual({ fetched: 3, unchanged: 0, failed: 0, refused: 0, papersIndexed: 6 });
      for (const day of ['2025-11-01', '2025-11-02', '2025-11-03'])
        expect(server.hits(`/daily/${day}.txt`)).toHaveLength(1);
      expect(await state.daysDone('daily')).toEqual(new Set(['2025-11-01', '2025-11-02', '2025-11-03']));

      // Resumed (or run again): the days in the ledger are not fetched again.
      const resumed = await backfill({ producer, runs, state }, source, '2025-11-01', '2025-11-03');
      expect(resumed.queued).toEqual([]);
      expect((await waitForRun(runs, resumed.runId, { timeoutMs: 10_000 })).done).toBe(true);
      for (const day of ['2025-11-01', '2025-11-02', '2025-11-03'])
        expect(server.hits(`/daily/${day}.txt`)).toHaveLength(1);
    });

    it('fetches only the days not done, fails a day not yet published, and fetches it when asked again', async () => {
      const source = dailySource();
      const plan = await backfill({ producer, runs, state }, source, '2025-11-02', LATE_DAY);
      expect(plan.skipped).toEqual(['2025-11-02', '2025-11-03']);
      expect(plan.queued).toEqual(['2025-11-04', LATE_DAY]);
      const first = await waitForRun(runs, plan.runId, { timeoutMs: 60_000, intervalMs: 50 });
      // A 404 is not retried.
      expect(counts(first)).toEqual({ fetched: 1, unchanged: 0, failed: 1, refused: 0, papersIndexed: 1 });
      expect(server.hits(`/daily/${LATE_DAY}.txt`)).toHaveLength(1);

      lateDayPublished = true;
      const again = await backfill({ producer, runs, state }, source, '2025-11-02', LATE_DAY);
      expect(again.runId).toBe(plan.runId);
      expect(again.retried).toEqual([LATE_DAY]);
      expect(again.queued).toEqual([LATE_DAY]);
      const second = await waitForRun(runs, plan.runId, { timeoutMs: 60_000, intervalMs: 50 });
      expect(counts(second)).toEqual({ fetched: 2, unchanged: 0, failed: 0, refused: 0, papersIndexed: 2 });
      expect(second.skipped).toBe(2);
      expect(server.hits('/daily/2025-11-04.txt')).toHaveLength(1);
      expect(server.hits(`/daily/${LATE_DAY}.txt`)).toHaveLength(2);
    });
  });

  it('fetches a changed page again and indexes what it added', async () => {
    const url = `${server.origin}/changing.txt`;
    expect(counts(await fetchOnce(url, '2025-11-03T06:00:00.000Z'))).toMatchObject({
      fetched: 1,
      papersIndexed: 2,
    });
    changingVersion = 2;
    expect(counts(await fetchOnce(url, '2025-11-03T12:00:00.000Z'))).toMatchObject({
      fetched: 1,
      papersIndexed: 3,
    });
  });

  it('asks conditionally, and a 304 ends as unchanged with the sighting recorded', async () => {
    const url = `${server.origin}/etag.txt`;
    expect(counts(await fetchOnce(url, '2025-11-03T06:00:00.000Z'))).toMatchObject({
      fetched: 1,
      papersIndexed: 1,
    });
    const second = await fetchOnce(url, '2025-11-04T06:00:00.000Z');
    expect(counts(second)).toEqual({ fetched: 0, unchanged: 1, failed: 0, refused: 0, papersIndexed: 0 });
    expect(second.papersSighted).toBe(1);
    const hits = server.hits('/etag.txt');
    expect(hits).toHaveLength(2);
    expect(hits[0]!.headers['if-none-match']).toBeUndefined();
    expect(hits[1]!.headers['if-none-match']).toBe('"v1"');
    expect(hits[1]!.headers['user-agent']).toMatch(/^paperwire\/[\d.]+ \(\+https?:\/\/\S+\)$/);
    const seen = await paperTitled('Entity Tags for Digest Pages');
    expect(seen.firstSeenAt).toBe('2025-11-03T06:00:00.000Z');
    expect(seen.lastSeenAt).toBe('2025-11-04T06:00:00.000Z');
  });

  it('ends an identical body without validators as unchanged', async () => {
    const url = `${server.origin}/static.txt`;
    await fetchOnce(url, '2025-11-03T06:00:00.000Z');
    const second = await fetchOnce(url, '2025-11-04T06:00:00.000Z');
    expect(counts(second)).toEqual({ fetched: 0, unchanged: 1, failed: 0, refused: 0, papersIndexed: 0 });
    expect(second.papersSighted).toBe(1);
  });

  it('waits as long as a 429 Retry-After asks, then fetches', async () => {
    const done = await fetchOnce(`${server.origin}/busy.txt`);
    expect(counts(done)).toMatchObject({ fetched: 1, failed: 0, papersIndexed: 1 });
    const [refusedAt, servedAt] = server.hits('/busy.txt').map((h) => h.at);
    expect(servedAt! - refusedAt!).toBeGreaterThanOrEqual(950);
  });

  it('retries a 503 and fetches the page once it is back', async () => {
    const done = await fetchOnce(`${server.origin}/flaky.txt`);
    expect(counts(done)).toMatchObject({ fetched: 1, failed: 0, papersIndexed: 1 });
    expect(server.hits('/flaky.txt')).toHaveLength(2);
  });

  it('decodes gzip and brotli bodies', async () => {
    for (const path of ['/gzip.txt', '/brotli.txt']) {
      expect(counts(await fetchOnce(`${server.origin}${path}`)), path).toMatchObject({
        fetched: 1,
        papersIndexed: 1,
      });
      expect(server.hits(path)[0]!.headers['accept-encoding']).toBe('gzip, br');
    }
  });

  it('follows a redirect', async () => {
    expect(counts(await fetchOnce(`${server.origin}/moved.txt`))).toMatchObject({
      fetched: 1,
      papersIndexed: 1,
    });
  });

  it('gives up on a server that never answers, after every attempt timed out', async () => {
    const started = Date.now();
    const done = await fetchOnce(`${server.origin}/hang.txt`);
    expect(counts(done)).toEqual({ fetched: 0, unchanged: 0, failed: 1, refused: 0, papersIndexed: 0 });
    expect(server.hits('/hang.txt')).toHaveLength(JOB_ATTEMPTS);
    expect(Date.now() - started).toBeGreaterThanOrEqual(JOB_ATTEMPTS * FETCH_TIMEOUT_MS);
    const status = await state.status('local-site');
    expect(status.lastStatus).toBe('failed');
    expect(status.lastError).toMatch(/timed out/);
  });

  it('cuts an endless body at the size limit and does not retry it', async () => {
    const done = await fetchOnce(`${server.origin}/endless.txt`);
    expect(counts(done)).toEqual({ fetched: 0, unchanged: 0, failed: 1, refused: 0, papersIndexed: 0 });
    expect(server.hits('/endless.txt')).toHaveLength(1);
    // The connection was cut: the server stopped after a few socket buffers past the limit.
    expect(await endlessCut).toBeLessThan(MAX_BYTES * 16);
  });

  it('applies the size limit to the decoded body', async () => {
    const done = await fetchOnce(`${server.origin}/bomb.txt`);
    expect(counts(done)).toEqual({ fetched: 0, unchanged: 0, failed: 1, refused: 0, papersIndexed: 0 });
    expect(server.hits('/bomb.txt')).toHaveLength(1);
    expect((await state.status('local-site')).lastError).toMatch(/exceeds the 262144-byte limit/);
  });

  it('stops a redirect loop after five redirects', async () => {
    const done = await fetchOnce(`${server.origin}/loop-a`);
    expect(counts(done)).toEqual({ fetched: 0, unchanged: 0, failed: 1, refused: 0, papersIndexed: 0 });
    expect(server.hits('/loop-a').length + server.hits('/loop-b').length).toBe(6);
  });

  it('refuses a redirect to, a URL of, and a name resolving to a host that is not allowed; nothing is sent', async () => {
    for (const url of [
      `${server.origin}/to-other-host.txt`,
      `http://127.0.0.2:${server.port}/direct.txt`,
      `http://localhost:${server.port}/via-localhost.txt`,
    ]) {
      const done = await fetchOnce(url);
      expect(counts(done), url).toEqual({
        fetched: 0,
        unchanged: 0,
        failed: 0,
        refused: 1,
        papersIndexed: 0,
      });
    }
    expect(server.trapConnections()).toBe(0);
    expect(server.hits('/via-localhost.txt')).toHaveLength(0);
    const status = await state.status('local-site');
    expect(status.lastStatus).toBe('refused');
    expect(status.lastError).toMatch(/refused localhost .*loopback/);
    const refused = await producer.queue('fetch').getFailed();
    expect(refused.filter((j) => /refused/.test(j.failedReason)).every((j) => j.attemptsMade === 1)).toBe(
      true,
    );
  });

  it('holds exactly the papers of the pages that landed', async () => {
    const expected = [
      ...Object.values(DAYS).flat(),
      LATE_PAPER,
      paper('A Page That Changes Overnight'),
      paper('Versioned Digests and Their Readers'),
      paper('The Paper Added in the Second Version'),
      paper('Entity Tags for Digest Pages'),
      paper('Identical Bodies Need No Second Parse'),
      paper('Honouring Retry-After Headers'),
      paper('Recovering From a Service Unavailable'),
      paper('Following One Redirect Safely'),
      paper('Gzip Bodies Are Decoded Before Parsing'),
      paper('Brotli Bodies Are Decoded Too'),
    ].map((p) => p.title);
    const titles = (await allPapers()).map((p) => p.title);
    expect(titles.sort()).toEqual(expected.sort());
  });

  async function allPapers(): Promise<Paper[]> {
    const index = createSearchIndex({ dataDir: data.path, meiliIndex: 'papers' });
    try {
      return (await index.search({ q: '', limit: 100, offset: 0 })).hits;
    } finally {
      await index.close();
    }
  }

  async function paperTitled(title: string): Promise<Paper> {
    return waitFor(async () => (await allPapers()).find((p) => p.title === title), {
      what: `paper "${title}"`,
    });
  }
});
