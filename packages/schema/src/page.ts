import { z } from 'zod';

import { FormatSchema, IsoDateTimeSchema } from './paper.js';

/** sha256 of a decoded page body, lower-case hex: the page's key in the raw store. */
export const RawKeySchema = z.string().regex(/^[0-9a-f]{64}$/, 'a raw key is a sha256 hex digest');

/**
 * One fetch of one page, as recorded in the raw store's manifest and carried by jobs.
 * Small metadata only: the body stays in the raw store under `key`.
 */
export const RawPageRefSchema = z.object({
  /** sha256 of the decoded body. */
  key: RawKeySchema,
  /** Identifies this capture (URL + capture time + body): stable across retries. */
  manifestId: z.string().regex(/^[0-9a-f]{32,64}$/),
  /** Where the page came from: an http(s) URL, or a `file:` URL for local files. */
  url: z.string().min(1),
  /** Name of the source the page belongs to, shown in each paper's `sources`. */
  sourceName: z.string().min(1),
  capturedAt: IsoDateTimeSchema,
  contentType: z.string().nullable(),
  formatHint: FormatSchema.nullable(),
  size: z.number().int().nonnegative(),
});
export type RawPageRef = z.infer<typeof RawPageRefSchema>;
