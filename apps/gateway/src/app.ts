import type { AppMetrics, Logger } from '@paperwire/observability';
import {
  PaperIdSchema,
  type DayResponse,
  type DaysResponse,
  type ErrorResponse,
  type PaperId,
} from '@paperwire/schema';
import { SearchBusyError, type SearchIndex } from '@paperwire/search';
import compression from 'compression';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';

import {
  adminRouter,
  ADMIN_BODY_LIMIT,
  dashboardRouter,
  DASHBOARD_PATH,
  type AdminDeps,
} from './admin/routes.js';
import { parseDayRequest, parseDaysRequest } from './api/days-params.js';
import { parseFeedRequest } from './api/feed-params.js';
import { openApiDocument } from './api/openapi.js';
import { parseSearchRequest, similarParameters } from './api/search-params.js';
import type { TrustProxy } from './env.js';
import { ATOM_TYPE, atomFeed, feedMeta, feedOrigin, JSON_FEED_TYPE, jsonFeed } from './feeds/feeds.js';
import { describeIssues, parseQuery, type ParameterIssue } from './http/query.js';
import { rateLimit, type RateLimiter } from './http/rate-limit.js';
import { SearchCache, searchCacheKey } from './http/search-cache.js';
import { cors, securityHeaders } from './http/security.js';
import { FAVICON_SVG, SEARCH_PAGE_CSP, SEARCH_PAGE_HTML } from './web/page.js';

export interface AppDeps {
  index: SearchIndex;
  logger: Logger;
  metrics: AppMetrics;
  /** How long `/readyz` waits for the engine before calling it unavailable. */
  readinessTimeoutMs?: number;
  /** Admin routes and the queue dashboard; without them, admin answers that it is disabled. */
  admin?: AdminDeps;
  /** Limits requests to `/v1` per client; none when absent. */
  rateLimiter?: RateLimiter;
  /** Express's `trust proxy`, so `req.ip` is the client behind a proxy we run. */
  trustProxy?: TrustProxy;
  /** Origins allowed to call the API from a browser (`*`: any). */
  corsOrigins?: readonly string[];
  /** Bytes of search answers kept for repeated searches (`SearchCache`); none when 0 or absent. */
  searchCacheBytes?: number;
}

/** How long a cached answer lives where the engine has no data version: the freshness promised. */
const CACHE_MAX_AGE_MS = 1_000;

const DEFAULT_READINESS_TIMEOUT_MS = 2_000;
const NO_PARAMETERS = {};

/**
 * The gateway's HTTP surface: search, papers, facets, stats, the OpenAPI document, admin, the
 * queue dashboard, probes, metrics and the search page.
 */
