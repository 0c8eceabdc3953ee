import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createLogger, createMetrics } from '@paperwire/observability';
import { verifySignature, Watches } from '@paperwire/pipeline';
import { createRedis, Producer } from '@paperwire/queue';
import { canonicalPaper, type Paper, type WatchDelivery } from '@paperwire/schema';
import { freePort, tempDir, uniquePrefix, waitFor, type TempDir } from '@paperwire/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createDeliveryWorker } from './deliver.js';
import { createFetchAgent } from './http.js';
import { startApp, type AppProcess } from './testing/processes.js';

const TOKEN = 'test-admin-token-0123456789';
const CAPTURED = '2025-11-03T08:00:00.000Z';

interface Received {
  path: string;
  signature: string | undefined;
  delivery: string | undefined;
  raw: string;
  body: WatchDelivery;
}

function paper(n: number, title: string, extra: Partial<Paper> = {}): Paper {
  const arxivId = `2511.${String(n).padStart(5, '0')}`;
  return canonicalPaper({
    id: `arxiv-2511_${String(n).padStart(5, '0')}`,
    title,
    abstract: `Abstract of paper ${n}.`,
    authors: ['Ada Lovelace'],
    authorCount: 1,
    publishedAt: '2025-11-01',
    upvotes: 3,
    codeUrls: [],
    arxivId,
    sources: [
      {
        name: 'hf',
        url: 'https://huggingface.co/papers',
        format: 'hf-html',
        capturedAt: CAPTURED,
        upvotes: 3,
      },
    ],
    firstSeenAt: CAPTURED,
    lastSeenAt: CAPTURED,
    ...extra,
  });
}

/**
 * The watch path end to end, on real processes: watches made through the gateway's admin API,
 * papers written by the indexer's worker, matches delivered by the fetcher's delivery worker to a
 * receiver on loopback.
 */
