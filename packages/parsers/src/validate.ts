import { FORMATS, PaperSchema, type Paper } from '@paperwire/schema';

const { shape } = PaperSchema;
const sourceShape = shape.sources.element.shape;
const FORMAT_NAMES: ReadonlySet<unknown> = new Set(FORMATS);

/** How many verdicts a memo keeps before it starts over; bounds a long-running worker's memory. */
const MEMO_LIMIT = 8192;

/**
 * A string check answered by one of PaperSchema's own field schemas, remembered per string.
 * The strings that need a real check (dates, capture times, code URLs) repeat across the
 * papers of a page and across pages, while the schema's check of each costs a regex or a
 * URL parse.
 */
function memoized(schema: { safeParse(value: unknown): { success: boolean } }): (s: string) => boolean {
  const verdicts = new Map<string, boolean>();
  return (s) => {
    let ok = verdicts.get(s);
    if (ok === undefined) {
      ok = schema.safeParse(s).success;
      if (verdicts.size >= MEMO_LIMIT) verdicts.clear();
      verdicts.set(s, ok);
    }
    return ok;
  };
}

const isPaperId = (s: string): boolean => shape.id.safeParse(s).success;
const isUrl = memoized(shape.codeUrls.element);
const isDate = memoized(shape.publishedAt.unwrap());
const isDateTime = memoized(shape.firstSeenAt);
const isSourceCapturedAt = memoized(sourceShape.capturedAt);

/**
 * Whether `value` passes `PaperSchema`, decided without running the object schema: types,
 * lengths and counts are checked here, and every string format by the schema's own field
 * schema (memoized). `validate.test.ts` holds this to `PaperSchema.safeParse(value).success`
 * on valid papers and on every kind of broken one. Like the schema, it ignores unknown keys.
 */
export function isValidPaper(value: unknown): value is Paper {
  if (!isObject(value)) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.id === 'string' &&
    isPaperId(p.id) &&
    isNonEmptyString(p.title) &&
    typeof p.abstract === 'string' &&
    isArrayOf(p.authors, isNonEmptyString) &&
    isCountOrNull(p.authorCount) &&
    (p.publishedAt === null || (typeof p.publishedAt === 'string' && isDate(p.publishedAt))) &&
    isCountOrNull(p.upvotes) &&
    isArrayOf(p.codeUrls, (u) => typeof u === 'string' && isUrl(u)) &&
    (p.arxivId === null || isNonEmptyString(p.arxivId)) &&
    Array.isArray(p.sources) &&
    p.sources.length >= 1 &&
    p.sources.every(isValidSource) &&
    typeof p.firstSeenAt === 'string' &&
    isDateTime(p.firstSeenAt) &&
    typeof p.lastSeenAt === 'string' &&
    isDateTime(p.lastSeenAt)
  );
}

function isValidSource(value: unknown): boolean {
  if (!isObject(value)) return false;
  const s = value as Record<string, unknown>;
  return (
    isNonEmptyString(s.name) &&
    isNonEmptyString(s.url) &&
    FORMAT_NAMES.has(s.format) &&
    typeof s.capturedAt === 'string' &&
    isSourceCapturedAt(s.capturedAt) &&
    isCountOrNull(s.upvotes)
  );
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1;
}

/** `z.number().int().nonnegative().nullable()`: zod's int is a safe integer. */
function isCountOrNull(value: unknown): boolean {
  return value === null || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0);
}

function isArrayOf(value: unknown, check: (item: unknown) => boolean): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (!check(value[i])) return false;
  return true;
}
