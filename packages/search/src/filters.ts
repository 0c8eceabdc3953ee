import type { SearchFilters } from '@paperwire/schema';
import { IsoDateSchema } from '@paperwire/schema';

/**
 * Filters after the adapter's own check: every value has the type and form the engine query
 * is built for, so no caller's mistake becomes an engine syntax error or a filter that means
 * something else. An empty list is no constraint (as an absent one). Same shape as the request's
 * filters; `since` is in the stored form (`toISOString()`), so it compares with stored instants as text.
 */
export type CheckedFilters = SearchFilters;

export function checkFilters(filters: SearchFilters | undefined): CheckedFilters {
  const checked: CheckedFilters = {};
  if (!filters) return checked;
  if (filters.from !== undefined) checked.from = date('from', filters.from);
  if (filters.to !== undefined) checked.to = date('to', filters.to);
  if (filters.since !== undefined) {
    const ms = typeof filters.since === 'string' ? Date.parse(filters.since) : Number.NaN;
    if (!Number.isFinite(ms))
      throw new RangeError(`filter since must be an ISO instant, got ${show(filters.since)}`);
    const instant = new Date(ms);
    // Outside these years the stored form gains a sign and six digits, and stops comparing
    // with stored instants as text.
    const year = instant.getUTCFullYear();
    if (year < 0 || year > 9999)
      throw new RangeError(`filter since must be in the years 0000-9999, got ${show(filters.since)}`);
    checked.since = instant.toISOString();
  }
  if (filters.hasCode !== undefined) {
    if (typeof filters.hasCode !== 'boolean')
      throw new RangeError(`filter hasCode must be a boolean, got ${show(filters.hasCode)}`);
    checked.hasCode = filters.hasCode;
  }
  if (filters.minUpvotes !== undefined) {
    if (!Number.isSafeInteger(filters.minUpvotes) || filters.minUpvotes < 0)
      throw new RangeError(
        `filter minUpvotes must be a non-negative integer, got ${show(filters.minUpvotes)}`,
      );
    checked.minUpvotes = filters.minUpvotes;
  }
  const authors = list('authors', filters.authors, (v) => typeof v === 'string' && v !== '');
  if (authors) checked.authors = authors;
  const sources = list('sources', filters.sources, (v) => typeof v === 'string' && v !== '');
  if (sources) checked.sources = sources;
  const years = list('years', filters.years, (v) => Number.isSafeInteger(v) && v >= 0 && v <= 9999);
  if (years) checked.years = years;
  return checked;
}

export function hasFilters(filters: CheckedFilters): boolean {
  return Object.keys(filters).length > 0;
}

/** The year of a `YYYY-MM-DD` date. */
export function yearOf(date: string | null): number | null {
  return date ? Number(date.slice(0, 4)) : null;
}

function date(name: string, value: unknown): string {
  if (typeof value !== 'string' || !IsoDateSchema.safeParse(value).success)
    throw new RangeError(`filter ${name} must be a date YYYY-MM-DD, got ${show(value)}`);
  return value;
}

function list<T>(name: string, values: readonly T[] | undefined, valid: (v: T) => boolean): T[] | undefined {
  if (values === undefined) return undefined;
  if (!Array.isArray(values)) throw new RangeError(`filter ${name} must be a list`);
  for (const v of values)
    if (!valid(v)) throw new RangeError(`filter ${name} holds an invalid value ${show(v)}`);
  const unique = [...new Set(values)];
  return unique.length > 0 ? unique : undefined;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
