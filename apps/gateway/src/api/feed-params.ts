import type { SearchRequest } from '@paperwire/schema';
import { z } from 'zod';

import { parseQuery, type ParameterIssue, type QueryParameter } from '../http/query.js';
import { FILTER_PARAMETERS, filtersOf, rangeIssues, searchParameters } from './search-params.js';

export const FEED_LIMIT_MAX = 100;

const limit = z.coerce
  .number({ error: 'limit must be an integer' })
  .min(1, 'limit must be at least 1')
  .max(FEED_LIMIT_MAX, `limit must be at most ${FEED_LIMIT_MAX}`)
  .int('limit must be an integer')
  .default(50);

/**
 * The query parameters of `GET /v1/feed.atom` and `GET /v1/feed.json`: the query and filters of
 * `GET /v1/search`, and how many entries. The order is fixed: newest first seen first.
 */
export const feedParameters = {
  q: searchParameters.q,
  ...Object.fromEntries(FILTER_PARAMETERS.map((name) => [name, searchParameters[name]])),
  limit: { description: 'Entries in the feed.', schema: limit, integer: true } satisfies QueryParameter,
} as Pick<typeof searchParameters, 'q' | (typeof FILTER_PARAMETERS)[number]> & {
  limit: QueryParameter<typeof limit>;
};

export type ParsedFeedRequest =
  { ok: true; request: SearchRequest } | { ok: false; issues: ParameterIssue[] };

/** Validates a feed's query string and turns it into the search that fills the feed. */
export function parseFeedRequest(query: Record<string, unknown>): ParsedFeedRequest {
  const parsed = parseQuery(feedParameters, query);
  if (!parsed.ok) return parsed;
  const v = parsed.values;
  const issues = rangeIssues(v);
  if (issues.length > 0) return { ok: false, issues };
  const request: SearchRequest = { q: v.q, limit: v.limit, offset: 0, sort: 'firstSeenAt:desc' };
  const filters = filtersOf(v);
  if (filters) request.filters = filters;
  return { ok: true, request };
}
