import { z } from 'zod';

import { PaperSchema } from './paper.js';

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

/** What the engine is asked: the validated parameters, nothing stringly-typed. */
export interface SearchRequest {
  q: string;
  limit: number;
  offset: number;
}

export const SearchResponseSchema = z.object({
  hits: z.array(PaperSchema),
  total: z.number().int().nonnegative(),
  limit: z.number().int(),
  offset: z.number().int(),
  query: z.string(),
  processingTimeMs: z.number().nonnegative(),
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
