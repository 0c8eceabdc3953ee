import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `pnpm bench [parse|search|search-load|ingest|relevance] [options]`: with no benchmark named,
 * the parse and search benchmarks, as before. Each runs in a process of its own, so one's heap
 * and native memory never weigh on the next one's figures.
 */
const BENCHMARKS: Record<string, { file: string; args: string[] }> = {
  parse: { file: 'parse-bench.ts', args: [] },
  search: { file: 'search-bench.ts', args: [] },
  'search-load': { file: 'load-bench.ts', args: ['search-load'] },
  ingest: { file: 'load-bench.ts', args: ['ingest'] },
  relevance: { file: 'relevance-bench.ts', args: [] },
};
const USAGE = `usage: pnpm bench [${Object.keys(BENCHMARKS).join('|')}] [options]`;

const here = dirname(fileURLToPath(import.meta.url));
const [first, ...rest] = process.argv.slice(2);

let current: ChildProcess | undefined;

function run(file: string, args: string[]): Promise<number> {
  // The same loader and conditions as this process (tsx, `source`).
  const child = spawn(process.execPath, [...process.execArgv, join(here, file), ...args], {
    stdio: 'inherit',
  });
  current = child;
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 1)));
  });
}

// Ctrl-C reaches the benchmark as well (same process group), and it stops what it started;
// this process waits for it rather than leave it to finish behind the shell's prompt.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => current?.kill('SIGTERM'));

let code: number;
if (first === undefined || first.startsWith('-')) {
  code = await run(BENCHMARKS.parse!.file, []);
  if (code === 0) code = await run(BENCHMARKS.search!.file, first === undefined ? [] : [first, ...rest]);
} else if (first in BENCHMARKS) {
  const benchmark = BENCHMARKS[first]!;
  code = await run(benchmark.file, [...benchmark.args, ...rest]);
} else {
  process.stderr.write(`unknown benchmark "${first}"\n${USAGE}\n`);
  code = 2;
}
process.exitCode = code;
