import { backfill } from '@paperwire/pipeline';

import type { CliContext } from './context.js';
import { sourcesFor } from './context.js';
import { reportRun, type ReportIo } from './report.js';

export interface BackfillOptions {
  source: string;
  from: string;
  to: string;
  sourcesFile: string | undefined;
  wait: boolean;
  json: boolean;
  timeoutMs: number;
}

/**
 * `paperwire backfill`: one fetch per day of the range, then the run's progress until it is done.
 * Interrupting it stops the watching, not the work; the same command later resumes: days already
 * fetched are skipped, and fetches still queued are not queued twice.
 */
export async function runBackfill(ctx: CliContext, opts: BackfillOptions, io: ReportIo): Promise<number> {
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
  (opts.json ? io.err : io.out)(
    `backfill ${source.name} ${opts.from}..${opts.to} (run ${plan.runId}): ${parts.join(', ')}`,
  );
  return reportRun(
    ctx,
    {
      runId: plan.runId,
      wait: opts.wait,
      json: opts.json,
      timeoutMs: opts.timeoutMs,
      intervalMs: 250,
      unit: 'days',
      timeoutHint: 'the fetches continue, and running the same command again resumes watching',
    },
    io,
  );
}