describe('watches', () => {
  const redisUrl = inject('redisUrl');
  const prefix = uniquePrefix('watches');
  const metrics = createMetrics('fetcher');
  let data: TempDir;
  let gateway: AppProcess;
  let indexer: AppProcess;
  let gatewayBase: string;
  let receiver: Server;
  let receiverBase: string;
  const received: Received[] = [];
  /** Answers the receiver gives before it answers 200, per path. */
  const failuresLeft = new Map<string, number>();
  let producer: Producer;
  let worker: ReturnType<typeof createDeliveryWorker>;
  const dispatcher = createFetchAgent({
    connectTimeoutMs: 2_000,
    idleTimeoutMs: 5_000,
    policy: { allowHosts: new Set(['127.0.0.1']) },
  });
  let chunk = 0;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${gatewayBase}/v1/admin/watches${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
  };
  const createWatch = async (query: string, path: string, filters: Record<string, unknown> = {}) => {
    const answer = await api('POST', '', { query, filters, url: `${receiverBase}${path}` });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body as { id: string; secret: string };
  };
  const index = async (papers: Paper[]) => {
    chunk += 1;
    await producer.enqueue('papers.parsed', {
      manifestId: chunk.toString(16).padStart(32, '0'),
      chunk: 0,
      chunks: 1,
      papers,
    });
  };
  /** Index and deliver queues drained: nothing waiting, running or delayed. */
  const settled = async () => {
    for (const name of ['index', 'deliver'] as const) {
      const counts = await producer.queue(name).getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).some((n) => n > 0)) return false;
    }
    return true;
  };
  const to = (path: string) => received.filter((r) => r.path === path);

  beforeAll(async () => {
    data = await tempDir('watches');
    receiver = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (raw += chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        const left = failuresLeft.get(path) ?? 0;
        received.push({
          path,
          signature: req.headers['paperwire-signature'] as string | undefined,
          delivery: req.headers['paperwire-delivery'] as string | undefined,
          raw,
          body: JSON.parse(raw) as WatchDelivery,
        });
        if (left > 0) {
          failuresLeft.set(path, left - 1);
          res.writeHead(503).end('try later');
          return;
        }
        res.writeHead(204).end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    const env = {
      ...process.env,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      DATA_DIR: data.path,
      LOG_LEVEL: 'info',
      METRICS_PORT: '0',
    };
    const port = await freePort();
    gatewayBase = `http://127.0.0.1:${port}`;
    [gateway, indexer] = await Promise.all([
      startApp('gateway', {
        ...env,
        GATEWAY_PORT: String(port),
        GATEWAY_HOST: '127.0.0.1',
        ADMIN_TOKEN: TOKEN,
        FETCH_ALLOW_HOSTS: '127.0.0.1',
        RATE_LIMIT_PER_MINUTE: '0',
        SEARCH_THREADS: '0',
      }),
      startApp('indexer', { ...env, INDEX_CONCURRENCY: '2' }),
    ]);

    const client = createRedis(redisUrl, 'client');
    producer = new Producer({ connection: client, prefix });
    worker = createDeliveryWorker(
      {
        watches: new Watches(client, prefix),
        policy: { allowHosts: new Set(['127.0.0.1']) },
        dispatcher,
        userAgent: 'paperwire-test',
        logger: createLogger('deliver-test', 'silent'),
        deliveries: metrics.webhookDeliveries,
      },
      { connection: createRedis(redisUrl, 'worker'), prefix, concurrency: 2 },
    );
  });

  afterAll(async () => {
    await worker?.close();
    await Promise.all([gateway?.stop(), indexer?.stop()]);
    await producer?.close();
    producer?.connection.disconnect();
    await dispatcher.close();
    receiver?.close();
    await data?.remove();
  });

  it('delivers exactly the newly indexed papers that match, signed with the watch secret', async () => {
    const quantum = await createWatch('quantum error', '/quantum', { hasCode: true });
    const diffusion = await createWatch('Diffusion', '/diffusion');
    const withCode = paper(1, 'Quantum Error Correction at Scale', {
      codeUrls: ['https://github.com/x/qec'],
    });
    const noCode = paper(2, 'Quantum Error Mitigation Without Code');
    const diffusing = paper(3, 'Latent Diffusion for Video');
    await index([withCode, noCode, diffusing]);
    await waitFor(() => to('/quantum').length === 1 && to('/diffusion').length === 1, {
      what: 'the first deliveries',
      timeoutMs: 30_000,
    });

    // An update of a delivered paper is no new paper, and one that first makes a paper match
    // (noCode gaining code) neither; a new paper in the same chunk is.
    const later = '2025-11-04T08:00:00.000Z';
    const seenAgain = { ...withCode, upvotes: 9, lastSeenAt: later };
    seenAgain.sources = [{ ...withCode.sources[0]!, capturedAt: later, upvotes: 9 }];
    const gainsCode = { ...noCode, codeUrls: ['https://github.com/x/qem'] };
    const fresh = paper(4, 'Decoders for quantum ERROR correction', {
      codeUrls: ['https://github.com/x/dec'],
    });
    await index([canonicalPaper(seenAgain), canonicalPaper(gainsCode), fresh]);
    await waitFor(() => to('/quantum').length === 2, { what: 'the second delivery', timeoutMs: 30_000 });
    await waitFor(settled, { what: 'index and deliver queues to drain', timeoutMs: 30_000 });

    expect(to('/quantum').map((r) => r.body.paper.id)).toEqual([withCode.id, fresh.id]);
    expect(to('/diffusion').map((r) => r.body.paper.id)).toEqual([diffusing.id]);
    for (const [r, secret] of [
      ...to('/quantum').map((r) => [r, quantum.secret] as const),
      ...to('/diffusion').map((r) => [r, diffusion.secret] as const),
    ]) {
      expect(r.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifySignature(r.signature, secret, r.raw)).toMatchObject({ ok: true });
      expect(
        verifySignature(r.signature, secret === quantum.secret ? diffusion.secret : quantum.secret, r.raw),
      ).toMatchObject({ ok: false });
      expect(r.body.deliveryId).toBe(r.delivery);
    }
    const first = to('/quantum')[0]!.body;
    expect(first).toMatchObject({ watchId: quantum.id, query: 'quantum error', filters: { hasCode: true } });
    expect(first.paper).toMatchObject({
      id: withCode.id,
      title: withCode.title,
      codeUrls: withCode.codeUrls,
    });

    // A deleted watch gets nothing more.
    expect((await api('DELETE', `/${diffusion.id}`)).status).toBe(204);
    await index([paper(5, 'Diffusion Models Revisited')]);
    await waitFor(settled, { what: 'queues to drain', timeoutMs: 30_000 });
    expect(to('/diffusion')).toHaveLength(1);
  });

  it('retries a receiver that fails, until it takes the delivery', async () => {
    failuresLeft.set('/flaky', 2);
    const watch = await createWatch('flaky widgets', '/flaky');
    await index([paper(10, 'Flaky Widgets in Production')]);
    await waitFor(() => to('/flaky').length === 3, { what: 'three attempts', timeoutMs: 30_000 });
    const [jobId] = new Set(to('/flaky').map((r) => r.delivery));
    await waitFor(async () => (await producer.queue('deliver').getJobState(jobId!)) === 'completed', {
      what: 'the delivery job to complete',
      timeoutMs: 10_000,
    });
    // Read once completed: a job read before holds the attempts counted until then.
    const job = await producer.queue('deliver').getJob(jobId!);
    expect(job?.attemptsMade).toBe(3);
    expect(
      to('/flaky').every((r) => r.body.watchId === watch.id && r.body.paper.id === 'arxiv-2511_00010'),
    ).toBe(true);
    const counts = await metrics.registry.getSingleMetric('paperwire_webhook_deliveries_total')!.get();
    const count = (result: string) => counts.values.find((v) => v.labels.result === result)?.value ?? 0;
    expect(count('failed')).toBeGreaterThanOrEqual(2);
    expect(count('delivered')).toBeGreaterThanOrEqual(3);
  });

  it('refuses a forbidden webhook when the watch is made, and again when delivering', async () => {
    const port = (receiver.address() as AddressInfo).port;
    const refused = await api('POST', '', { query: 'anything', url: `http://localhost:${port}/sneaky` });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/refused localhost \(.*\): loopback address/);

    // A watch stored past the API (an older policy, a hand edit): its delivery is refused on
    // connecting, nothing is sent, and the job fails for good at once.
    const watches = new Watches(producer.connection, prefix);
    const sneaky = await watches.create({
      query: 'sneaky',
      filters: {},
      url: `http://localhost:${port}/sneaky`,
    });
    await index([paper(20, 'Sneaky Requests')]);
    const jobId = `deliver-${sneaky.id}-arxiv-2511_00020`;
    await waitFor(async () => (await producer.queue('deliver').getJobState(jobId)) === 'failed', {
      what: 'the delivery to fail',
      timeoutMs: 30_000,
    });
    const job = (await producer.queue('deliver').getJob(jobId))!;
    expect(job.failedReason).toMatch(/refused localhost \(.*\): loopback address/);
    expect(job.attemptsMade).toBe(1);
    expect(to('/sneaky')).toEqual([]);
    const counts = await metrics.registry.getSingleMetric('paperwire_webhook_deliveries_total')!.get();
    expect(counts.values.find((v) => v.labels.result === 'refused')?.value).toBe(1);
  });
});
