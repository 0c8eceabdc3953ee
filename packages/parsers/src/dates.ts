const MONTHS: ReadonlyMap<string, number> = new Map(
  [
    ['jan', 'january'],
    ['feb', 'february'],
    ['mar', 'march'],
    ['apr', 'april'],
    ['may', 'may'],
    ['jun', 'june'],
    ['jul', 'july'],
    ['aug', 'august'],
    ['sep', 'september', 'sept'],
    ['oct', 'october'],
    ['nov', 'november'],
    ['dec', 'december'],
  ].flatMap((names, i) => names.map((name): [string, number] => [name, i + 1])),
);

/** Month number (1–12) of an English month name or abbreviation, any case; null otherwise. */
export function monthNumber(name: string): number | null {
  return MONTHS.get(name.toLowerCase().replace(/\.$/, '')) ?? null;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** `YYYY-MM-DD` when the day exists in that month and year; null otherwise. */
export function isoDate(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) return null;
  if (!Number.isInteger(month) || month < 1 || month > 12) return null;
  const daysInMonth = month === 2 ? (isLeapYear(year) ? 29 : 28) : DAYS_IN_MONTH[month - 1]!;
  if (!Number.isInteger(day) || day < 1 || day > daysInMonth) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Resolves a date printed without a year ("Jul 17") against the capture time: the latest such
 * date that is not after the capture's UTC calendar day. "Dec 30" captured 2026-01-05 is
 * 2025-12-30; "Feb 29" captured 2025-11-03 is 2024-02-29. Null for a day no year has.
 */
export function resolveYearlessDate(month: number, day: number, capturedAt: string): string | null {
  const capture = new Date(capturedAt);
  if (Number.isNaN(capture.getTime())) throw new RangeError(`capturedAt is not a datetime: ${capturedAt}`);
  const captureDay = capture.toISOString().slice(0, 10);
  const captureYear = capture.getUTCFullYear();
  // Eight years back always reaches a leap year, so Feb 29 resolves too.
  for (let year = captureYear; year >= captureYear - 8; year--) {
    const candidate = isoDate(year, month, day);
    if (candidate !== null && candidate <= captureDay) return candidate;
  }
  return null;
}

/**
 * The calendar date an ISO-8601 date or datetime is written with (`2025-10-30T17:59:58.000Z`,
 * `2003-07-07T13:46:39-04:00`, `2024-01-22`): the date as the source printed it, not shifted
 * to UTC. Null when it does not start with a real date.
 */
export function isoDatePart(s: string): string | null {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})(?![\d])/.exec(s);
  if (!m) return null;
  return isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * The calendar date of an RFC 822 / RSS date (`Mon, 03 Nov 2025 00:00:00 -0500`), as written;
 * two-digit years are read as RFC 2822 says (00–49 → 20xx, 50–99 → 19xx). Null otherwise.
 */
export function rfc822DatePart(s: string): string | null {
  const m = /^\s*(?:[A-Za-z]{3,9},?\s+)?(\d{1,2})\s+([A-Za-z]{3,9}\.?)\s+(\d{4}|\d{2})(?![\d])/.exec(s);
  if (!m?.[2] || !m[3]) return null;
  const month = monthNumber(m[2]);
  if (month === null) return null;
  let year = Number(m[3]);
  if (m[3].length === 2) year += year < 50 ? 2000 : 1900;
  return isoDate(year, month, Number(m[1]));
}

/** An ISO date part or, failing that, an RFC 822 date part. */
export function feedDatePart(s: string): string | null {
  return isoDatePart(s) ?? rfc822DatePart(s);
}
