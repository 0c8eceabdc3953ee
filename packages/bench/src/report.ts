import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

/**
 * What a benchmark's report says of the machine and the run. The one-minute load average
 * before and after: other work on the machine slows every figure.
 */
export function runFacts(loadBefore: number | undefined) {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    loadAverage: { before: loadBefore, after: loadavg()[0] },
  };
}

/** Writes `bench-results/<name>.json` (gitignored) and says so. */
export function writeReport(name: string, report: object): void {
  mkdirSync('bench-results', { recursive: true });
  const file = join('bench-results', `${name}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
}