export function createApp(deps: AppDeps): express.Express {
  const { index, logger, metrics } = deps;
  const readinessTimeoutMs = deps.readinessTimeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS;
  const openApi = JSON.stringify(openApiDocument());
  const timed = async <T>(route: string, answer: () => Promise<T>): Promise<T> => {
    const stopTimer = metrics.searchLatency.startTimer({ route });
    try {
      return await answer();
    } finally {
      stopTimer();
    }
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  // Parameters are validated as flat strings; nested objects from `q[a]=x` are never wanted.
  app.set('query parser', 'simple');

  app.use(accessLog(logger));
  app.use(securityHeaders());
  app.use(compression());
  if (deps.corsOrigins && deps.corsOrigins.length > 0) app.use(cors(deps.corsOrigins));
  if (deps.rateLimiter) app.use('/v1', rateLimit(deps.rateLimiter));

  const cache = deps.searchCacheBytes
    ? new SearchCache({ maxBytes: deps.searchCacheBytes, maxAgeMs: CACHE_MAX_AGE_MS })
    : undefined;
  let lookups = 0;
  let hits = 0;
  app.get('/v1/search', async (req, res) => {
    const parsed = parseSearchRequest(req.query);
    if (!parsed.ok) {
      badRequest(res, parsed.issues);
      return;
    }
    // The version is read before the search, so an answer is never kept under a newer one.
    const version = index.version();
    const key = cache ? searchCacheKey(parsed.request) : '';
    const cached = cache?.get(key, version);
    if (cache) {
      lookups += 1;
      if (cached !== undefined) hits += 1;
      metrics.searchCache.inc({ result: cached === undefined ? 'miss' : 'hit' });
      metrics.searchCacheHitRatio.set(hits / lookups);
    }
    let body = cached;
    if (body === undefined) {
      body = await timed('/v1/search', () => index.searchJson(parsed.request));
      cache?.set(key, version, body);
      if (cache) metrics.searchCacheBytes.set(cache.bytes);
    }
    if (cache) res.set('x-paperwire-cache', cached === undefined ? 'miss' : 'hit');
    res.type('json').send(body);
  });

  app.get('/v1/papers/:id', async (req, res) => {
    const id = paperIdOf(req, res);
    if (id === undefined) return;
    const parsed = parseQuery(NO_PARAMETERS, req.query);
    if (!parsed.ok) {
      badRequest(res, parsed.issues);
      return;
    }
    const resolved = await timed('/v1/papers/:id', () => index.resolve(id));
    if (resolved === null) {
      notFound(res, id);
      return;
    }
    if ('movedTo' in resolved) {
      res.redirect(301, `/v1/papers/${resolved.movedTo}`);
      return;
    }
    res.json(resolved.paper);
  });

  app.get('/v1/papers/:id/similar', async (req, res) => {
    const id = paperIdOf(req, res);
    if (id === undefined) return;
    const parsed = parseQuery(similarParameters, req.query);
    if (!parsed.ok) {
      badRequest(res, parsed.issues);
      return;
    }
    const resolved = await timed('/v1/papers/:id/similar', () => index.resolve(id));
    if (resolved === null) {
      notFound(res, id);
      return;
    }
    if ('movedTo' in resolved) {
      const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
      res.redirect(301, `/v1/papers/${resolved.movedTo}/similar${query}`);
      return;
    }
    const hits = await timed('/v1/papers/:id/similar', () => index.similar(id, parsed.values.limit));
    res.json({ id, hits });
  });

  app.get('/v1/days', async (req, res) => {
    const parsed = parseDaysRequest(req.query);
    if (!parsed.ok) {
      badRequest(res, parsed.issues);
      return;
    }
    const days = await timed('/v1/days', () => index.days(parsed.request));
    res.json({ days } satisfies DaysResponse);
  });

  app.get('/v1/days/:date', async (req, res) => {
    const parsed = parseDayRequest(req.params.date, req.query);
    if (!parsed.ok) {
      badRequest(res, parsed.issues);
      return;
    }
    const { date, span, listed } = parsed.request;
    const page = await timed('/v1/days/:date', () => index.listed(listed));
    res.json({
      date,
      span,
      from: listed.from,
      to: listed.to,
      total: page.total,
      limit: listed.limit,
      offset: listed.offset,
      previous: page.previous,
      next: page.next,
      hits: page.hits,
    } satisfies DayResponse);
  });

  for (const format of ['atom', 'json'] as const) {
    const route = `/v1/feed.${format}`;
    app.get(route, async (req, res) => {
      const parsed = parseFeedRequest(req.query);
      if (!parsed.ok) {
        badRequest(res, parsed.issues);
        return;
      }
      const { hits } = await timed(route, () => index.search(parsed.request));
      const at = req.originalUrl.indexOf('?');
      const query = new URLSearchParams(at < 0 ? '' : req.originalUrl.slice(at + 1));
      const meta = feedMeta(parsed.request, query, feedOrigin(req.protocol, req.host), new Date());
      if (format === 'atom') res.type(ATOM_TYPE).send(atomFeed(meta, hits));
      else res.type(JSON_FEED_TYPE).send(JSON.stringify(jsonFeed(meta, hits)));
    });
  }

  app.get('/v1/facets', async (req, res) => {
    const parsed = parseQuery(NO_PARAMETERS, req.query);
    if (!parsed.ok) {
      badRequest(res, parsed.issues);
      return;
    }
    res.json({ facetDistribution: await timed('/v1/facets', () => index.facets()) });
  });

  app.get('/v1/stats', async (_req, res) => {
    res.json(await timed('/v1/stats', () => index.stats()));
  });

  app.get('/openapi.json', (_req, res) => {
    res.type('json').send(openApi);
  });

  if (deps.admin) {
    app.use('/v1/admin', adminRouter(deps.admin));
    app.use(DASHBOARD_PATH, dashboardRouter(deps.admin));
  } else {
    // No Redis, no token: every admin path says that admin is disabled.
    app.use('/v1/admin', adminDisabled());
    app.use(DASHBOARD_PATH, adminDisabled());
  }

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    try {
      await withTimeout(index.ping(), readinessTimeoutMs, `the ${index.engine} engine did not answer`);
      res.json({ status: 'ok', engine: index.engine });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.warn({ engine: index.engine, err: message }, 'search engine not ready');
      res.status(503).json({ status: 'unavailable', engine: index.engine, message });
    }
  });

  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get('/', (_req, res) => {
    res.set('content-security-policy', SEARCH_PAGE_CSP).type('html').send(SEARCH_PAGE_HTML);
  });

  app.get('/favicon.svg', (_req, res) => {
    res.set('cache-control', 'public, max-age=86400').type('image/svg+xml').send(FAVICON_SVG);
  });

  app.use((req, res) => {
    sendError(res, 404, { error: 'not_found', message: `no route ${req.method} ${req.path}` });
  });

  app.use(errorHandler(logger, metrics));
  return app;
}

