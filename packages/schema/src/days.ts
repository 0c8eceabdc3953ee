import { z } from 'zod';

import { IsoDateSchema, PaperSchema, type Paper, type PaperSource } from './paper.js';

/*
 * Days: a paper is listed on the UTC date of its first sighting (`firstSeenAt`, the earliest
 * capture of any page that showed it). A record keeps no position of a paper on its page, so a
 * day's papers are ordered by the upvotes they showed that day (the order Hugging Face's daily
 * listing itself uses), else by their latest count.
 */

export const DAY_SPANS = ['day', 'week', 'month'] as const;
export type DaySpan = (typeof DAY_SPANS)[number];

export const DAY_LIMIT_MAX = 500;
export const DAYS_LIMIT_MAX = 1000;

/** The UTC date (`YYYY-MM-DD`) a paper is first listed on. */
export function firstSeenDay(paper: Pick<Paper, 'firstSeenAt'>): string {
  return paper.firstSeenAt.slice(0, 10);
}

/**
 * The upvotes a paper showed on the day it was first listed: the count of the latest capture made
 * that day (UTC) that showed one, ties to the higher count. Null when no such capture is kept
 * (a record keeps, per page, its latest capture and, of those with a count, the first, the latest
 * and the first at the highest, so a page captured again on later days may have none of that day).
 */
export function dayUpvotes(paper: Pick<Paper, 'firstSeenAt' | 'sources'>): number | null {
  const day = firstSeenDay(paper);
  let best: PaperSource | undefined;
  for (const source of paper.sources) {
    if (source.upvotes === null || source.capturedAt.slice(0, 10) !== day) continue;
    if (
      !best ||
      source.capturedAt > best.capturedAt ||
      (source.capturedAt === best.capturedAt && source.upvotes > (best.upvotes ?? -1))
    )
      best = source;
  }
  return best ? best.upvotes : null;
}

/** What orders the papers of a day, highest first (unknown last): the day's count, else the latest. */
export function listedUpvotes(paper: Pick<Paper, 'firstSeenAt' | 'sources' | 'upvotes'>): number | null {
  return dayUpvotes(paper) ?? paper.upvotes;
}

/**
 * The order of the papers of a span of days, the same in every engine: listed upvotes, highest
 * first, unknown last; then the earliest first seen; then the id.
 */
export function compareListed(a: Paper, b: Paper): number {
  const [x, y] = [listedUpvotes(a), listedUpvotes(b)];
  if (x !== y) {
    if (x === null) return 1;
    if (y === null) return -1;
    return y - x;
  }
  if (a.firstSeenAt !== b.firstSeenAt) return a.firstSeenAt < b.firstSeenAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The day after a `YYYY-MM-DD` date, or before it with `days` = -1. */
export function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00.000Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/**
 * The first and last day of the span holding `date`: the day itself, its ISO week (Monday to
 * Sunday) or its calendar month, all in UTC.
 */
export function spanOf(date: string, span: DaySpan): { from: string; to: string } {
  switch (span) {
    case 'day':
      return { from: date, to: date };
    case 'week': {
      // getUTCDay: Sunday 0 … Saturday 6; Monday starts the ISO week.
      const weekday = (new Date(`${date}T00:00:00.000Z`).getUTCDay() + 6) % 7;
      const from = addDays(date, -weekday);
      return { from, to: addDays(from, 6) };
    }
    case 'month': {
      const from = `${date.slice(0, 7)}-01`;
      const next = new Date(`${from}T00:00:00.000Z`);
      next.setUTCMonth(next.getUTCMonth() + 1);
      return { from, to: addDays(next.toISOString().slice(0, 10), -1) };
    }
  }
}

/** What an engine is asked for `GET /v1/days`: the days with papers in [from, to], newest first. */
export interface DaysRequest {
  from?: string;
  to?: string;
  limit: number;
}

/** Papers first listed in the days [from, to], in `compareListed` order, one page of them. */
export interface ListedRequest {
  from: string;
  to: string;
  limit: number;
  offset: number;
}

export const DayCountSchema = z.object({
  date: IsoDateSchema,
  /** Papers first listed that day. */
  papers: z.number().int().positive(),
});
export type DayCount = z.infer<typeof DayCountSchema>;

export const DaysResponseSchema = z.object({ days: z.array(DayCountSchema) });
export type DaysResponse = z.infer<typeof DaysResponseSchema>;

export const DayHitSchema = PaperSchema.extend({
  /** The upvotes the paper showed on the day it was first listed (`dayUpvotes`). */
  dayUpvotes: z.number().int().nonnegative().nullable(),
});
export type DayHit = z.infer<typeof DayHitSchema>;

/** An engine's answer to a `ListedRequest`. */
export interface ListedPage {
  /** Papers first listed in the span. */
  total: number;
  hits: DayHit[];
  /** The latest day before the span with papers, and the earliest after it. */
  previous: string | null;
  next: string | null;
}

export const DayResponseSchema = z.object({
  date: IsoDateSchema,
  span: z.enum(DAY_SPANS),
  /** The span's first and last day. */
  from: IsoDateSchema,
  to: IsoDateSchema,
  total: z.number().int().nonnegative(),
  limit: z.number().int(),
  offset: z.number().int(),
  /** The latest day before the span that has papers, and the earliest after it (or null). */
  previous: IsoDateSchema.nullable(),
  next: IsoDateSchema.nullable(),
  hits: z.array(DayHitSchema),
});
export type DayResponse = z.infer<typeof DayResponseSchema>;

/** A hit of a day: the paper with its upvotes of that day. */
export function dayHit(paper: Paper): DayHit {
  return { ...paper, dayUpvotes: dayUpvotes(paper) };
}
