import { gunzipSync } from 'node:zlib';

import { canonicalPaper, paperIdFromArxiv, paperIdFromTitle, type Paper } from '@paperwire/schema';
import type { SearchIndex } from '@paperwire/search';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  getJson,
  seededSqliteIndex,
  serve,
  sharedMetrics,
  type Running,
  type SeededIndex,
} from './testing/serve.js';

const CAPTURED_AT = '2025-11-03T00:00:00.000Z';

/** A valid, canonical Paper (as the index stores it), seen once on one page. */
function paper(
  title: string,
  abstract: string,
  extra: { upvotes?: number; codeUrls?: string[]; arxivId?: string; url?: string; capturedAt?: string } = {},
): Paper {
  const upvotes = extra.upvotes ?? 3;
  const capturedAt = extra.capturedAt ?? CAPTURED_AT;
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
        url: extra.url ?? 'https://huggingface.co/papers',
        format: 'hf-text',
        capturedAt,
        upvotes,
      },
    ],
    firstSeenAt: capturedAt,
    lastSeenAt: capturedAt,
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
const MOLECULES = paper('Graph Neural Networks for Molecules', 'Message passing over atoms.');
const PAPERS = [SCALING, ...DIFFUSION, MOLECULES];

/** The same paper first seen by title only, then with its arXiv id: the title id moves. */
const MOVED_TITLE = 'Sparse Mixture of Experts on the Edge';
const MOVED_BY_TITLE = paper(MOVED_TITLE, 'Experts routed sparsely on small devices.');
const MOVED_BY_ARXIV = paper(MOVED_TITLE, 'Experts routed sparsely on small devices.', {
  arxivId: '2510.27001',
  url: 'https://export.arxiv.org/api/query',
  capturedAt: '2025-11-04T00:00:00.000Z',
});

/** A real index whose engine stops answering: ping rejects, everything else still works. */
function unreachable(index: SearchIndex): SearchIndex {
  return {
    engine: index.engine,
    ensureSettings: () => index.ensureSettings(),
    upsert: (papers) => index.upsert(papers),
    get: (id) => index.get(id),
    resolve: (id) => index.resolve(id),
    aliasTargets: (ids) => index.aliasTargets(ids),
    facets: () => index.facets(),
    search: (request) => index.search(request),
    searchJson: (request) => index.searchJson(request),
    similar: (id, limit) => index.similar(id, limit),
    days: (request) => index.days(request),
    listed: (request) => index.listed(request),
    delete: (ids) => index.delete(ids),
    stats: () => index.stats(),
    version: () => index.version(),
    ping: () => Promise.reject(new Error('connection refused')),
    close: () => index.close(),
  };
}

