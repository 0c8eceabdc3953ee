import { describeRun, reparseRun, waitForRun } from '@paperwire/pipeline';

import type { CliContext } from './context.js';
import { progressReporter, type ProgressStream } from './progress.js';

/** `paperwire reparse`: archived pages through the current parser, at their original capture times. */
export async function runReparse(
  ctx: CliContext,
  opts: { source?: string; since?: string; wait: boolean; timeoutMs: number },
  io: { out: (line: string) => void; progress: ProgressStream },
): Promise<number> {
  const filter = {
    ...(opts.source === undefined ? {} : { source: opts.source }),
    ...(opts.since === undefined ? {} : { since: opts.since }),
  };
  const { runId, pages } = await reparseRun(
    { store: ctx.store, producer: ctx.producer, runs: ctx.runs },
    filter,
  );
  io.out(`reparse: ${pages} archived pages queued (run ${runId})`);
  if (!opts.wait || pages === 0) return 0;
  const progress = progressReporter(io.progress, 'pages');
  const state = await waitForRun(ctx.runs, runId, {
    timeoutMs: opts.timeoutMs,
    onProgress: (s) => progress.update(s),
  }).finally(() => progress.end());
  io.out(`done: ${describeRun(state)}`);
  return 0;
}
