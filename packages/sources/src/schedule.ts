import cronParser from 'cron-parser';

/**
 * When a source is fetched: every fixed interval (`30m`, `6h`), or at the times of a cron
 * pattern evaluated in UTC (`0 6 * * *`). BullMQ's job schedulers take either shape as is.
 */
export type Schedule = { text: string; every: number } | { text: string; pattern: string };

const INTERVAL = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Shorter intervals are a mistake for a digest published daily; tests use seconds. */
export const MIN_INTERVAL_MS = 1000;

/** Parses a schedule; throws an Error whose message says what is wrong with it. */
export function parseSchedule(text: string): Schedule {
  const trimmed = text.trim();
  const interval = INTERVAL.exec(trimmed);
  if (interval) {
    const every = Number(interval[1]) * UNIT_MS[interval[2] as keyof typeof UNIT_MS];
    if (every < MIN_INTERVAL_MS) throw new Error(`interval "${trimmed}" is shorter than 1s`);
    return { text: trimmed, every };
  }
  const fields = trimmed.split(/\s+/);
  if (/^\d/.test(trimmed) && fields.length === 1) {
    throw new Error(`"${trimmed}" is not an interval: use a number and one of s, m, h, d (e.g. 30m, 6h)`);
  }
  if (fields.length < 5 || fields.length > 6) {
    throw new Error(
      `"${trimmed}" is neither an interval (30m, 6h, 1d) nor a cron pattern of 5 or 6 fields (e.g. "0 6 * * *")`,
    );
  }
  try {
    cronParser.parseExpression(trimmed, { tz: 'UTC' }).next();
  } catch (error) {
    throw new Error(`"${trimmed}" is not a valid cron pattern: ${(error as Error).message}`);
  }
  return { text: trimmed, pattern: trimmed };
}

/** The usual time between two runs of a schedule (for a cron pattern: between its next two runs). */
export function nominalIntervalMs(schedule: Schedule, now: Date = new Date()): number {
  if ('every' in schedule) return schedule.every;
  const it = cronParser.parseExpression(schedule.pattern, { tz: 'UTC', currentDate: now });
  const first = it.next().getTime();
  const second = it.next().getTime();
  return second - first;
}

export type Freshness = { state: 'never' } | { state: 'fresh' | 'stale'; ageMs: number };

/**
 * A source is fresh while its last good fetch is at most two of its intervals old (one missed
 * tick is tolerated); an unscheduled source is fresh for a day.
 */
export function freshness(
  lastOkAt: string | null,
  schedule: Schedule | null,
  now: Date = new Date(),
): Freshness {
  if (lastOkAt === null) return { state: 'never' };
  const ageMs = Math.max(0, now.getTime() - Date.parse(lastOkAt));
  const allowed = schedule ? 2 * nominalIntervalMs(schedule, now) : UNIT_MS.d;
  return { state: ageMs <= allowed ? 'fresh' : 'stale', ageMs };
}

/** `3m`, `5h`, `2d`: an age as people read it. */
export function formatAge(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)}m`;
  if (ms < 2 * 86_400_000) return `${Math.round(ms / 3_600_000)}h`;
  return `${Math.round(ms / 86_400_000)}d`;
}