describe('gateway', () => {
  let seeded: SeededIndex;
  let index: SearchIndex;
  let gateway: Running;

  const get = (path: string, init?: RequestInit) => fetch(`${gateway.base}${path}`, init);
  const json = (path: string) => getJson(`${gateway.base}${path}`);

  beforeAll(async () => {
    seeded = await seededSqliteIndex(PAPERS);
    index = seeded.index;
    await index.upsert([MOVED_BY_TITLE]);
    await index.upsert([MOVED_BY_ARXIV]);
    gateway = await serve({ index });
  });

  afterAll(async () => {
    await gateway?.close();
    await seeded?.close();
  });

  describe('GET /v1/search', () => {
    it('answers with hits, total, limit, offset, query and timing', async () => {
      const { status, body } = await json('/v1/search?q=diffusion&limit=10');
      expect(status).toBe(200);
      expect(body).toMatchObject({ total: DIFFUSION.length, limit: 10, offset: 0, query: 'diffusion' });
      expect(typeof body.processingTimeMs).toBe('number');
      const ids = (body.hits as Paper[]).map((h) => h.id).sort();
      expect(ids).toEqual(DIFFUSION.map((p) => p.id).sort());
    });

    it('puts the paper whose title is the query first', async () => {
      const { body } = await json(`/v1/search?q=${encodeURIComponent(SCALING.title)}`);
      expect((body.hits as Paper[])[0]).toEqual(SCALING);
    });

    it.each([
      ['limit=0', 'limit', 'limit must be at least 1'],
      ['limit=101', 'limit', 'limit must be at most 100'],
      ['limit=abc', 'limit', 'limit must be an integer'],
      ['limit=', 'limit', 'limit must be an integer'],
      ['limit=0x10', 'limit', 'limit must be an integer'],
      ['limit=1e1', 'limit', 'limit must be an integer'],
      ['limit=2.5', 'limit', 'limit must be an integer'],
      ['limit=99999999999999999999999', 'limit', 'limit must be at most 100'],
      ['offset=-1', 'offset', 'offset must be at least 0'],
      ['offset=9990&limit=20', 'offset', expect.stringContaining('offset + limit must be at most 10000')],
      ['offset=1000000', 'offset', 'offset must be at most 10000'],
      ['foo=1', 'foo', 'unknown parameter'],
      ['constructor=1', 'constructor', 'unknown parameter'],
      ['__proto__=1', '__proto__', 'unknown parameter'],
      ['q[]=x', 'q', 'q is a plain parameter (q=value), not q[]'],
      ['q[a]=x', 'q', 'q is a plain parameter (q=value), not q[a]'],
      ['q=a&q=b', 'q', 'q must be given once'],
      [`q=${'x'.repeat(1001)}`, 'q', 'q is at most 1000 characters'],
      ['from=2025-13-01', 'from', 'from must be a date, YYYY-MM-DD'],
      ['from=yesterday', 'from', 'from must be a date, YYYY-MM-DD'],
      ['to=2025-02-30', 'to', 'to must be a date, YYYY-MM-DD'],
      ['from=2025-02-01&to=2025-01-01', 'from', 'from (2025-02-01) must be on or before to (2025-01-01)'],
      [
        'since=last%20week',
        'since',
        expect.stringContaining('since must be a date (YYYY-MM-DD) or an ISO 8601 date-time'),
      ],
      ['since=2025-11-03T08:00:00', 'since', expect.stringContaining('since must be a date')],
      ['since=9999-12-31T23:59:59-05:00', 'since', 'since must fall in the years 0000-9999 (UTC)'],
      ['since=0000-01-01T00:00:00%2B01:00', 'since', 'since must fall in the years 0000-9999 (UTC)'],
      ['hasCode=yes', 'hasCode', 'hasCode must be true or false'],
      ['hasCode=', 'hasCode', 'hasCode must be true or false'],
      ['minUpvotes=-1', 'minUpvotes', 'minUpvotes must be at least 0'],
      ['minUpvotes=ten', 'minUpvotes', 'minUpvotes must be an integer'],
      ['authors=', 'authors', 'authors has an empty value'],
      ['authors=a,,b', 'authors', 'authors has an empty value'],
      ['authors=%21%21%21', 'authors', 'authors: a name needs a letter or digit'],
      [`authors=${'a'.repeat(201)}`, 'authors', 'authors: each name is at most 200 characters'],
      [
        `authors=${Array.from({ length: 21 }, (_, i) => `a${i}`).join(',')}`,
        'authors',
        'authors takes at most 20 values',
      ],
      ['source=', 'source', 'source has an empty value'],
      ['year=20x5', 'year', 'year must be integers'],
      ['year=1066', 'year', 'year must be at least 1900'],
      ['year=2025,99999', 'year', 'year must be at most 2100'],
      ['sort=title', 'sort', expect.stringContaining('sort must be one of relevance, publishedAt:desc')],
      ['sort=relevance&sort=upvotes:desc', 'sort', 'sort must be given once'],
      ['facets=author', 'facets', 'facets must be among year, hasCode, source, authors'],
      ['facets=year,year,year,year,year', 'facets', 'facets takes at most 4 values'],
      ['sort=hot', 'sort', expect.stringContaining('upvotes:desc, trending')],
      ['highlight=1', 'highlight', 'highlight must be true or false'],
    ])('rejects %s with a 400 naming %s', async (query, parameter, message) => {
      const { status, body } = await json(`/v1/search?${query}`);
      expect(status).toBe(400);
      expect(body.error).toBe('bad_request');
      expect(body.message).toContain(parameter);
      expect(body.issues).toEqual([{ parameter, message }]);
    });

    it('names every bad parameter, once each', async () => {
      const { status, body } = await json(
        '/v1/search?limit=abc&offset=-1&foo=1&q[]=x&q=y&year=x&hasCode=maybe&sort=new',
      );
      expect(status).toBe(400);
      const named = (body.issues as { parameter: string }[]).map((i) => i.parameter).sort();
      expect(named).toEqual(['foo', 'hasCode', 'limit', 'offset', 'q', 'sort', 'year']);
      for (const parameter of named) expect(body.message).toContain(parameter);
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
      'source = "x" OR hasCode = true',
      "a') OR 1=1--",
      '\u0000\u202e\ud83d\ude00',
    ])('treats query syntax %j as text', async (q) => {
      const { status, body } = await json(`/v1/search?q=${encodeURIComponent(q)}`);
      expect(status).toBe(200);
      expect(body.query).toBe(q);
      expect(Array.isArray(body.hits)).toBe(true);
    });
  });

  describe('GET /v1/papers/{id}', () => {
    it('returns the paper', async () => {
      expect(await json(`/v1/papers/${SCALING.id}`)).toMatchObject({ status: 200, body: SCALING });
    });

    it('answers 404 for an unknown id', async () => {
      const id = paperIdFromTitle('A Paper Nobody Wrote');
      expect(await json(`/v1/papers/${id}`)).toMatchObject({
        status: 404,
        body: { error: 'not_found', message: `no paper with id ${id}` },
      });
    });

    it('answers 301 to the record an id was merged into', async () => {
      const response = await get(`/v1/papers/${MOVED_BY_TITLE.id}`, { redirect: 'manual' });
      expect(response.status).toBe(301);
      expect(response.headers.get('location')).toBe(`/v1/papers/${MOVED_BY_ARXIV.id}`);
      const followed = await json(`/v1/papers/${MOVED_BY_TITLE.id}`);
      expect(followed.status).toBe(200);
      expect(followed.body.id).toBe(MOVED_BY_ARXIV.id);
    });

    it.each(['not-an-id', 'title-has.dot', 'arxiv-2401.12345'])('answers 400 for the id %j', async (id) => {
      expect(await json(`/v1/papers/${encodeURIComponent(id)}`)).toMatchObject({
        status: 400,
        body: { error: 'bad_request', issues: [{ parameter: 'id' }] },
      });
    });

    it('answers 400 for a query parameter it does not take', async () => {
      expect(await json(`/v1/papers/${SCALING.id}?expand=1`)).toMatchObject({
        status: 400,
        body: { issues: [{ parameter: 'expand', message: 'unknown parameter' }] },
      });
    });
  });

  describe('GET /v1/papers/{id}/similar', () => {
    it('answers papers close to it, itself excluded', async () => {
      const { status, body } = await json(`/v1/papers/${DIFFUSION[0]?.id}/similar?limit=3`);
      expect(status).toBe(200);
      const hits = body.hits as Paper[];
      expect(body.id).toBe(DIFFUSION[0]?.id);
      expect(hits).toHaveLength(3);
      expect(hits.map((h) => h.id)).not.toContain(DIFFUSION[0]?.id);
      const known = new Set(PAPERS.map((p) => p.id));
      for (const hit of hits) expect(known.has(hit.id)).toBe(true);
    });

    it('defaults to 10', async () => {
      const { body } = await json(`/v1/papers/${DIFFUSION[0]?.id}/similar`);
      expect((body.hits as Paper[]).length).toBeLessThanOrEqual(10);
      expect((body.hits as Paper[]).length).toBeGreaterThanOrEqual(DIFFUSION.length - 1);
    });

    it('answers 404 when the paper is unknown', async () => {
      const id = paperIdFromTitle('A Paper Nobody Wrote');
      expect(await json(`/v1/papers/${id}/similar`)).toMatchObject({
        status: 404,
        body: { error: 'not_found' },
      });
    });

    it('answers 301 to the similar papers of the record an id was merged into', async () => {
      const response = await get(`/v1/papers/${MOVED_BY_TITLE.id}/similar?limit=2`, { redirect: 'manual' });
      expect(response.status).toBe(301);
      expect(response.headers.get('location')).toBe(`/v1/papers/${MOVED_BY_ARXIV.id}/similar?limit=2`);
    });

    it.each([
      ['limit=0', 'limit must be at least 1'],
      ['limit=51', 'limit must be at most 50'],
      ['limit=ten', 'limit must be an integer'],
    ])('rejects %s', async (query, message) => {
      expect(await json(`/v1/papers/${SCALING.id}/similar?${query}`)).toMatchObject({
        status: 400,
        body: { issues: [{ parameter: 'limit', message }] },
      });
    });
  });

  it('GET /v1/facets answers counts and takes no parameters', async () => {
    const { status, body } = await json('/v1/facets');
    expect(status).toBe(200);
    expect(Object.keys(body.facetDistribution as object).sort()).toEqual([
      'authors',
      'hasCode',
      'source',
      'year',
    ]);
    expect(await json('/v1/facets?year=2025')).toMatchObject({
      status: 400,
      body: { issues: [{ parameter: 'year' }] },
    });
  });

  it('GET /v1/stats counts the papers', async () => {
    expect(await json('/v1/stats')).toMatchObject({ status: 200, body: { papers: PAPERS.length + 1 } });
  });

  describe('GET /openapi.json', () => {
    it('describes every route and every search parameter', async () => {
      const { status, body, headers } = await json('/openapi.json');
      expect(status).toBe(200);
      expect(headers.get('content-type')).toContain('application/json');
      expect(body.openapi).toBe('3.1.0');
      const paths = body.paths as Record<string, Record<string, { parameters?: { name: string }[] }>>;
      expect(Object.keys(paths)).toEqual(
        expect.arrayContaining([
          '/v1/search',
          '/v1/papers/{id}',
          '/v1/papers/{id}/similar',
          '/v1/facets',
          '/v1/stats',
          '/v1/admin/ingest',
          '/v1/admin/reparse',
          '/v1/admin/replay-failed',
        ]),
      );
      expect(paths['/v1/search']?.get?.parameters?.map((p) => p.name)).toEqual([
        'q',
        'from',
        'to',
        'since',
        'hasCode',
        'minUpvotes',
        'authors',
        'source',
        'year',
        'sort',
        'facets',
        'limit',
        'offset',
        'highlight',
      ]);
    });
  });

  describe('headers', () => {
    it('sets security headers on API answers', async () => {
      const response = await get('/v1/search?q=x');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      // Plain HTTP: HSTS would pin a host to HTTPS it may not have.
      expect(response.headers.get('strict-transport-security')).toBeNull();
      expect(response.headers.get('x-powered-by')).toBeNull();
    });

    it('compresses when the client accepts it', async () => {
      const response = await get('/v1/search?limit=100', { headers: { 'accept-encoding': 'gzip' } });
      expect(response.headers.get('content-encoding')).toBe('gzip');
      expect(response.headers.get('vary')).toMatch(/accept-encoding/i);
      expect(((await response.json()) as { total: number }).total).toBe(PAPERS.length + 1);
      const raw = await new Promise<Buffer>((resolve, reject) => {
        import('node:http').then(({ get: httpGet }) =>
          httpGet(`${gateway.base}/`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve(Buffer.concat(chunks)));
            res.on('error', reject);
          }).on('error', reject),
        );
      });
      expect(gunzipSync(raw).toString('utf8')).toContain('<!doctype html>');
    });

    it('sends no CORS headers by default', async () => {
      const response = await get('/v1/search?q=x', { headers: { origin: 'https://elsewhere.example' } });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('allows the configured origins only', async () => {
      const withCors = await serve({ index, corsOrigins: ['https://app.example'] });
      try {
        const allowed = await fetch(`${withCors.base}/v1/search?q=x`, {
          headers: { origin: 'https://app.example' },
        });
        expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
        expect(allowed.headers.get('vary')).toMatch(/origin/i);
        const other = await fetch(`${withCors.base}/v1/search?q=x`, {
          headers: { origin: 'https://evil.example' },
        });
        expect(other.headers.get('access-control-allow-origin')).toBeNull();
        const preflight = await fetch(`${withCors.base}/v1/admin/ingest`, {
          method: 'OPTIONS',
          headers: {
            origin: 'https://app.example',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization, content-type',
          },
        });
        expect(preflight.status).toBe(204);
        expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
        expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
      } finally {
        await withCors.close();
      }
    });
  });

  describe('admin without a token', () => {
    it.each([
      ['POST', '/v1/admin/ingest'],
      ['POST', '/v1/admin/reparse'],
      ['POST', '/v1/admin/replay-failed'],
      ['GET', '/admin/queues'],
    ])('%s %s says admin is disabled', async (method, path) => {
      const response = await get(path, { method, headers: { authorization: 'Bearer anything-at-all-here' } });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({
        error: 'admin_disabled',
        message: expect.stringContaining('admin is disabled'),
      });
    });
  });

  it('GET /healthz answers while the process runs', async () => {
    expect(await json('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('GET /readyz answers 200 while the engine answers', async () => {
    expect(await json('/readyz')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('GET /readyz answers 503 when the engine does not', async () => {
    const down = await serve({ index: unreachable(index) });
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
    const closing = await seededSqliteIndex([]);
    const running = await serve({ index: closing.index });
    try {
      expect((await fetch(`${running.base}/readyz`)).status).toBe(200);
      await closing.index.close();
      const response = await fetch(`${running.base}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'unavailable', message: expect.any(String) });
    } finally {
      await running.close();
      await closing.dir.remove();
    }
  });

  it('GET /metrics exposes the search latency histogram', async () => {
    await get('/v1/search?q=scaling');
    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const { name } = await sharedMetrics().searchLatency.get();
    const text = await response.text();
    expect(text).toContain(`# TYPE ${name} histogram`);
    expect(text).toMatch(new RegExp(`${name}_count\\{[^}]*route="/v1/search"[^}]*\\} [1-9]`));
  });

  it('GET / serves the search page under a strict CSP', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    const html = await response.text();
    expect(html).toMatch(/<form[^>]*role="search"/);
    expect(html).toMatch(/<label for="q"[^>]*>/);
    expect(html).toMatch(/<input id="q" name="q" type="search"/);
    for (const api of ['/v1/search?', '/v1/facets', '/similar?limit=']) expect(html).toContain(api);
    expect(html).not.toContain('innerHTML');
    expect(html).not.toContain('outerHTML');
    expect(html).not.toContain('insertAdjacentHTML');
  });

  it('answers unknown routes with a JSON 404', async () => {
    expect(await json('/v2/nothing')).toMatchObject({
      status: 404,
      body: { error: 'not_found', message: 'no route GET /v2/nothing' },
    });
  });

  it('answers a malformed path with a 400 and no stack trace', async () => {
    const response = await get('/v1/papers/%E0%A4%A');
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: 'bad_request', message: 'malformed request' });
    expect(text).not.toContain('at ');
  });

  it('answers engine failures with a 500 that leaks nothing', async () => {
    const failing: SearchIndex = {
      ...unreachable(index),
      search: () => Promise.reject(new Error('SQLITE_CORRUPT: secret details')),
      searchJson: () => Promise.reject(new Error('SQLITE_CORRUPT: secret details')),
    };
    const broken = await serve({ index: failing });
    try {
      const response = await fetch(`${broken.base}/v1/search?q=x`);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: 'internal', message: 'internal error' });
    } finally {
      await broken.close();
    }
  });
});
