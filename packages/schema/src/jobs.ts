import { z } from 'zod';

import { RawPageRefSchema } from './page.js';
import { FormatSchema, IsoDateTimeSchema, PaperIdSchema, PaperSchema } from './paper.js';

/** Queues, one per pipeline stage; each is consumed by one app. */
export const QUEUES = ['fetch', 'parse', 'index'] as const;
export type QueueName = (typeof QUEUES)[number];

/** Papers per `papers.parsed` job: small enough for Redis, big enough to batch engine writes. */
export const PAPERS_PER_CHUNK = 200;

export const PageFetchPayloadSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  sourceName: z.string().min(1),
  formatHint: FormatSchema.nullable().default(null),
  /** Capture time to record; the fetch time when absent. */
  capturedAt: IsoDateTimeSchema.nullable().default(null),
});

export const PageFetchedPayloadSchema = z.object({
  page: RawPageRefSchema,
  /** The body is byte-identical to one already archived: record the sighting, don't re-parse. */
  unchanged: z.boolean(),
});

export const PapersParsedPayloadSchema = z.object({
  manifestId: RawPageRefSchema.shape.manifestId,
  chunk: z.number().int().nonnegative(),
  chunks: z.number().int().positive(),
  papers: z.array(PaperSchema).min(1).max(PAPERS_PER_CHUNK),
});

export const PapersSightedPayloadSchema = z.object({
  manifestId: RawPageRefSchema.shape.manifestId,
  url: z.string().min(1),
  capturedAt: IsoDateTimeSchema,
  ids: z.array(PaperIdSchema).min(1).max(PAPERS_PER_CHUNK),
});

/**
 * The job catalog: every job name, the queue it runs on and the schema of its payload.
 * Producers parse payloads against it on enqueue, workers on dequeue.
 */
export const JOB_CATALOG = {
  'page.fetch': { queue: 'fetch', payload: PageFetchPayloadSchema },
  'page.fetched': { queue: 'parse', payload: PageFetchedPayloadSchema },
  'papers.parsed': { queue: 'index', payload: PapersParsedPayloadSchema },
  'papers.sighted': { queue: 'index', payload: PapersSightedPayloadSchema },
} as const satisfies Record<string, { queue: QueueName; payload: z.ZodType }>;

export type JobCatalog = typeof JOB_CATALOG;
export type JobName = keyof JobCatalog;
/** Job names that run on queue `Q`. */
export type JobNameOf<Q extends QueueName> = {
  [N in JobName]: JobCatalog[N]['queue'] extends Q ? N : never;
}[JobName];
/** A payload as handlers receive it (defaults applied). */
export type JobPayload<N extends JobName> = z.output<JobCatalog[N]['payload']>;
/** A payload as producers may write it (defaults optional). */
export type JobInput<N extends JobName> = z.input<JobCatalog[N]['payload']>;
