import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { createLogger } from '@paperwire/observability';
import { ingest, newRunId } from '@paperwire/pipeline';
import { createRedis, JOB_ATTEMPTS, Producer } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';
import { tempDir, uniquePrefix, waitFor, type TempDir } from '@paperwire/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { loadEnv } from './env.js';
import { startFetcher, type RunningFetcher } from './fetcher.js';
import { hfTextPage, startDigestServer, type DigestServer, type Route } from './testing/digest-server.js';

const EVERY_MS = 300;
/** Room for two waits of a 1 s Retry-After (each up to a tenth longer), not three. */
const MAX_RETRY_AFTER_MS = 2_500;

describe('waits that are not failures', () => {
  let server: DigestServer;
  let data: TempDir;
  let fetcher: RunningFetcher;
  let producer: Producer;

  beforeAll(async () => {
    const page =
      (title: string): Route =>
      (_req, res) =>
        void res
          .writeHead(200, { 'content-type': 'text/plain' })
          .end(hfTextPage('2025-11-03', [{ title, abstract: 'One paragraph.', authors: 2, upvotes: 1 }]));
    const routes: Record<string, Route> = {
      '/retry-after.txt': (req, res, nth) =>
        nth < 2
          ? void res.writeHead(429, { 'retry-after': '1' }).end('slow down')
          : page('Patience With Busy Servers')(req, res, nth),
      '/always-busy.txt': (_req, res) => void res.writeHead(503, { 'retry-after': '1' }).end('maintenance'),
    };
    for (let i = 1; i <= 6; i += 1) routes[`/day-${i}.txt`] = page(`A Polite Fetch Number ${i}`);
    server = await startDigestServer(routes);

    data = await tempDir('host-wait');
    const sourcesFile = join(data.path, 'sources.yaml');
    // One request per EVERY_MS to the site, one at a time, shared by every fetch of its host.
    await writeFile(
      sourcesFile,
      `sources:\n  - name: slow-site\n    url: ${server.origin}/day-1.txt\n    format: hf-text\n` +
        `    rateLimit: { every: ${EVERY_MS}ms, burst: 1, concurrency: 1 }\n`,
    );
    const env = loadEnv({
      REDIS_URL: inject('redisUrl'),
      DATA_DIR: data.path,
      QUEUE_PREFIX: uniquePrefix('host-wait'),
      LOG_LEVEL: 'silent',
      MEILI_URL: '',
      METRICS_PORT: '0',
      WORKER_CONCURRENCY: '8',
      SOURCES_FILE: sourcesFile,
      FETCH_ALLOW_HOSTS: '127.0.0.1',
      FETCH_RETRY_BASE_MS: '20',
      // Every wait for the host's turn puts the job off rather than holding a worker slot.
      FETCH_MAX_HOST_WAIT_MS: '0',
      FETCH_MAX_RETRY_AFTER_MS: String(MAX_RETRY_AFTER_MS),
    });
    fetcher = await startFetcher(env, createLogger('fetcher', 'silent'));
    producer = new Producer({ connection: createRedis(env.REDIS_URL, 'producer'), prefix: env.QUEUE_PREFIX });
  });

  afterAll(async () => {
    await fetcher?.close();
    await producer?.close();
    producer?.connection.disconnect();
    await server?.close();
    await data?.remove();
  });

  async function fetchAll(paths: string[]): Promise<string[]> {
    const reports = await ingest(
      { store: RawStore.inDataDir(data.path), producer },
      paths.map((p) => `${server.origin}${p}`),
      { capturedAt: null, sourceName: 'slow-site', formatHint: null, runId: newRunId('ingest') },
    );
    return reports.map((r) => r.jobId);
  }

  const settled = (id: string, state: 'completed' | 'failed', timeoutMs = 30_000) =>
    waitFor(
      async () =>
        (await producer.queue('fetch').getJobState(id)) === state ? producer.queue('fetch').getJob(id) : null,
      { what: `fetch job ${id} to be ${state}`, timeoutMs },
    );

  it("fetches every page of a rate-limited host, its waits for the host's turn using up no attempt", async () => {
    const paths = [1, 2, 3, 4, 5, 6].map((i) => `/day-${i}.txt`);
    const ids = await fetchAll(paths);
    const jobs = await Promise.all(ids.map((id) => settled(id, 'completed')));

    // Completed at the first attempt, though most were put off for the host, some several times.
    expect(jobs.map((j) => j.attemptsMade)).toEqual(ids.map(() => 1));
    const waits = jobs.map((j) => j.attemptsStarted - j.attemptsMade);
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(paths.length - 1);
    expect(Math.max(...waits)).toBeGreaterThanOrEqual(2);

    // The host's limit held: one request per interval (a little slack for Redis's clock).
    const times = paths
      .map((p) => server.hits(p))
      .flat()
      .map((h) => h.at)
      .sort((a, b) => a - b);
    expect(times).toHaveLength(paths.length);
    for (let i = 1; i < times.length; i += 1)
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(EVERY_MS - 20);
  });

  it('waits as long as Retry-After says without using up attempts', async () => {
    const [id] = await fetchAll(['/retry-after.txt']);
    const job = await settled(id!, 'completed');
    expect(job.attemptsMade).toBe(1);
    const [first, second, third] = server.hits('/retry-after.txt').map((h) => h.at);
    expect(second! - first!).toBeGreaterThanOrEqual(1_000);
    expect(third! - second!).toBeGreaterThanOrEqual(1_000);
  });

  it('counts attempts again once the Retry-After waits of a fetch pass FETCH_MAX_RETRY_AFTER_MS', async () => {
    const [id] = await fetchAll(['/always-busy.txt']);
    const job = await settled(id!, 'failed', 45_000);
    expect(job.attemptsMade).toBe(JOB_ATTEMPTS);
    expect(job.failedReason).toMatch(/answered 503/);
    // Two put-offs fit in the cap; after them every request is an attempt.
    expect(server.hits('/always-busy.txt')).toHaveLength(JOB_ATTEMPTS + 2);
  });
});

