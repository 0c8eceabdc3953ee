import { backfill, describeRun, RunTimeoutError, waitForRun } from '@paperwire/pipeline';

import type { CliContext } from './context.js';
import { sourcesFor } from './context.js';
import { progressReporter, type ProgressStream } from './progress.js';

export interface BackfillOptions {
  source: string;
  from: string;
  to: string;
  sourcesFile: string | undefined;
  wait: boolean;
  timeoutMs: number;
}

/**
 * `paperwire backfill`: one fetch per day of the range, then the run's progress until it is done.
 * Interrupting it stops the watching, not the work; the same command later resumes: days already
 * fetched are skipped, and fetches still queued are not queued twice.
 */
export async function runBackfill(
  ctx: CliContext,
  opts: BackfillOptions,
  io: { out: (line: string) => void; progress: ProgressStream },
): Promise<number> {
  const file = await sourcesFor(ctx.env, opts.sourcesFile);
  const source = file.sources.find((s) => s.name === opts.source);
  if (!source) {
    throw new Error(
      `no source "${opts.source}" in ${file.file} (it has: ${file.sources.map((s) => s.name).join(', ') || 'none'})`,
    );
  }
  const plan = await backfill(
    { producer: ctx.producer, runs: ctx.runs, state: ctx.state },
    source,
    opts.from,
    opts.to,
  );
  const parts = [`${plan.days.length} days`, `${plan.queued.length} queued`];
  if (plan.skipped.length > 0) parts.push(`${plan.skipped.length} already done`);
  if (plan.retried.length > 0) parts.push(`${plan.retried.length} failed before, queued again`);
  io.out(`backfill ${source.name} ${opts.from}..${opts.to} (run ${plan.runId}): ${parts.join(', ')}`);
  if (!opts.wait) return 0;

  const progress = progressReporter(io.progress, 'days');
  try {
    const state = await waitForRun(ctx.runs, plan.runId, {
      timeoutMs: opts.timeoutMs,
      intervalMs: 250,
      onProgress: (s) => progress.update(s),
    });
    progress.end();
    io.out(`done: ${describeRun(state)}`);
    return 0;
  } catch (error) {
    progress.end();
    if (error instanceof RunTimeoutError) {
      io.out(`${error.message}; the fetches continue, and running the same command again resumes watching`);
      return 1;
    }
    throw error;
  }
}
