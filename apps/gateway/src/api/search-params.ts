import {
  AUTHOR_FACET_SIZE,
  authorKey,
  FACETS,
  SEARCH_LIMIT_MAX,
  SEARCH_WINDOW_MAX,
  SORTS,
  type SearchFilters,
  type SearchRequest,
} from '@paperwire/schema';
import { z } from 'zod';

import { parseQuery, type ParameterIssue, type QueryParameter, type QueryValues } from '../http/query.js';

export const Q_MAX_CHARS = 1000;
/** Values one list filter (authors, source, year, facets) may hold. */
export const LIST_MAX = 20;
const NAME_MAX_CHARS = 200;
const UPVOTES_MAX = 1_000_000_000;
const YEAR_MIN = 1900;
const YEAR_MAX = 2100;

const integer = (name: string, min: number, max: number) =>
  // Range first: a huge number is better told it is too big than that it is no (safe) integer.
  z.coerce
    .number({ error: `${name} must be an integer` })
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`)
    .int(`${name} must be an integer`);

const boolean = (name: string) =>
  z.enum(['true', 'false'], { error: `${name} must be true or false` }).transform((v) => v === 'true');

const date = (name: string) => z.iso.date({ error: `${name} must be a date, YYYY-MM-DD` });

/** A date (midnight UTC) or an ISO 8601 date-time with an offset, as a canonical UTC instant. */
const instant = (name: string) =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], {
      error: `${name} must be a date (YYYY-MM-DD) or an ISO 8601 date-time (2025-11-03T08:00:00Z)`,
    })
    .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00Z` : v).toISOString())
    // An offset can carry 9999-12-31 into year 10000, which the engines cannot compare.
    .refine((v) => /^\d{4}-/.test(v), { error: `${name} must fall in the years 0000-9999 (UTC)` });

const name = (parameter: string, what: string) =>
  z.string().max(NAME_MAX_CHARS, `${parameter}: each ${what} is at most ${NAME_MAX_CHARS} characters`);

const parameter = <S extends z.ZodType>(spec: QueryParameter<S>): QueryParameter<S> => spec;

/** The query parameters of `GET /v1/search`: validated here and documented in the OpenAPI document. */
export const searchParameters = {
  q: parameter({
    description:
      'Words to search for in titles, abstracts and author names, with typo tolerance. Plain text: quotes, operators and other query syntax are searched as text.',
    schema: z.string().max(Q_MAX_CHARS, `q is at most ${Q_MAX_CHARS} characters`).default(''),
    example: 'catastrophic forgetting',
  }),
  from: parameter({
    description: 'Papers published on or after this date (YYYY-MM-DD).',
    schema: date('from').optional(),
    example: '2025-01-01',
  }),
  to: parameter({
    description: 'Papers published on or before this date (YYYY-MM-DD).',
    schema: date('to').optional(),
    example: '2025-12-31',
  }),
  since: parameter({
    description:
      'What is new: papers first seen at or after this date or ISO 8601 date-time (a date means midnight UTC).',
    schema: instant('since').optional(),
    example: '2025-11-01',
  }),
  hasCode: parameter({
    description: 'true: only papers that link code; false: only papers that do not.',
    schema: boolean('hasCode').optional(),
  }),
  minUpvotes: parameter({
    description: 'Papers with at least this many upvotes (papers without an upvote count are left out).',
    schema: integer('minUpvotes', 0, UPVOTES_MAX).optional(),
    integer: true,
    example: '10',
  }),
  authors: parameter({
    description: `Papers by any of these authors, by name (repeat the parameter or separate names with commas; at most ${LIST_MAX}). Case, accents and punctuation do not matter.`,
    schema: z
      .array(
        name('authors', 'name')
          .transform((n) => ({ name: n, key: authorKey(n) }))
          .refine((a) => a.key !== '', { error: 'authors: a name needs a letter or digit' })
          .transform((a) => a.key),
      )
      .optional(),
    list: { max: LIST_MAX },
    example: 'Ada Lovelace',
  }),
  source: parameter({
    description: `Papers seen on any of these sources, by source name (repeat or separate with commas; at most ${LIST_MAX}).`,
    schema: z.array(name('source', 'source name')).optional(),
    list: { max: LIST_MAX },
    example: 'hf',
  }),
  year: parameter({
    description: `Papers published in any of these years (repeat or separate with commas; at most ${LIST_MAX}).`,
    schema: z.array(integer('year', YEAR_MIN, YEAR_MAX)).optional(),
    list: { max: LIST_MAX },
    integer: true,
    example: '2025',
  }),
  sort: parameter({
    description:
      'Order of the hits: relevance (default), or a strict order with ties broken by relevance. firstSeenAt:desc lists what is new first; trending lists the papers whose upvotes grow fastest first (upvotes gained per hour between two captures of a page, halved for every 24 hours since the last gain), papers without such a gain after them.',
    schema: z.enum(SORTS, { error: `sort must be one of ${SORTS.join(', ')}` }).default('relevance'),
  }),
  facets: parameter({
    description: `Count the whole result set by these fields, in facetDistribution (any of ${FACETS.join(', ')}). authors holds the ${AUTHOR_FACET_SIZE} most frequent authors only, by name (spellings of one name count together); a name given back as the authors filter matches them all.`,
    schema: z.array(z.enum(FACETS, { error: `facets must be among ${FACETS.join(', ')}` })).optional(),
    list: { max: FACETS.length },
  }),
  limit: parameter({
    description: 'Hits per page.',
    schema: integer('limit', 1, SEARCH_LIMIT_MAX).default(20),
    integer: true,
  }),
  offset: parameter({
    description: `Hits to skip; offset + limit is at most ${SEARCH_WINDOW_MAX}.`,
    schema: integer('offset', 0, SEARCH_WINDOW_MAX).default(0),
    integer: true,
  }),
  highlight: parameter({
    description:
      'true: each hit carries _formatted title and abstract, HTML-escaped, with the matched words in <mark> tags.',
    schema: boolean('highlight').default(false),
  }),
};

