import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { FetchPolicy } from '@paperwire/egress';
import type { Logger } from '@paperwire/observability';
import { describeRun, ingest, newRunId, reparse, Runs } from '@paperwire/pipeline';
import type { Producer } from '@paperwire/queue';
import type { RawStore } from '@paperwire/rawstore';
import { QUEUES, type ErrorResponse, type QueueName } from '@paperwire/schema';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import type { z } from 'zod';

import {
  IngestBodySchema,
  ReparseBodySchema,
  ReplayFailedBodySchema,
  type IngestBody,
} from '../api/schemas.js';
import { describeIssues } from '../http/query.js';
import { adminAuth } from './auth.js';
import { QueuesUnavailableError, type QueueAccess } from './queues.js';
import { watchesRouter } from './watches.js';

export interface AdminDeps {
  /** ADMIN_TOKEN; admin is disabled without it. */
  token: string | undefined;
  queues: QueueAccess;
  store: RawStore;
  logger: Logger;
  /** Which webhook URLs watches may have (FETCH_ALLOW_HOSTS); none local or private by default. */
  egress?: FetchPolicy;
}

/** Admin JSON bodies are small: lists of URLs and filters. */
export const ADMIN_BODY_LIMIT = '100kb';
export const DASHBOARD_PATH = '/admin/queues';

/** Bull Board's page loads its own scripts and styles and sets inline styles. */
const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** `POST /v1/admin/ingest`, `/reparse`, `/replay-failed`, `/watches`, behind ADMIN_TOKEN. */
export function adminRouter(deps: AdminDeps): Router {
  const router = express.Router();
  router.use(adminAuth(deps.token));
  router.use(express.json({ limit: ADMIN_BODY_LIMIT }));

  router.post(
    '/ingest',
    withQueues(deps, async (req, res) => {
      const body = parseBody(IngestBodySchema, req, res);
      if (!body) return;
      const producer = await deps.queues.producer();
      const runs = await Runs.of(producer);
      // A run, like the CLI's, so its progress can be followed at /v1/admin/runs/:id.
      const runId = newRunId('ingest');
      await runs.start(runId, { kind: 'ingest', source: body.source ?? null, expected: 0 });
      const reports = await ingest({ store: deps.store, producer, runs }, body.urls, {
        ...ingestOptions(body),
        runId,
      });
      res.status(202).json({
        runId,
        queued: reports.map((r) => ({ url: r.target, jobId: r.jobId, outcome: r.outcome })),
      });
    }),
  );

  router.get(
    '/runs/:id',
    withQueues(deps, async (req, res) => {
      const runId = String(req.params.id);
      const state = /^[A-Za-z0-9_-]{1,200}$/.test(runId)
        ? await (await Runs.of(await deps.queues.producer())).get(runId)
        : null;
      if (!state) {
        res
          .status(404)
          .json({ error: 'not_found', message: `no run with id ${runId}` } satisfies ErrorResponse);
        return;
      }
      res.json({ ...state, summary: describeRun(state) });
    }),
  );

  router.post(
    '/reparse',
    withQueues(deps, async (req, res) => {
      const body = parseBody(ReparseBodySchema, req, res);
      if (!body) return;
      const filter: { source?: string; since?: string } = {};
      if (body.source !== undefined) filter.source = body.source;
      if (body.since !== undefined) filter.since = body.since;
      const { pages } = await reparse({ store: deps.store, producer: await deps.queues.producer() }, filter);
      deps.logger.info({ ...filter, pages }, 'admin: reparse queued');
      res.status(202).json({ pages });
    }),
  );

  router.post(
    '/replay-failed',
    withQueues(deps, async (req, res) => {
      const body = parseBody(ReplayFailedBodySchema, req, res);
      if (!body) return;
      const retried = await replayFailed(await deps.queues.producer(), body.queue ? [body.queue] : QUEUES);
      deps.logger.info({ retried }, 'admin: failed jobs replayed');
      res.json({ retried });
    }),
  );

  router.use('/watches', watchesRouter(deps));

  return router;
}