describe('a fetcher closing while a fetch waits for its host', () => {
  let server: DigestServer;
  let data: TempDir;
  let producer: Producer;

  beforeAll(async () => {
    const page: Route = (req, res) =>
      void res
        .writeHead(200, { 'content-type': 'text/plain' })
        .end(
          hfTextPage('2025-11-03', [
            { title: `Waiting Politely at ${req.url}`, abstract: 'One paragraph.', authors: 2, upvotes: 1 },
          ]),
        );
    server = await startDigestServer({ '/first.txt': page, '/second.txt': page });
    data = await tempDir('host-wait-close');
  });

  afterAll(async () => {
    await producer?.close();
    producer?.connection.disconnect();
    await server?.close();
    await data?.remove();
  });

  it('puts the waiting fetch off, without using an attempt, instead of waiting for its turn', async () => {
    const sourcesFile = join(data.path, 'sources.yaml');
    // One request a minute: the second fetch waits in the worker (FETCH_MAX_HOST_WAIT_MS allows it).
    await writeFile(
      sourcesFile,
      `sources:\n  - name: slow-site\n    url: ${server.origin}/first.txt\n    format: hf-text\n` +
        `    rateLimit: { every: 1m, burst: 1, concurrency: 1 }\n`,
    );
    const env = loadEnv({
      REDIS_URL: inject('redisUrl'),
      DATA_DIR: data.path,
      QUEUE_PREFIX: uniquePrefix('host-wait-close'),
      LOG_LEVEL: 'silent',
      MEILI_URL: '',
      METRICS_PORT: '0',
      WORKER_CONCURRENCY: '2',
      SOURCES_FILE: sourcesFile,
      FETCH_ALLOW_HOSTS: '127.0.0.1',
      FETCH_MAX_HOST_WAIT_MS: '120000',
    });
    const fetcher = await startFetcher(env, createLogger('fetcher', 'silent'));
    producer = new Producer({ connection: createRedis(env.REDIS_URL, 'producer'), prefix: env.QUEUE_PREFIX });
    const queue = producer.queue('fetch');
    const reports = await ingest(
      { store: RawStore.inDataDir(data.path), producer },
      [`${server.origin}/first.txt`, `${server.origin}/second.txt`],
      { capturedAt: null, sourceName: 'slow-site', formatHint: null, runId: newRunId('ingest') },
    );
    const [first, second] = reports.map((r) => r.jobId);
    await waitFor(async () => (await queue.getJobState(first!)) === 'completed', { what: 'the first fetch' });
    await waitFor(async () => (await queue.getJobState(second!)) === 'active', {
      what: 'the second fetch to wait for its turn',
    });

    const started = Date.now();
    await fetcher.close();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await queue.getJobState(second!)).toBe('delayed');
    const job = await queue.getJob(second!);
    expect(job?.attemptsMade).toBe(0);
    expect(server.hits('/second.txt')).toHaveLength(0);
  });
});
