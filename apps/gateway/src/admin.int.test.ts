import { createLogger } from '@paperwire/observability';
import { createRedis, Producer } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';
import { freePort, tempDir, uniquePrefix, waitFor, type TempDir } from '@paperwire/testing';
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { QueueAccess } from './admin/queues.js';
import { ANNEALING, QEC } from './testing/fixture.js';
import { startOwnRedis } from './testing/redis-server.js';
import { getJson, seededSqliteIndex, serve, type Running, type SeededIndex } from './testing/serve.js';

const TOKEN = 'test-admin-token-0123456789';
const logger = createLogger('gateway-admin-test', 'silent');

describe('admin', () => {
  const redisUrl = inject('redisUrl');
  let prefix: string;
  let seeded: SeededIndex;
  let raw: TempDir;
  let store: RawStore;
  let queues: QueueAccess;
  let gateway: Running;
  /** A producer of the test's own on the same Redis and prefix, to look into the queues. */
  let observer: { redis: Redis; producer: Producer };

  const post = (
    path: string,
    body: unknown,
    headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
  ) =>
    getJson(`${gateway.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    prefix = uniquePrefix('gateway-admin');
    seeded = await seededSqliteIndex([QEC, ANNEALING]);
    raw = await tempDir('gateway-raw');
    store = new RawStore(raw.path);
    queues = new QueueAccess({ redisUrl, prefix, logger });
    gateway = await serve({ index: seeded.index, admin: { token: TOKEN, queues, store, logger } });
    const redis = createRedis(redisUrl, 'producer');
    observer = { redis, producer: new Producer({ connection: redis, prefix }) };
  });

  afterAll(async () => {
    await gateway?.close();
    await queues?.close();
    await observer?.producer.close();
    observer?.redis.disconnect();
    await seeded?.close();
    await raw?.remove();
  });

  describe('authentication', () => {
    it.each([
      ['no Authorization header', undefined, 'admin needs the header Authorization: Bearer <ADMIN_TOKEN>'],
      ['a wrong token', `Bearer ${TOKEN.replace(/.$/, 'x')}`, 'the admin token is wrong'],
      ['a shorter token', `Bearer ${TOKEN.slice(0, 5)}`, 'the admin token is wrong'],
      ['a longer token', `Bearer ${TOKEN}${TOKEN}`, 'the admin token is wrong'],
      ['an empty token', 'Bearer ', 'admin needs the header Authorization: Bearer <ADMIN_TOKEN>'],
      ['another scheme', `Token ${TOKEN}`, 'admin needs the header Authorization: Bearer <ADMIN_TOKEN>'],
    ])('answers 401 to %s', async (_case, authorization, message) => {
      const answer = await post('/v1/admin/replay-failed', {}, authorization ? { authorization } : {});
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: 'unauthorized', message });
      expect(answer.headers.get('www-authenticate')).toContain('Bearer realm=');
    });

    it('takes the token as a Basic password, so a browser can log in', async () => {
      const basic = Buffer.from(`admin:${TOKEN}`).toString('base64');
      const answer = await post('/v1/admin/replay-failed', {}, { authorization: `Basic ${basic}` });
      expect(answer.status).toBe(200);
    });

    it('checks the token before it reads the body', async () => {
      const answer = await post('/v1/admin/ingest', '{not json', {});
      expect(answer.status).toBe(401);
    });
  });

  describe('POST /v1/admin/ingest', () => {
    it('queues a fetch job per URL', async () => {
      const urls = ['https://huggingface.co/papers?date=2025-11-03', 'https://export.arxiv.org/rss/cs.LG'];
      const answer = await post('/v1/admin/ingest', {
        urls,
        capturedAt: '2025-11-03',
        source: 'hf',
        format: 'hf-html',
      });
      expect(answer.status).toBe(202);
      const queued = answer.body.queued as { url: string; jobId: string; outcome: string }[];
      expect(queued.map((q) => q.url)).toEqual(urls);
      for (const [i, { jobId }] of queued.entries()) {
        const job = await observer.producer.queue('fetch').getJob(jobId);
        expect(job?.name).toBe('page.fetch');
        expect(job?.data).toEqual({
          url: new URL(urls[i] as string).href,
          sourceName: 'hf',
          formatHint: 'hf-html',
          capturedAt: '2025-11-03T00:00:00.000Z',
          runId: answer.body.runId,
        });
      }
    });

    it('tracks the ingest as a run, readable at /v1/admin/runs/:id', async () => {
      const answer = await post('/v1/admin/ingest', { urls: ['https://example.org/run.txt'] });
      const runId = answer.body.runId as string;
      expect(runId).toMatch(/^ingest-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
      const run = await getJson(`${gateway.base}/v1/admin/runs/${runId}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(run.status).toBe(200);
      expect(run.body).toMatchObject({ runId, kind: 'ingest', expected: 1, fetched: 0, done: false });
      expect(run.body.summary).toBe('0 indexed, 0 failed, 0 unchanged');

      const unknown = await getJson(`${gateway.base}/v1/admin/runs/ingest-none`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(unknown.status).toBe(404);
      const unauthorized = await getJson(`${gateway.base}/v1/admin/runs/${runId}`);
      expect(unauthorized.status).toBe(401);
    });

    it('defaults the source to the host and the format to detection', async () => {
      const answer = await post('/v1/admin/ingest', { urls: ['https://example.org/digest.txt'] });
      expect(answer.status).toBe(202);
      const jobId = (answer.body.queued as { jobId: string }[])[0]?.jobId as string;
      const job = await observer.producer.queue('fetch').getJob(jobId);
      expect(job?.data).toMatchObject({ sourceName: 'example.org', formatHint: null, capturedAt: null });
    });

    it.each([
      [{ urls: ['/etc/passwd'] }, 'urls.0'],
      [{ urls: ['file:///etc/passwd'] }, 'urls.0'],
      [{ urls: ['https://ok.example/a', 'javascript:alert(1)'] }, 'urls.1'],
      [{ urls: [] }, 'urls'],
      [{ urls: 'https://example.org/' }, 'urls'],
      [{}, 'urls'],
      [{ urls: Array.from({ length: 101 }, (_, i) => `https://example.org/${i}`) }, 'urls'],
      [{ urls: ['https://example.org/'], capturedAt: 'yesterday' }, 'capturedAt'],
      [{ urls: ['https://example.org/'], format: 'pdf' }, 'format'],
      [{ urls: ['https://example.org/'], source: '' }, 'source'],
      [{ urls: ['https://example.org/'], priority: 1 }, 'priority'],
      [[], 'body'],
      ['"a string"', 'body'],
    ])('rejects %j naming %s', async (body, parameter) => {
      const answer = await post('/v1/admin/ingest', body);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('bad_request');
      expect((answer.body.issues as { parameter: string }[]).map((i) => i.parameter)).toContain(parameter);
    });

    it('answers 400 to a body that is not JSON', async () => {
      const answer = await post('/v1/admin/ingest', '{"urls": [');
      expect(answer).toMatchObject({ status: 400, body: { message: 'the body is not valid JSON' } });
    });

    it('answers 415 to a body that is not sent as JSON', async () => {
      const answer = await post('/v1/admin/ingest', 'urls=https://example.org/', {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(answer).toMatchObject({ status: 415, body: { error: 'unsupported_media_type' } });
    });

    it('answers 413 to a body over 100 kB', async () => {
      const answer = await post('/v1/admin/ingest', { urls: [`https://example.org/${'a'.repeat(120_000)}`] });
      expect(answer).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    });
  });

  describe('POST /v1/admin/reparse', () => {
    it('queues the archived pages that match, for the parser', async () => {
      const before = await observer.producer.queue('parse').getWaitingCount();
      await store.put(Buffer.from('a page of hf'), {
        url: 'https://huggingface.co/papers?date=2025-11-03',
        sourceName: 'hf',
        capturedAt: '2025-11-03T00:00:00.000Z',
        contentType: 'text/plain',
        formatHint: null,
      });
      await store.put(Buffer.from('a page of arxiv'), {
        url: 'https://export.arxiv.org/rss/cs.LG',
        sourceName: 'arxiv',
        capturedAt: '2025-11-05T00:00:00.000Z',
        contentType: 'application/rss+xml',
        formatHint: null,
      });

      expect(await post('/v1/admin/reparse', { source: 'hf' })).toMatchObject({
        status: 202,
        body: { pages: 1 },
      });
      expect(await post('/v1/admin/reparse', { since: '2025-11-04' })).toMatchObject({
        status: 202,
        body: { pages: 1 },
      });
      expect(await post('/v1/admin/reparse', { source: 'rss', since: '2020-01-01' })).toMatchObject({
        status: 202,
        body: { pages: 0 },
      });
      expect(await post('/v1/admin/reparse', {})).toMatchObject({ status: 202, body: { pages: 2 } });
      expect(await observer.producer.queue('parse').getWaitingCount()).toBe(before + 4);
    });

    it.each([
      [{ since: 'last week' }, 'since'],
      [{ source: 42 }, 'source'],
      [{ everything: true }, 'everything'],
    ])('rejects %j naming %s', async (body, parameter) => {
      const answer = await post('/v1/admin/reparse', body);
      expect(answer.status).toBe(400);
      expect(answer.body.issues).toEqual([{ parameter, message: expect.any(String) }]);
    });
  });

  describe('POST /v1/admin/replay-failed', () => {
    it('moves failed jobs back to waiting and counts them', async () => {
      const fetchQueue = observer.producer.queue('fetch');
      const jobId = await observer.producer.enqueue('page.fetch', {
        url: 'https://example.org/fails',
        sourceName: 'test',
      });
      const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
      const worker = new Worker(
        'fetch',
        async () => {
          throw new UnrecoverableError('this page always fails');
        },
        { connection, prefix, autorun: true },
      );
      try {
        await waitFor(async () => (await fetchQueue.getJobState(jobId)) === 'failed', {
          what: `job ${jobId} to fail`,
        });
      } finally {
        await worker.close();
        connection.disconnect();
      }
      const failedBefore = await fetchQueue.getFailedCount();
      expect(failedBefore).toBeGreaterThanOrEqual(1);

      const answer = await post('/v1/admin/replay-failed', { queue: 'fetch' });
      expect(answer).toMatchObject({ status: 200, body: { retried: { fetch: failedBefore } } });
      expect(await fetchQueue.getFailedCount()).toBe(0);
      expect(await fetchQueue.getJobState(jobId)).toBe('waiting');
    });

    it('covers every queue without a body', async () => {
      const answer = await getJson(`${gateway.base}/v1/admin/replay-failed`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(answer).toMatchObject({ status: 200, body: { retried: { fetch: 0, parse: 0, index: 0 } } });
    });

    it('rejects an unknown queue', async () => {
      const answer = await post('/v1/admin/replay-failed', { queue: 'email' });
      expect(answer).toMatchObject({ status: 400, body: { issues: [{ parameter: 'queue' }] } });
    });
  });

  describe('queue dashboard', () => {
    it('asks a browser for the token', async () => {
      const response = await fetch(`${gateway.base}/admin/queues`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Basic realm=');
    });

    it.each([
      ['no token', undefined, 'admin needs the header Authorization: Bearer <ADMIN_TOKEN>'],
      ['a wrong token', `Bearer ${'x'.repeat(TOKEN.length)}`, 'the admin token is wrong'],
    ])('answers its API 401 with %s, showing no queue', async (_case, authorization, message) => {
      const answer = await getJson(`${gateway.base}/admin/queues/api/queues`, {
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(answer).toMatchObject({ status: 401, body: { error: 'unauthorized', message } });
      expect(JSON.stringify(answer.body)).not.toContain('"queues"');
    });

    it('serves Bull Board with the token, over our queues', async () => {
      const page = await fetch(`${gateway.base}/admin/queues`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toContain('__UI_CONFIG__');

      const api = await getJson<{ queues: { name: string }[] }>(`${gateway.base}/admin/queues/api/queues`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(api.status).toBe(200);
      expect(api.body.queues.map((q) => q.name).sort()).toEqual(['deliver', 'fetch', 'index', 'parse']);
    });
  });
});

describe('admin without Redis', () => {
  it('answers 503 while search goes on answering', async () => {
    const seeded = await seededSqliteIndex([QEC]);
    const raw = await tempDir('gateway-raw');
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    const queues = new QueueAccess({ redisUrl: nowhere, prefix: uniquePrefix('nowhere'), logger });
    const gateway = await serve({
      index: seeded.index,
      admin: { token: TOKEN, queues, store: new RawStore(raw.path), logger },
    });
    try {
      const started = Date.now();
      const answer = await getJson(`${gateway.base}/v1/admin/ingest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ urls: ['https://example.org/'] }),
      });
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ error: 'unavailable', message: expect.stringContaining('Redis') });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect((await fetch(`${gateway.base}/v1/search?q=quantum`)).status).toBe(200);
    } finally {
      await gateway.close();
      await queues.close();
      await seeded.close();
      await raw.remove();
    }
  });

  it('keeps search answering when the Redis admin uses stops', async () => {
    const redis = await startOwnRedis();
    const seeded = await seededSqliteIndex([QEC]);
    const raw = await tempDir('gateway-raw');
    const queues = new QueueAccess({ redisUrl: redis.url, prefix: uniquePrefix('stopping'), logger });
    const gateway = await serve({
      index: seeded.index,
      admin: { token: TOKEN, queues, store: new RawStore(raw.path), logger },
    });
    const replay = () =>
      fetch(`${gateway.base}/v1/admin/replay-failed`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
    try {
      expect((await replay()).status).toBe(200);
      await redis.stop();
      expect((await fetch(`${gateway.base}/v1/search?q=quantum`)).status).toBe(200);
      expect((await fetch(`${gateway.base}/v1/papers/${QEC.id}`)).status).toBe(200);
      expect((await replay()).status).toBe(503);
    } finally {
      await gateway.close();
      await queues.close();
      await redis.stop();
      await seeded.close();
      await raw.remove();
    }
  });
});
