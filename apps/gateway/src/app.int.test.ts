import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createLogger, createMetrics, type AppMetrics } from '@paperwire/observability';
import { canonicalPaper, paperIdFromArxiv, paperIdFromTitle, type Paper } from '@paperwire/schema';
import { createSqliteIndex, type SearchIndex } from '@paperwire/search';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApp } from './app.js';

const CAPTURED_AT = '2025-11-03T00:00:00.000Z';

/** A valid, canonical Paper (as the index stores it), seen once on one page. */
function paper(
  title: string,
  abstract: string,
  extra: { upvotes?: number; codeUrls?: string[]; arxivId?: string } = {},
): Paper {
  const upvotes = extra.upvotes ?? 3;
  return canonicalPaper({
    id: extra.arxivId ? paperIdFromArxiv(extra.arxivId) : paperIdFromTitle(title),
    title,
    abstract,
    authors: ['Ada Lovelace', 'Alan Turing'],
    authorCount: 2,
    publishedAt: '2025-10-30',
    upvotes,
    codeUrls: extra.codeUrls ?? [],
    arxivId: extra.arxivId ?? null,
    sources: [
      {
        name: 'hf-daily',
        url: 'https://huggingface.co/papers',
        format: 'hf-text',
        capturedAt: CAPTURED_AT,
        upvotes,
      },
    ],
    firstSeenAt: CAPTURED_AT,
    lastSeenAt: CAPTURED_AT,
  });
}

const SCALING = paper(
  'Scaling Laws for Neural Language Models',
  'We study empirical scaling laws for language model performance on the cross-entropy loss.',
  { upvotes: 42, codeUrls: ['https://github.com/example/scaling'], arxivId: '2001.08361' },
);
const DIFFUSION_TITLES = [
  'Denoising Diffusion Probabilistic Models',
  'Latent Diffusion for High-Resolution Image Synthesis',
  'Diffusion Transformers at Scale',
  'Video Diffusion with Temporal Attention',
  'Consistency Training for Fast Diffusion Sampling',
];
const DIFFUSION = DIFFUSION_TITLES.map((title) =>
  paper(title, `A diffusion model study: ${title.toLowerCase()}, with experiments on image benchmarks.`),
);
const PAPERS = [
  SCALING,
  ...DIFFUSION,
  paper('Graph Neural Networks for Molecules', 'Message passing over atoms.'),
];

interface Running {
  base: string;
  close(): Promise<void>;
}

