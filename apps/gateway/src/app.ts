import type { AppMetrics, Logger } from '@paperwire/observability';
import { PaperIdSchema, type ErrorResponse } from '@paperwire/schema';
import type { SearchIndex } from '@paperwire/search';
import express, { type ErrorRequestHandler, type RequestHandler, type Response } from 'express';

import { parseSearchParams } from './search-params.js';
import { SEARCH_PAGE_CSP, SEARCH_PAGE_HTML } from './web/page.js';

export interface AppDeps {
  index: SearchIndex;
  logger: Logger;
  metrics: AppMetrics;
  /** How long `/readyz` waits for the engine before calling it unavailable. */
  readinessTimeoutMs?: number;
}

const DEFAULT_READINESS_TIMEOUT_MS = 2_000;

/** The gateway's HTTP surface: search, paper lookup, stats, probes, metrics and the search page. */
export function createApp(deps: AppDeps): express.Express {
  const { index, logger, metrics } = deps;
  const readinessTimeoutMs = deps.readinessTimeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS;
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
  // Search parameters are validated as flat strings; nested objects from `q[a]=x` are never wanted.
  app.set('query parser', 'simple');

  app.use(accessLog(logger));
  app.use((_req, res, next) => {
    res.set('x-content-type-options', 'nosniff');
    next();
  });

  app.get('/v1/search', async (req, res) => {
    const parsed = parseSearchParams(req.query);
    if (!parsed.ok) {
      const message = parsed.issues
        .map((i) => (i.message.startsWith(i.parameter) ? i.message : `${i.parameter}: ${i.message}`))
        .join('; ');
      sendError(res, 400, { error: 'bad_request', message, issues: parsed.issues });
      return;
    }
    res.json(await timed('/v1/search', () => index.search(parsed.params)));
  });

  app.get('/v1/papers/:id', async (req, res) => {
    const id = PaperIdSchema.safeParse(req.params.id);
    if (!id.success) {
      const message = id.error.issues[0]?.message ?? 'invalid paper id';
      sendError(res, 400, { error: 'bad_request', message, issues: [{ parameter: 'id', message }] });
      return;
    }
    const paper = await timed('/v1/papers/:id', () => index.get(id.data));
    if (!paper) {
      sendError(res, 404, { error: 'not_found', message: `no paper with id ${id.data}` });
      return;
    }
    res.json(paper);
  });

  app.get('/v1/stats', async (_req, res) => {
    res.json(await timed('/v1/stats', () => index.stats()));
  });

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

  app.use((req, res) => {
    sendError(res, 404, { error: 'not_found', message: `no route ${req.method} ${req.path}` });
  });

  app.use(errorHandler(logger));
  return app;
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
      const line = { method, path, status: res.statusCode, ms: Math.round(ms * 100) / 100 };
      if (res.writableFinished) logger.info(line, 'request');
      else logger.warn({ ...line, aborted: true }, 'request aborted');
    });
    next();
  };
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    // Errors Express raises itself for a malformed request (bad percent-encoding, …) carry a 4xx.
    const status = httpStatusOf(error);
    if (status !== undefined && status >= 400 && status < 500) {
      logger.info({ method: req.method, path: req.path, status }, 'malformed request');
      if (!res.headersSent) sendError(res, status, { error: 'bad_request', message: 'malformed request' });
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
