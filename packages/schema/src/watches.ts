import { z } from 'zod';

import { IsoDateSchema, IsoDateTimeSchema, PaperSchema } from './paper.js';

/** A watch's id: `w` and 24 hex digits, safe in Redis keys, job ids and URL paths. */
export const WatchIdSchema = z.string().regex(/^w[0-9a-f]{24}$/, 'a watch id is w and 24 hex digits');
export type WatchId = z.infer<typeof WatchIdSchema>;

/**
 * The filters of a watch, in the engine's form (`SearchFilters`): what `/v1/search` makes of its
 * filter parameters, so a watch matches what a search with the same parameters would find.
 */
export const WatchFiltersSchema = z
  .object({
    from: IsoDateSchema.optional(),
    to: IsoDateSchema.optional(),
    since: IsoDateTimeSchema.optional(),
    hasCode: z.boolean().optional(),
    minUpvotes: z.number().int().nonnegative().optional(),
    authors: z.array(z.string().min(1)).optional(),
    sources: z.array(z.string().min(1)).optional(),
    years: z.array(z.number().int()).optional(),
  })
  .strict();
export type WatchFilters = z.infer<typeof WatchFiltersSchema>;

/** A standing query: every paper newly indexed that matches it is POSTed to its webhook. */
export const WatchSchema = z.object({
  id: WatchIdSchema,
  /** Matched as `/v1/search` words are, without typos or prefixes: every word must be in the paper. */
  query: z.string(),
  filters: WatchFiltersSchema,
  /** http(s); checked against the egress policy when the watch is made and on every delivery. */
  url: z.url({ protocol: /^https?$/ }),
  createdAt: IsoDateTimeSchema,
});
export type Watch = z.infer<typeof WatchSchema>;

/** The JSON body POSTed to a watch's webhook, signed in the `Paperwire-Signature` header. */
export const WatchDeliverySchema = z.object({
  /** Stable across retries of one delivery, so a receiver can drop what it already has. */
  deliveryId: z.string(),
  watchId: WatchIdSchema,
  query: z.string(),
  filters: WatchFiltersSchema,
  paper: PaperSchema,
});
export type WatchDelivery = z.infer<typeof WatchDeliverySchema>;
