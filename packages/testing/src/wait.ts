import { setTimeout as delay } from 'node:timers/promises';

export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Names the condition in the timeout message. */
  what: string;
}

/**
 * Polls `probe` until it returns a truthy value and returns that value. A probe that throws counts
 * as "not yet"; the last value or error is part of the timeout message so a failing test says why.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, opts: WaitForOptions): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let last: { value: unknown } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) break;
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${opts.what}; ${describe(last)}`);
}

function describe(last: { value: unknown } | { error: unknown } | undefined): string {
  if (last === undefined) return 'the probe never completed';
  if ('error' in last) {
    const e = last.error;
    return `last error: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
  let shown: string;
  try {
    shown = JSON.stringify(last.value) ?? String(last.value);
  } catch {
    shown = String(last.value);
  }
  return `last value: ${shown.length > 500 ? `${shown.slice(0, 500)}…` : shown}`;
}
