import {
  FACETS,
  FormatSchema,
  PaperIdSchema,
  PaperSchema,
  QUEUES,
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