function adminDisabled(): RequestHandler {
  return (_req, res) => {
    sendError(res, 403, {
      error: 'admin_disabled',
      message: 'admin is disabled: start the gateway with ADMIN_TOKEN set to enable it',
    });
  };
}

/** The validated `:id`, or undefined once a 400 is sent. */
function paperIdOf(req: Request, res: Response): PaperId | undefined {
  const id = PaperIdSchema.safeParse(req.params.id);
  if (!id.success) {
    badRequest(res, [{ parameter: 'id', message: id.error.issues[0]?.message ?? 'invalid paper id' }]);
    return undefined;
  }
  return id.data;
}

function badRequest(res: Response, issues: ParameterIssue[]): void {
  sendError(res, 400, { error: 'bad_request', message: describeIssues(issues), issues });
}

function notFound(res: Response, id: PaperId): void {
  sendError(res, 404, { error: 'not_found', message: `no paper with id ${id}` });
}

function sendError(res: Response, status: number, body: ErrorResponse): void {
  res.status(status).json(body);
}

/** One log line per finished (or abandoned) request. */
function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const { method, path } = req;
    res.once('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = { method, path, status: res.statusCode, ms: Math.round(ms * 100) / 100, ip: req.ip };
      if (res.writableFinished) logger.info(line, 'request');
      else logger.warn({ ...line, aborted: true }, 'request aborted');
    });
    next();
  };
}

function errorHandler(logger: Logger, metrics: AppMetrics): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (error instanceof SearchBusyError) {
      metrics.searchRejected.inc();
      logger.warn({ method: req.method, path: req.path }, 'search busy: answered 503');
      if (res.headersSent) return;
      res.set('retry-after', String(error.retryAfterSeconds));
      sendError(res, 503, { error: 'busy', message: error.message });
      return;
    }
    // Errors Express and its body parser raise for a malformed request carry a 4xx status.
    const status = httpStatusOf(error);
    if (status !== undefined && status >= 400 && status < 500) {
      logger.info({ method: req.method, path: req.path, status }, 'malformed request');
      if (!res.headersSent) sendError(res, status, clientErrorBody(error, status));
      return;
    }
    logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) {
      next(error);
      return;
    }
    sendError(res, 500, { error: 'internal', message: 'internal error' });
  };
}

function clientErrorBody(error: unknown, status: number): ErrorResponse {
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.too.large' || status === 413) {
    return {
      error: 'payload_too_large',
      message: `the body is larger than ${ADMIN_BODY_LIMIT}`,
      issues: [{ parameter: 'body', message: `at most ${ADMIN_BODY_LIMIT}` }],
    };
  }
  if (type === 'entity.parse.failed') {
    return {
      error: 'bad_request',
      message: 'the body is not valid JSON',
      issues: [{ parameter: 'body', message: 'not valid JSON' }],
    };
  }
  if (status === 415) {
    return {
      error: 'unsupported_media_type',
      message: 'the body is in an encoding or charset the gateway does not read',
    };
  }
  return { error: 'bad_request', message: 'malformed request' };
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status =
    (error as { status?: unknown; statusCode?: unknown }).status ??
    (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms}ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
