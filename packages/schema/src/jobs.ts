import { z } from 'zod';

import { RawPageRefSchema } from './page.js';
import { FormatSchema, IsoDateSchema, IsoDateTimeSchema, PaperSchema } from './paper.js';
import { WatchIdSchema } from './watches.js';

/** The queues of the ingest pipeline, one per stage: a run is done when they are idle. */
export const PIPELINE_QUEUES = ['fetch', 'parse', 'index'] as const;
/** Every queue; each is consumed by one app. `deliver` takes watch matches to their webhooks. */
export const QUEUES = [...PIPELINE_QUEUES, 'deliver'] as const;
export type QueueName = (typeof QUEUES)[number];

/**
 * Papers per `papers.parsed` or `papers.sighted` job: small enough for Redis, big enough to batch
 * engine writes.
 */
export const PAPERS_PER_CHUNK = 200;

/**
 * Names one run of the pipeline (an ingest, a backfill, a scheduled tick, a reparse). It travels
 * with every job of the run from fetch to index, so the run's progress can be counted, and it is
 * part of job ids, so the same page in two runs is two jobs.
 */
export const RunIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,100}$/, 'a run id is 1–100 characters of [A-Za-z0-9_-]');
export type RunId = z.infer<typeof RunIdSchema>;

/** `{date}` is the one placeholder a fetch URL may hold; it expands to the fetch's UTC day. */
const DATE_PLACEHOLDER = /\{date\}/g;

/** An http(s) or file URL, optionally with `{date}` placeholders. */
export const FetchUrlSchema = z.string().refine(
  (value) => {
    try {
      return ['http:', 'https:', 'file:'].includes(
        new URL(value.replace(DATE_PLACEHOLDER, '2000-01-01')).protocol,
      );
    } catch {
      return false;
    }
  },
  { message: 'an http(s) or file URL, optionally with {date} placeholders' },
);

export const PageFetchPayloadSchema = z.object({
  url: FetchUrlSchema,
  sourceName: z.string().min(1),
  formatHint: FormatSchema.nullable().default(null),
  /** Capture time to record; the fetch time when absent. */
  capturedAt: IsoDateTimeSchema.nullable().default(null),
  runId: RunIdSchema.optional(),
  /**
   * The UTC day `{date}` expands to. Set by a backfill, which records the day in the source's
   * ledger once fetched; when absent a scheduled job uses its tick's day, any other job today.
   */
  date: IsoDateSchema.optional(),
});

export const PageFetchedPayloadSchema = z.object({
  page: RawPageRefSchema,
  /**
   * This URL's last parse was of the same body under the same source name: the parser sends the
   * papers of that parse again, stamped with this capture, instead of parsing the body again.
   */
  unchanged: z.boolean(),
  runId: RunIdSchema.optional(),
});

export const PapersParsedPayloadSchema = z.object({
  manifestId: RawPageRefSchema.shape.manifestId,
  chunk: z.number().int().nonnegative(),
  chunks: z.number().int().positive(),
  papers: z.array(PaperSchema).min(1).max(PAPERS_PER_CHUNK),
  runId: RunIdSchema.optional(),
});

/**
 * The papers of an unchanged page, as its last parse gave them but stamped with this capture (its
 * capture time as their source entry's and as firstSeenAt and lastSeenAt): merged into the index
 * like parsed papers, so a sighting and a parse commute. A job of its own so runs count sightings
 * apart from new papers.
 */
export const PapersSightedPayloadSchema = z.object({
  manifestId: RawPageRefSchema.shape.manifestId,
  papers: z.array(PaperSchema).min(1).max(PAPERS_PER_CHUNK),
  runId: RunIdSchema.optional(),
});

/**
 * One newly indexed paper that matched one watch, to POST to the watch's webhook. The webhook URL
 * and secret are read from the watch when the job runs: a deleted watch gets nothing more, and no
 * secret is stored in a job (jobs are visible in the queue dashboard).
 */
export const WatchDeliverPayloadSchema = z.object({
  watchId: WatchIdSchema,
  paper: PaperSchema,
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
  'watch.deliver': { queue: 'deliver', payload: WatchDeliverPayloadSchema },
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
