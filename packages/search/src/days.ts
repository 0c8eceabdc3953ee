import type { DayCount, DaysRequest, ListedPage, ListedRequest, Paper } from '@paperwire/schema';
import { addDays, dayHit, DAY_LIMIT_MAX, DAYS_LIMIT_MAX, IsoDateSchema } from '@paperwire/schema';
import type Database from 'better-sqlite3';

/*
 * Days on the embedded index. A paper's day is the date of its `first_seen_at`, which
 * `papers_by_first_seen` orders, so every query here reads that index: the latest paper before
 * an instant is one seek, a day's count one range of it. No column or index of its own.
 */

/** Refuses what no engine should be asked: a bad date, an empty or reversed range, a bad page. */
export function checkDaysRequest(request: DaysRequest): void {
  if (request.from !== undefined) checkDate('from', request.from);
  if (request.to !== undefined) checkDate('to', request.to);
  if (request.from !== undefined && request.to !== undefined && request.from > request.to)
    throw new RangeError(`from (${request.from}) is after to (${request.to})`);
  checkCount('limit', request.limit, 1, DAYS_LIMIT_MAX);
}

export function checkListedRequest(request: ListedRequest): void {
  checkDate('from', request.from);
  checkDate('to', request.to);
  if (request.from > request.to) throw new RangeError(`from (${request.from}) is after to (${request.to})`);
  checkCount('limit', request.limit, 1, DAY_LIMIT_MAX);
  checkCount('offset', request.offset, 0, Number.MAX_SAFE_INTEGER);
}

function checkDate(name: string, value: string): void {
  if (!IsoDateSchema.safeParse(value).success)
    throw new RangeError(`${name} is no date (YYYY-MM-DD): ${value}`);
}

function checkCount(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
}

/**
 * The listed upvotes of `p` in SQL, as `listedUpvotes` computes them: the count of the latest
 * capture of the paper's first day that showed one (ties: the higher count), else its latest count.
 */
const LISTED_UPVOTES = `coalesce((
    SELECT s.value ->> '$.upvotes' FROM json_each(p.doc, '$.sources') s
      WHERE s.value ->> '$.upvotes' IS NOT NULL
        AND substr(s.value ->> '$.capturedAt', 1, 10) = substr(p.first_seen_at, 1, 10)
      ORDER BY s.value ->> '$.capturedAt' DESC, s.value ->> '$.upvotes' DESC LIMIT 1
  ), p.upvotes)`;

/** The day queries of one connection, with their statements prepared once. */
export class SqliteDays {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  days(request: DaysRequest): DayCount[] {
    checkDaysRequest(request);
    return this.#db.transaction(() => {
      const days: DayCount[] = [];
      // Each step finds the latest paper before the day found last: one seek per day.
      let before = request.to === undefined ? undefined : addDays(request.to, 1);
      while (days.length < request.limit) {
        const latest = this.#latestBefore(before);
        if (latest === undefined) break;
        const date = latest.slice(0, 10);
        if (request.from !== undefined && date < request.from) break;
        days.push({ date, papers: this.#count(date, addDays(date, 1)) });
        before = date;
      }
      return days;
    })();
  }

  listed(request: ListedRequest): ListedPage {
    checkListedRequest(request);
    // Dates sort before every instant of their day, so [from, to + 1 day) holds the span.
    const start = request.from;
    const end = addDays(request.to, 1);
    return this.#db.transaction((): ListedPage => {
      const hits = this.#statement<[string, string, number, number], { doc: string }>(
        `SELECT p.doc AS doc, ${LISTED_UPVOTES} AS listed FROM papers p
           WHERE p.first_seen_at >= ? AND p.first_seen_at < ?
           ORDER BY listed IS NULL, listed DESC, p.first_seen_at, p.id LIMIT ? OFFSET ?`,
      )
        .all(start, end, request.limit, request.offset)
        .map((r) => dayHit(JSON.parse(r.doc) as Paper));
      const previous = this.#latestBefore(start);
      const next = this.#statement<[string], { at: string | null }>(
        'SELECT min(first_seen_at) AS at FROM papers WHERE first_seen_at >= ?',
      ).get(end)?.at;
      return {
        total: this.#count(start, end),
        hits,
        previous: previous === undefined ? null : previous.slice(0, 10),
        next: next ? next.slice(0, 10) : null,
      };
    })();
  }

  /** The latest first sighting before `before` (of all papers when undefined). */
  #latestBefore(before: string | undefined): string | undefined {
    const row =
      before === undefined
        ? this.#statement<[], { at: string | null }>('SELECT max(first_seen_at) AS at FROM papers').get()
        : this.#statement<[string], { at: string | null }>(
            'SELECT max(first_seen_at) AS at FROM papers WHERE first_seen_at < ?',
          ).get(before);
    return row?.at ?? undefined;
  }

  #count(start: string, end: string): number {
    return (
      this.#statement<[string, string], { n: number }>(
        'SELECT count(*) AS n FROM papers WHERE first_seen_at >= ? AND first_seen_at < ?',
      ).get(start, end)?.n ?? 0
    );
  }

  #statement<P extends unknown[], R>(sql: string): Database.Statement<P, R> {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement as unknown as Database.Statement<P, R>;
  }
}
