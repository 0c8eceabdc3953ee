import { z } from 'zod';

import { authorKey } from './ids.js';
import { PaperSchema, type Paper } from './paper.js';

export const SEARCH_LIMIT_MAX = 100;
export const SEARCH_WINDOW_MAX = 10_000;

/** Query parameters of `GET /v1/search`, as they arrive in a query string. */
export const SearchParamsSchema = z
  .strictObject({
    q: z.string().max(1000, 'q is at most 1000 characters').default(''),
    limit: z.coerce
      .number({ error: 'limit must be an integer' })
      .int('limit must be an integer')
      .min(1, 'limit must be at least 1')
      .max(SEARCH_LIMIT_MAX, `limit must be at most ${SEARCH_LIMIT_MAX}`)
      .default(20),
    offset: z.coerce
      .number({ error: 'offset must be an integer' })
      .int('offset must be an integer')
      .min(0, 'offset must be at least 0')
      .default(0),
  })
  .refine((p) => p.offset + p.limit <= SEARCH_WINDOW_MAX, {
    path: ['offset'],
    message: `offset + limit must be at most ${SEARCH_WINDOW_MAX}`,
  });
export type SearchParams = z.output<typeof SearchParamsSchema>;

export const SORTS = [
  'relevance',
  'publishedAt:desc',
  'publishedAt:asc',
  'firstSeenAt:desc',
  'upvotes:desc',
  /** Fastest-rising first: upvote velocity decayed since the last gain (`trendingScore`). */
  'trending',
] as const;
export type SearchSort = (typeof SORTS)[number];
export const FACETS = ['year', 'hasCode', 'source', 'authors'] as const;
export type SearchFacet = (typeof FACETS)[number];
/**
 * Author names are many: the authors facet holds the most frequent ones only, this many, counted
 * per author key (`authorKey`) and named as the paper with the smallest id among all those of
 * the key spells it (`authorNameIn`), so a name does not change with the search; ties go to the
 * smaller key. A name sent back as the `authors` filter matches every spelling of its key.
 */
export const AUTHOR_FACET_SIZE = 20;

/** How `paper` spells the author of key `key`: its first author name with that key. */
export function authorNameIn(paper: Pick<Paper, 'authors'>, key: string): string | undefined {
  return paper.authors.find((name) => authorKey(name) === key);
}

/**
 * Typed filters; adapters turn them into engine filters by code, never by pasting user text.
 * Every present filter must hold (AND); a list matches any of its values (OR).
 */
export interface SearchFilters {
  /** publishedAt on or after this date (YYYY-MM-DD). */
  from?: string;
  /** publishedAt on or before this date (YYYY-MM-DD). */
  to?: string;
  /** firstSeenAt at or after this instant (ISO): what is new. */
  since?: string;
  hasCode?: boolean;
  minUpvotes?: number;
  /** Author keys (`authorKey(name)`), matched against the keys of each paper's named authors. */
  authors?: string[];
  /** Source names (`Paper.sources[].name`). */
  sources?: string[];
  /** Years of publishedAt. */
  years?: number[];
}

/** What the engine is asked: validated, typed values only. */
export interface SearchRequest {
  q: string;
  limit: number;
  offset: number;
  filters?: SearchFilters;
  /** Default relevance; an explicit sort is a strict order, ties broken by relevance. */
  sort?: SearchSort;
  /** Facet counts over the whole result set, in `facetDistribution`. */
  facets?: SearchFacet[];
  /** Adds `_formatted` title and abstract snippets: matches in <mark>, everything else HTML-escaped. */
  highlight?: boolean;
}

export const SearchHitSchema = PaperSchema.extend({
  _formatted: z.object({ title: z.string(), abstract: z.string() }).optional(),
});
export type SearchHit = z.infer<typeof SearchHitSchema>;

export const SearchResponseSchema = z.object({
  hits: z.array(SearchHitSchema),
  total: z.number().int().nonnegative(),
  /**
   * True when `total` is an estimate: engines count matches exactly up to a bound (1,000 on the
   * embedded index) and estimate past it, as Meilisearch's `estimatedTotalHits`. Pages are exact
   * either way.
   */
  totalEstimated: z.boolean(),
  limit: z.number().int(),
  offset: z.number().int(),
  query: z.string(),
  processingTimeMs: z.number().nonnegative(),
  /** Per requested facet, value → count over the whole result set (Meilisearch's name). */
  facetDistribution: z.record(z.string(), z.record(z.string(), z.number().int().nonnegative())).optional(),
});
export type SearchResponse = z.infer<typeof SearchResponseSchema>;

export const StatsResponseSchema = z.object({ papers: z.number().int().nonnegative() });
export type StatsResponse = z.infer<typeof StatsResponseSchema>;

/** Body of every 4xx/5xx answer. */
export const ErrorResponseSchema = z.object({
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ parameter: z.string(), message: z.string() })).optional(),
});
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;