async function serve(index: SearchIndex, metrics: AppMetrics): Promise<Running> {
  const app = createApp({
    index,
    logger: createLogger('gateway-test', 'silent'),
    metrics,
    readinessTimeoutMs: 1_000,
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A real index whose engine stops answering: ping rejects, everything else still works. */
function unreachable(index: SearchIndex): SearchIndex {
  return {
    engine: index.engine,
    ensureSettings: () => index.ensureSettings(),
    upsert: (papers) => index.upsert(papers),
    recordSightings: (ids, url, capturedAt) => index.recordSightings(ids, url, capturedAt),
    get: (id) => index.get(id),
    search: (request) => index.search(request),
    similar: (id, limit) => index.similar(id, limit),
    delete: (ids) => index.delete(ids),
    stats: () => index.stats(),
    ping: () => Promise.reject(new Error('connection refused')),
    close: () => index.close(),
  };
}

describe('gateway', () => {
  let dir: string;
  let index: SearchIndex;
  let metrics: AppMetrics;
  let gateway: Running;

  const get = (path: string) => fetch(`${gateway.base}${path}`);
  const getJson = async (path: string) => {
    const response = await get(path);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperwire-gateway-'));
    index = createSqliteIndex({ path: join(dir, 'papers.db') });
    await index.ensureSettings();
    await index.upsert(PAPERS);
    metrics = createMetrics('gateway');
    gateway = await serve(index, metrics);
  });

  afterAll(async () => {
    await gateway?.close();
    await index?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('GET /v1/search', () => {
    it('answers with hits, total, limit, offset, query and timing', async () => {
      const { status, body } = await getJson('/v1/search?q=diffusion&limit=10');
      expect(status).toBe(200);
      expect(body).toMatchObject({ total: DIFFUSION.length, limit: 10, offset: 0, query: 'diffusion' });
      expect(typeof body.processingTimeMs).toBe('number');
      const ids = (body.hits as Paper[]).map((h) => h.id).sort();
      expect(ids).toEqual(DIFFUSION.map((p) => p.id).sort());
    });

    it('applies the default limit and offset', async () => {
      const { status, body } = await getJson('/v1/search?q=diffusion');
      expect(status).toBe(200);
      expect(body).toMatchObject({ limit: 20, offset: 0 });
    });

    it('puts the paper whose title is the query first', async () => {
      const { body } = await getJson(`/v1/search?q=${encodeURIComponent(SCALING.title)}`);
      const hits = body.hits as Paper[];
      expect(hits[0]).toEqual(SCALING);
    });

    it('pages through results without overlap', async () => {
      const pages = await Promise.all(
        [0, 2, 4].map((offset) => getJson(`/v1/search?q=diffusion&limit=2&offset=${offset}`)),
      );
      for (const { status, body } of pages) {
        expect(status).toBe(200);
        expect(body.total).toBe(DIFFUSION.length);
      }
      const ids = pages.flatMap(({ body }) => (body.hits as Paper[]).map((h) => h.id));
      expect(pages.map(({ body }) => (body.hits as Paper[]).length)).toEqual([2, 2, 1]);
      expect(new Set(ids).size).toBe(DIFFUSION.length);
      expect(pages[2]?.body).toMatchObject({ limit: 2, offset: 4 });
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['offset=-1', 'offset'],
      ['offset=9990&limit=20', 'offset'],
      ['foo=1', 'foo'],
      ['q[]=x', 'q'],
      ['q=a&q=b', 'q'],
      ['q[a]=x', 'q'],
    ])('rejects %s with a 400 naming %s', async (query, parameter) => {
      const { status, body } = await getJson(`/v1/search?${query}`);
      expect(status).toBe(400);
      expect(body.error).toBe('bad_request');
      expect(body.message).toContain(parameter);
      expect(body.issues).toEqual([{ parameter, message: expect.any(String) }]);
    });

    it('says an unknown parameter is unknown', async () => {
      const { body } = await getJson('/v1/search?q=x&foo=1');
      expect(body.issues).toEqual([{ parameter: 'foo', message: 'unknown parameter' }]);
    });

    it.each([
      '"unclosed',
      'diff*',
      '-diffusion',
      'title:diffusion',
      '(diffusion',
      'diffusion NEAR models',
      'AND OR NOT',
      "'",
      '^',
    ])('treats query syntax %j as text', async (q) => {
      const { status, body } = await getJson(`/v1/search?q=${encodeURIComponent(q)}`);
      expect(status).toBe(200);
      expect(body.query).toBe(q);
      expect(Array.isArray(body.hits)).toBe(true);
    });
  });

  describe('GET /v1/papers/:id', () => {
    it('returns the paper', async () => {
      const { status, body } = await getJson(`/v1/papers/${SCALING.id}`);
      expect(status).toBe(200);
      expect(body).toEqual(SCALING);
    });

    it('answers 404 for an unknown id', async () => {
      const id = paperIdFromTitle('A Paper Nobody Wrote');
      const { status, body } = await getJson(`/v1/papers/${id}`);
      expect(status).toBe(404);
      expect(body).toEqual({ error: 'not_found', message: `no paper with id ${id}` });
    });

    it.each(['not-an-id', 'title-has.dot', 'arxiv-2401.12345'])('answers 400 for the id %j', async (id) => {
      const { status, body } = await getJson(`/v1/papers/${encodeURIComponent(id)}`);
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: 'bad_request', issues: [{ parameter: 'id' }] });
    });
  });

  it('GET /v1/stats counts the papers', async () => {
    expect(await getJson('/v1/stats')).toEqual({ status: 200, body: { papers: PAPERS.length } });
  });

  it('GET /healthz answers while the process runs', async () => {
    expect(await getJson('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('GET /readyz answers 200 while the engine answers', async () => {
    const { status, body } = await getJson('/readyz');
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
  });

  it('GET /readyz answers 503 when the engine does not', async () => {
    const down = await serve(unreachable(index), metrics);
    try {
      const response = await fetch(`${down.base}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'unavailable', message: 'connection refused' });
      // Liveness is about the process, not the engine.
      expect((await fetch(`${down.base}/healthz`)).status).toBe(200);
    } finally {
      await down.close();
    }
  });

  it('GET /readyz answers 503 once the index is closed', async () => {
    const closed = createSqliteIndex({ path: join(dir, 'closed.db') });
    await closed.ensureSettings();
    const running = await serve(closed, metrics);
    try {
      expect((await fetch(`${running.base}/readyz`)).status).toBe(200);
      await closed.close();
      const response = await fetch(`${running.base}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'unavailable', message: expect.any(String) });
    } finally {
      await running.close();
    }
  });

  it('GET /metrics exposes the search latency histogram', async () => {
    await get('/v1/search?q=scaling');
    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const { name } = await metrics.searchLatency.get();
    const text = await response.text();
    expect(text).toContain(`# TYPE ${name} histogram`);
    expect(text).toMatch(new RegExp(`${name}_count\\{[^}]*route="/v1/search"[^}]*\\} [1-9]`));
  });

  it('GET / serves the search page', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toMatch(/<form[^>]*role="search"/);
    expect(html).toContain('<label for="q">');
    expect(html).toMatch(/<input id="q" name="q" type="search"/);
    expect(html).toContain('/v1/search');
    expect(html).not.toContain('innerHTML');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const { status, body } = await getJson('/v2/nothing');
    expect(status).toBe(404);
    expect(body).toEqual({ error: 'not_found', message: 'no route GET /v2/nothing' });
  });

  it('answers a malformed path with a 400 and no stack trace', async () => {
    const response = await get('/v1/papers/%E0%A4%A');
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: 'bad_request', message: 'malformed request' });
    expect(text).not.toContain('at ');
  });

  it('does not announce Express', async () => {
    const response = await get('/healthz');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('answers engine failures with a 500 that leaks nothing', async () => {
    const failing: SearchIndex = {
      ...unreachable(index),
      search: () => Promise.reject(new Error('SQLITE_CORRUPT: secret details')),
    };
    const broken = await serve(failing, metrics);
    try {
      const response = await fetch(`${broken.base}/v1/search?q=x`);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: 'internal', message: 'internal error' });
    } finally {
      await broken.close();
    }
  });
});
