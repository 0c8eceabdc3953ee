import { checkDestination, refusalIn, type FetchPolicy } from '@paperwire/egress';
import { TooManyWatchesError, Watches } from '@paperwire/pipeline';
import { WatchIdSchema, type ErrorResponse, type WatchFilters } from '@paperwire/schema';
import express, { type Response, type Router } from 'express';
import type { z } from 'zod';

import { WatchBodySchema, type WatchFilterValueSchema } from '../api/schemas.js';
import { FILTER_PARAMETERS, filtersOf, rangeIssues, searchParameters } from '../api/search-params.js';
import { describeIssues, parseQuery, type ParameterIssue } from '../http/query.js';
import { parseBody, withQueues, type AdminDeps } from './routes.js';

const filterParameters = Object.fromEntries(
  FILTER_PARAMETERS.map((name) => [name, searchParameters[name]]),
) as Pick<typeof searchParameters, (typeof FILTER_PARAMETERS)[number]>;

/** The filters of a watch body, validated exactly as `/v1/search` validates its parameters. */
export function parseWatchFilters(
  raw: Record<string, z.infer<typeof WatchFilterValueSchema>>,
): { ok: true; filters: WatchFilters } | { ok: false; issues: ParameterIssue[] } {
  const query = Object.fromEntries(
    Object.entries(raw).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.map(String) : String(value),
    ]),
  );
  const parsed = parseQuery(filterParameters, query);
  const issues = parsed.ok ? rangeIssues(parsed.values) : parsed.issues;
  if (!parsed.ok || issues.length > 0)
    return { ok: false, issues: issues.map((i) => ({ ...i, parameter: `filters.${i.parameter}` })) };
  return { ok: true, filters: filtersOf(parsed.values) ?? {} };
}

/**
 * `/v1/admin/watches`: standing queries. A webhook URL the fetcher would refuse (a loopback,
 * private or metadata address, by name or by what it resolves to) is refused here, when the
 * watch is made; the delivery checks it again on connecting.
 */
export function watchesRouter(deps: AdminDeps): Router {
  const router = express.Router();
  const policy: FetchPolicy = deps.egress ?? { allowHosts: new Set() };
  const watchesOf = async () => Watches.of(await deps.queues.producer());

  router.post(
    '/',
    withQueues(deps, async (req, res) => {
      const body = parseBody(WatchBodySchema, req, res);
      if (!body) return;
      const filters = parseWatchFilters(body.filters);
      if (!filters.ok) return badRequest(res, filters.issues);
      let url: URL;
      try {
        url = new URL(body.url);
      } catch {
        return badRequest(res, [{ parameter: 'url', message: 'url must be an absolute http(s) URL' }]);
      }
      try {
        await checkDestination(url, policy);
      } catch (error) {
        const refused = refusalIn(error);
        if (!refused) throw error;
        return badRequest(res, [{ parameter: 'url', message: refused.message }]);
      }
      let watch;
      try {
        watch = await (
          await watchesOf()
        ).create({ query: body.query, filters: filters.filters, url: url.href });
      } catch (error) {
        if (!(error instanceof TooManyWatchesError)) throw error;
        res.status(409).json({ error: 'conflict', message: error.message } satisfies ErrorResponse);
        return;
      }
      deps.logger.info({ watchId: watch.id }, 'admin: watch created');
      res.status(201).location(`${req.baseUrl}/${watch.id}`).json(watch);
    }),
  );

  router.get(
    '/',
    withQueues(deps, async (_req, res) => {
      res.json({ watches: await (await watchesOf()).list() });
    }),
  );

  router.get(
    '/:id',
    withQueues(deps, async (req, res) => {
      const id = String(req.params.id);
      const watch = WatchIdSchema.safeParse(id).success ? await (await watchesOf()).get(id) : null;
      if (!watch) return notFound(res, id);
      res.json(watch);
    }),
  );

  router.delete(
    '/:id',
    withQueues(deps, async (req, res) => {
      const id = String(req.params.id);
      const deleted = WatchIdSchema.safeParse(id).success && (await (await watchesOf()).delete(id));
      if (!deleted) return notFound(res, id);
      deps.logger.info({ watchId: id }, 'admin: watch deleted');
      res.status(204).end();
    }),
  );

  return router;
}

function badRequest(res: Response, issues: ParameterIssue[]): void {
  res
    .status(400)
    .json({ error: 'bad_request', message: describeIssues(issues), issues } satisfies ErrorResponse);
}

function notFound(res: Response, id: string): void {
  res.status(404).json({ error: 'not_found', message: `no watch with id ${id}` } satisfies ErrorResponse);
}
