import {
  FACETS,
  FormatSchema,
  PaperIdSchema,
  PaperSchema,
  QUEUES,
  WatchSchema,
  type SearchFacet,
} from '@paperwire/schema';
import { z } from 'zod';

export const INGEST_URLS_MAX = 100;

/** A date (midnight UTC) or an ISO 8601 date-time with an offset, as a canonical UTC instant. */
const instant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: 'must be a date (YYYY-MM-DD) or an ISO 8601 date-time (2025-11-03T08:00:00Z)',
  })
  .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00Z` : v).toISOString());

const sourceName = z.string().trim().min(1, 'must not be empty').max(200, 'is at most 200 characters');

export const IngestBodySchema = z
  .strictObject({
    urls: z
      .array(
        z
          .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
          .max(2048, 'is at most 2048 characters'),
      )
      .min(1, 'must list at least one URL')
      .max(INGEST_URLS_MAX, `lists at most ${INGEST_URLS_MAX} URLs`),
    capturedAt: instant
      .optional()
      .meta({ description: 'Capture time to record; the fetch time when absent.' }),
    source: sourceName.optional().meta({ description: "Source name to record; the URL's host when absent." }),
    format: FormatSchema.optional().meta({ description: 'Format of the pages; detected when absent.' }),
  })
  .meta({ description: 'Pages to fetch, parse and index.' });
export type IngestBody = z.output<typeof IngestBodySchema>;

export const IngestResponseSchema = z.object({
  queued: z.array(z.object({ url: z.string(), jobId: z.string(), outcome: z.string() })),
});

export const ReparseBodySchema = z
  .strictObject({
    source: sourceName.optional().meta({ description: 'Only pages of this source.' }),
    since: instant.optional().meta({ description: 'Only pages captured at or after this instant.' }),
  })
  .meta({ description: 'Archived raw pages to parse again, all when empty.' });

export const ReparseResponseSchema = z.object({ pages: z.number().int().nonnegative() });

export const ReplayFailedBodySchema = z
  .strictObject({
    queue: z.enum(QUEUES).optional().meta({ description: 'Only this queue; every queue when absent.' }),
  })
  .meta({ description: 'Failed jobs to run again.' });

export const ReplayFailedResponseSchema = z.object({
  retried: z.partialRecord(z.enum(QUEUES), z.number().int().nonnegative()),
});

export const SimilarResponseSchema = z.object({ id: PaperIdSchema, hits: z.array(PaperSchema) });

const facetCounts = z.record(z.string(), z.number().int().nonnegative());
export const FacetsResponseSchema = z.object({
  facetDistribution: z.object(
    Object.fromEntries(FACETS.map((f) => [f, facetCounts])) as Record<SearchFacet, typeof facetCounts>,
  ),
});

export const HealthResponseSchema = z.object({ status: z.literal('ok') });
export const ReadyResponseSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  engine: z.string(),
  message: z.string().optional(),
});

const Q_MAX_CHARS = 1000;
const WATCH_URL_MAX_CHARS = 2000;

/** A filter value as JSON gives it: what the search query string would hold, typed. */
export const WatchFilterValueSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.union([z.string(), z.number()])),
]);

export const WatchBodySchema = z
  .object({
    query: z
      .string()
      .max(Q_MAX_CHARS, `query is at most ${Q_MAX_CHARS} characters`)
      .default('')
      .meta({ description: 'Words every matching paper holds in its title, abstract or author names.' }),
    filters: z
      .record(z.string(), WatchFilterValueSchema)
      .default({})
      .meta({
        description:
          'The filter parameters of /v1/search (from, to, since, hasCode, minUpvotes, authors, source, year), by the same names, as JSON values.',
        example: { hasCode: true, year: [2025], authors: ['Ada Lovelace'] },
      }),
    url: z
      .string({ error: 'url is required: the webhook to POST matches to' })
      .max(WATCH_URL_MAX_CHARS, `url is at most ${WATCH_URL_MAX_CHARS} characters`)
      .meta({ description: 'http(s) webhook; loopback, private and metadata addresses are refused.' }),
  })
  .strict();

export const CreatedWatchSchema = WatchSchema.extend({
  secret: z.string().meta({ description: 'Signs every delivery (Paperwire-Signature); shown only here.' }),
});
export const WatchListSchema = z.object({ watches: z.array(WatchSchema) });
