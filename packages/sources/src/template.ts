/** The placeholders a source URL may hold; each expands at fetch time. */
export const PLACEHOLDERS = ['date'] as const;

const PLACEHOLDER = /\{([^{}]*)\}/g;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Placeholders in `template` that are not `{date}`. */
export function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)]
    .map((m) => m[1] ?? '')
    .filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
}

export function hasDatePlaceholder(template: string): boolean {
  return template.includes('{date}');
}

/** `{date}` → the given UTC day (`YYYY-MM-DD`). */
export function expandUrl(template: string, day: string): string {
  assertDay(day);
  return template.replaceAll('{date}', day);
}

/** The UTC day of an instant, `YYYY-MM-DD`. */
export function utcDay(at: Date | number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** Throws unless `day` is a real calendar day written `YYYY-MM-DD`. */
export function assertDay(day: string): void {
  const m = DAY.exec(day);
  const date = m ? new Date(`${day}T00:00:00.000Z`) : null;
  if (!date || Number.isNaN(date.getTime()) || utcDay(date) !== day) {
    throw new Error(`"${day}" is not a date written YYYY-MM-DD`);
  }
}

/** Every UTC day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string, max = 3660): string[] {
  assertDay(from);
  assertDay(to);
  const start = Date.parse(`${from}T00:00:00.000Z`);
  const end = Date.parse(`${to}T00:00:00.000Z`);
  if (end < start) throw new Error(`${to} is before ${from}`);
  const count = (end - start) / DAY_MS + 1;
  if (count > max) throw new Error(`${from}..${to} is ${count} days; at most ${max} at once`);
  return Array.from({ length: count }, (_, i) => utcDay(start + i * DAY_MS));
}

/** Midnight UTC of a day, as the capture time of that day's digest. */
export function startOfDay(day: string): string {
  assertDay(day);
  return `${day}T00:00:00.000Z`;
}