/** Bull Board at `/admin/queues`, built on first use so Redis is only reached when it is opened. */
export function dashboardRouter(deps: AdminDeps): Router {
  const router = express.Router();
  router.use(adminAuth(deps.token, { browser: true }));
  router.use((_req, res, next) => {
    res.set('Content-Security-Policy', DASHBOARD_CSP);
    next();
  });
  let board: Router | undefined;
  router.use(
    withQueues(deps, async (req, res, next) => {
      // Bull Board reads Redis on every call and would wait for one that is down.
      const producer = await deps.queues.producer();
      if (!board) {
        const serverAdapter = new ExpressAdapter().setBasePath(DASHBOARD_PATH);
        createBullBoard({
          queues: QUEUES.map((name) => new BullMQAdapter(producer.queue(name))),
          serverAdapter,
          options: { uiConfig: { boardTitle: 'paperwire queues' } },
        });
        board = serverAdapter.getRouter() as Router;
      }
      board(req, res, next);
    }),
  );
  return router;
}

function ingestOptions(body: IngestBody) {
  return {
    capturedAt: body.capturedAt ?? null,
    sourceName: body.source ?? null,
    formatHint: body.format ?? null,
  };
}

/** Moves every failed job of `queues` back to waiting; counts per queue. */
export async function replayFailed(
  producer: Producer,
  queues: readonly QueueName[],
): Promise<Partial<Record<QueueName, number>>> {
  const retried: Partial<Record<QueueName, number>> = {};
  for (const name of queues) {
    const queue = producer.queue(name);
    const failed = await queue.getFailedCount();
    // Only jobs that failed before now: a job failing again meanwhile is not retried in a loop.
    if (failed > 0) await queue.retryJobs({ state: 'failed', timestamp: Date.now() });
    retried[name] = failed;
  }
  return retried;
}

export function parseBody<S extends z.ZodType>(
  schema: S,
  req: Request,
  res: Response,
): z.output<S> | undefined {
  // A request without a body reads as an empty object (every field optional).
  const empty =
    req.get('content-length') === '0' ||
    (req.get('content-length') === undefined && req.get('transfer-encoding') === undefined);
  if (!empty && !req.is('application/json')) {
    sendError(res, 415, {
      error: 'unsupported_media_type',
      message: 'the body must be JSON, sent with Content-Type: application/json',
      issues: [{ parameter: 'body', message: 'Content-Type must be application/json' }],
    });
    return undefined;
  }
  const result = schema.safeParse(empty ? {} : req.body);
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ parameter: [...path, key].join('.'), message: 'unknown field' }));
    }
    if (path.length === 0) return [{ parameter: 'body', message: 'the body must be a JSON object' }];
    return [{ parameter: path.join('.'), message: issue.message }];
  });
  sendError(res, 400, { error: 'bad_request', message: describeIssues(issues), issues });
  return undefined;
}

/**
 * Runs an admin handler that needs Redis. When Redis is down its failure is a 503 saying so, not
 * a 500: the request was fine and can be sent again.
 */
export function withQueues(
  deps: AdminDeps,
  handler: (req: Request, res: Response, next: NextFunction) => Promise<void>,
): RequestHandler {
  return async (req, res, next) => {
    try {
      await handler(req, res, next);
    } catch (error) {
      if (!(error instanceof QueuesUnavailableError)) {
        next(error);
        return;
      }
      deps.logger.warn({ err: error.message, path: req.originalUrl }, 'admin: Redis unavailable');
      sendError(res, 503, {
        error: 'unavailable',
        message: `the job queues are unavailable: ${error.message}`,
      });
    }
  };
}

function sendError(res: Response, status: number, body: ErrorResponse): void {
  res.status(status).json(body);
}
