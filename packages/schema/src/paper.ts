import { z } from 'zod';

/** Digest formats paperwire can parse. */
export const FORMATS = ['hf-text', 'hf-html', 'hf-json', 'arxiv-atom', 'arxiv-rss'] as const;
export const FormatSchema = z.enum(FORMATS);
export type Format = z.infer<typeof FormatSchema>;

/** An instant, always in UTC ISO-8601 with milliseconds (`2025-11-03T00:00:00.000Z`). */
export const IsoDateTimeSchema = z.iso.datetime({ offset: false });
/** A calendar date, `YYYY-MM-DD`. */
export const IsoDateSchema = z.iso.date();

/**
 * Paper ids are valid Meilisearch document ids (`[A-Za-z0-9_-]`, at most 511 bytes) and
 * namespaced by kind, so an id says where its identity came from.
 */
export const PaperIdSchema = z
  .string()
  .max(511)
  .regex(/^(arxiv|title)-[A-Za-z0-9_-]+$/, 'a paper id is "arxiv-…" or "title-…" over [A-Za-z0-9_-]');
export type PaperId = z.infer<typeof PaperIdSchema>;

/** One place a paper was seen: which source, which page, when, and what it said about upvotes. */
export const PaperSourceSchema = z.object({
  name: z.string().min(1),
  url: z.string().min(1),
  format: FormatSchema,
  capturedAt: IsoDateTimeSchema,
  /** The upvote count this page showed at capture time; null where the page has none. */
  upvotes: z.number().int().nonnegative().nullable(),
});
export type PaperSource = z.infer<typeof PaperSourceSchema>;

/** The one normalized record of a paper, as stored in the index and returned by the API. */
export const PaperSchema = z.object({
  id: PaperIdSchema,
  title: z.string().min(1),
  abstract: z.string(),
  /** Author names, where the source names them; empty when it only counts them. */
  authors: z.array(z.string().min(1)),
  authorCount: z.number().int().nonnegative().nullable(),
  publishedAt: IsoDateSchema.nullable(),
  upvotes: z.number().int().nonnegative().nullable(),
  codeUrls: z.array(z.url()),
  arxivId: z.string().min(1).nullable(),
  sources: z.array(PaperSourceSchema).min(1),
  firstSeenAt: IsoDateTimeSchema,
  lastSeenAt: IsoDateTimeSchema,
});
export type Paper = z.infer<typeof PaperSchema>;
