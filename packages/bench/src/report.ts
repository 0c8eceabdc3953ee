import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

/** What a benchmark's report says of the machine it ran on. */
export function machineFacts() {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
  };
}

/** The one-minute load average before a run and now: other work on the machine slows every figure. */
export function loadAverageSince(before: number | undefined) {
  return { before, after: loadavg()[0] };
}

/** The machine and the load average over the run, for a report written at the run's end. */
export function runFacts(loadBefore: number | undefined) {
  return { ...machineFacts(), loadAverage: loadAverageSince(loadBefore) };
}

/** Writes `bench-results/<name>.json` (gitignored) and says so. */
export function writeReport(name: string, report: object): void {
  mkdirSync('bench-results', { recursive: true });
  const file = join('bench-results', `${name}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

/** An integer option's value, or an error naming the option, its range and the usage. */
export function integerOption(
  name: string,
  value: string | undefined,
  [min, max]: [number, number],
  usage: string,
): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new Error(`${name} takes an integer from ${min} to ${max}, not "${value}"\n${usage}`);
  return n;
}