export type ParsedSearchRequest =
  { ok: true; request: SearchRequest } | { ok: false; issues: ParameterIssue[] };

/** Validates the query string of `GET /v1/search` and turns it into the engine's typed request. */
export function parseSearchRequest(query: Record<string, unknown>): ParsedSearchRequest {
  const parsed = parseQuery(searchParameters, query);
  if (!parsed.ok) return parsed;
  const v = parsed.values;

  const issues: ParameterIssue[] = [];
  if (v.offset + v.limit > SEARCH_WINDOW_MAX) {
    issues.push({
      parameter: 'offset',
      message: `offset + limit must be at most ${SEARCH_WINDOW_MAX} (the deepest result a search pages to)`,
    });
  }
  issues.push(...rangeIssues(v));
  if (issues.length > 0) return { ok: false, issues };

  const request: SearchRequest = { q: v.q, limit: v.limit, offset: v.offset };
  const filters = filtersOf(v);
  if (filters) request.filters = filters;
  if (v.sort !== 'relevance') request.sort = v.sort;
  if (v.facets !== undefined) request.facets = unique(v.facets);
  if (v.highlight) request.highlight = true;
  return { ok: true, request };
}

type FilterValues = QueryValues<Pick<typeof searchParameters, FilterParameter>>;

/** The query parameters that filter a search, in `GET /v1/search` and in the feeds. */
export const FILTER_PARAMETERS = [
  'from',
  'to',
  'since',
  'hasCode',
  'minUpvotes',
  'authors',
  'source',
  'year',
] as const satisfies readonly (keyof typeof searchParameters)[];
export type FilterParameter = (typeof FILTER_PARAMETERS)[number];

/** Issues of filter values that are valid each on its own but not together. */
export function rangeIssues(v: Pick<FilterValues, 'from' | 'to'>): ParameterIssue[] {
  if (v.from !== undefined && v.to !== undefined && v.from > v.to)
    return [{ parameter: 'from', message: `from (${v.from}) must be on or before to (${v.to})` }];
  return [];
}

/** The engine's filters for validated filter values; undefined when none is set. */
export function filtersOf(v: FilterValues): SearchFilters | undefined {
  const filters: SearchFilters = {};
  if (v.from !== undefined) filters.from = v.from;
  if (v.to !== undefined) filters.to = v.to;
  if (v.since !== undefined) filters.since = v.since;
  if (v.hasCode !== undefined) filters.hasCode = v.hasCode;
  if (v.minUpvotes !== undefined) filters.minUpvotes = v.minUpvotes;
  if (v.authors !== undefined) filters.authors = unique(v.authors);
  if (v.source !== undefined) filters.sources = unique(v.source);
  if (v.year !== undefined) filters.years = unique(v.year);
  return Object.keys(filters).length > 0 ? filters : undefined;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

export const SIMILAR_LIMIT_MAX = 50;

/** The query parameters of `GET /v1/papers/{id}/similar`. */
export const similarParameters = {
  limit: parameter({
    description: 'How many similar papers.',
    schema: integer('limit', 1, SIMILAR_LIMIT_MAX).default(10),
    integer: true,
  }),
};
