import { FormatSchema, IsoDateSchema, IsoDateTimeSchema } from '@paperwire/schema';
import { z } from 'zod';

import { parseSchedule } from './schedule.js';
import { unknownPlaceholders } from './template.js';

/** Names end up in Redis keys, scheduler ids and job ids: no separators, no spaces. */
export const SourceNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
    'a source name is 1–64 characters of [A-Za-z0-9_-], starting with a letter or digit',
  );

const DURATION = /^(\d+)(ms|s|m|h)$/;
const DURATION_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

const DurationSchema = z.string().transform((text, ctx) => {
  const m = DURATION.exec(text.trim());
  const ms = m ? Number(m[1]) * DURATION_MS[m[2] as keyof typeof DURATION_MS] : 0;
  if (ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration like 500ms, 2s, 1m` });
    return z.NEVER;
  }
  return ms;
});

/**
 * Politeness towards the source's host, shared by every fetcher replica: at most one request per
 * `every` on average with bursts of `burst`, and `concurrency` requests in flight. Unset fields
 * take the fetcher's defaults (FETCH_HOST_*). Sources on one host share its limit; the strictest
 * setting among them applies.
 */
export const RateLimitSchema = z
  .object({
    every: DurationSchema.optional(),
    burst: z.number().int().min(1).max(100).optional(),
    concurrency: z.number().int().min(1).max(64).optional(),
  })
  .strict();

export interface RateLimit {
  everyMs?: number;
  burst?: number;
  concurrency?: number;
}

const ScheduleSchema = z.string().transform((text, ctx) => {
  try {
    return parseSchedule(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const SourceUrlSchema = z.string().superRefine((url, ctx) => {
  const unknown = unknownPlaceholders(url);
  if (unknown.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown placeholder ${unknown.map((p) => `{${p}}`).join(', ')}; the only one is {date} (YYYY-MM-DD, UTC)`,
    });
    return;
  }
  if (/^file:/i.test(url)) {
    if (url.replace(/^file:(\/\/)?/i, '') === '')
      ctx.addIssue({ code: 'custom', message: 'a file URL needs a path' });
    return;
  }
  let parsed: URL;
  try {
    parsed = new URL(url.replaceAll('{date}', '2000-01-01'));
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${url}" is not a URL (http, https or file)` });
    return;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    ctx.addIssue({
      code: 'custom',
      message: `${parsed.protocol} URLs are not fetched; use http, https or file`,
    });
  }
});

const CapturedAtSchema = z
  .union([IsoDateSchema, IsoDateTimeSchema], {
    error: 'a date (2025-11-03) or a UTC date-time (2025-11-03T08:00:00Z)',
  })
  .transform((value) => (value.length === 10 ? `${value}T00:00:00.000Z` : new Date(value).toISOString()));

/** One entry of a sources file, as written. */
export const SourceEntrySchema = z
  .object({
    name: SourceNameSchema,
    /** http(s) URL, or `file:` path (relative to the sources file); `{date}` expands to the UTC day. */
    url: SourceUrlSchema,
    /** Format hint handed to the parser; detected from the page when absent. */
    format: FormatSchema.nullable().default(null),
    /** Interval (`30m`, `6h`, `1d`) or cron pattern in UTC; without one the source runs on demand only. */
    schedule: ScheduleSchema.nullable().default(null),
    rateLimit: RateLimitSchema.nullable().default(null),
    enabled: z.boolean().default(true),
    /** A fixed capture time, for a snapshot such as a bundled digest; the fetch time otherwise. */
    capturedAt: CapturedAtSchema.nullable().default(null),
    description: z.string().optional(),
  })
  .strict();

export const SourcesFileSchema = z
  .object({ sources: z.array(SourceEntrySchema, { error: 'a list of sources (`sources: []` for none)' }) })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.sources.forEach((source, i) => {
      const first = seen.get(source.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['sources', i, 'name'],
          message: `"${source.name}" is already the name of sources[${first}]`,
        });
      } else seen.set(source.name, i);
    });
  });

export type SourceEntry = z.output<typeof SourceEntrySchema>;
