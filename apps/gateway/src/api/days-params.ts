import {
  DAY_LIMIT_MAX,
  DAY_SPANS,
  DAYS_LIMIT_MAX,
  SEARCH_WINDOW_MAX,
  spanOf,
  type DaysRequest,
  type DaySpan,
  type ListedRequest,
} from '@paperwire/schema';
import { z } from 'zod';

import { parseQuery, type ParameterIssue, type QueryParameter } from '../http/query.js';

/** Days the API speaks of; dates past these have no papers and no weeks the engines can compute. */
const FIRST_DATE = '1900-01-01';
const LAST_DATE = '2100-12-31';

/** A calendar date in the range above, for a query or path parameter named `name`. */
export const calendarDate = (name: string) =>
  z.iso
    .date({ error: `${name} must be a date, YYYY-MM-DD` })
    .refine((d) => d >= FIRST_DATE && d <= LAST_DATE, {
      error: `${name} must be from ${FIRST_DATE} to ${LAST_DATE}`,
    });

const integer = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be an integer` })
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`)
    .int(`${name} must be an integer`);

const parameter = <S extends z.ZodType>(spec: QueryParameter<S>): QueryParameter<S> => spec;

/** The query parameters of `GET /v1/days`. */
export const daysParameters = {
  from: parameter({
    description: 'Only days on or after this date (YYYY-MM-DD, UTC).',
    schema: calendarDate('from').optional(),
    example: '2025-11-01',
  }),
  to: parameter({
    description: 'Only days on or before this date (YYYY-MM-DD, UTC).',
    schema: calendarDate('to').optional(),
    example: '2025-11-30',
  }),
  limit: parameter({
    description: 'How many days, newest first.',
    schema: integer('limit', 1, DAYS_LIMIT_MAX).default(100),
    integer: true,
  }),
};

export const DAY_DEFAULT_LIMIT = 100;

/** The query parameters of `GET /v1/days/{date}`. */
export const dayParameters = {
  span: parameter({
    description:
      'day (default): the papers first listed on the date; week: in its ISO week, Monday to Sunday; month: in its calendar month (UTC).',
    schema: z.enum(DAY_SPANS, { error: `span must be one of ${DAY_SPANS.join(', ')}` }).default('day'),
  }),
  limit: parameter({
    description: 'Papers per page.',
    schema: integer('limit', 1, DAY_LIMIT_MAX).default(DAY_DEFAULT_LIMIT),
    integer: true,
  }),
  offset: parameter({
    description: `Papers to skip; offset + limit is at most ${SEARCH_WINDOW_MAX}.`,
    schema: integer('offset', 0, SEARCH_WINDOW_MAX).default(0),
    integer: true,
  }),
};

export type Parsed<T> = { ok: true; request: T } | { ok: false; issues: ParameterIssue[] };

export function parseDaysRequest(query: Record<string, unknown>): Parsed<DaysRequest> {
  const parsed = parseQuery(daysParameters, query);
  if (!parsed.ok) return parsed;
  const { from, to, limit } = parsed.values;
  if (from !== undefined && to !== undefined && from > to)
    return {
      ok: false,
      issues: [{ parameter: 'from', message: `from (${from}) must be on or before to (${to})` }],
    };
  return { ok: true, request: { limit, ...(from ? { from } : {}), ...(to ? { to } : {}) } };
}

export interface DayRequest {
  date: string;
  span: DaySpan;
  listed: ListedRequest;
}

/** The `:date` of `GET /v1/days/{date}` and its query string. */
export function parseDayRequest(date: unknown, query: Record<string, unknown>): Parsed<DayRequest> {
  const checked = calendarDate('date').safeParse(date);
  const parsed = parseQuery(dayParameters, query);
  const issues: ParameterIssue[] = [];
  if (!checked.success)
    issues.push({ parameter: 'date', message: checked.error.issues[0]?.message ?? 'date is invalid' });
  if (!parsed.ok) issues.push(...parsed.issues);
  else if (parsed.values.offset + parsed.values.limit > SEARCH_WINDOW_MAX)
    issues.push({ parameter: 'offset', message: `offset + limit must be at most ${SEARCH_WINDOW_MAX}` });
  if (issues.length > 0 || !checked.success || !parsed.ok) return { ok: false, issues };
  const { span, limit, offset } = parsed.values;
  return {
    ok: true,
    request: { date: checked.data, span, listed: { ...spanOf(checked.data, span), limit, offset } },
  };
}
