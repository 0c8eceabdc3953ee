import { reparseRun } from '@paperwire/pipeline';

import type { CliContext } from './context.js';
import { reportRun, type ReportIo } from './report.js';

/** `paperwire reparse`: archived pages through the current parser, at their original capture times. */
export async function runReparse(
  ctx: CliContext,
  opts: { source?: string; since?: string; wait: boolean; json: boolean; timeoutMs: number },
  io: ReportIo,
): Promise<number> {
  const filter = {
    ...(opts.source === undefined ? {} : { source: opts.source }),
    ...(opts.since === undefined ? {} : { since: opts.since }),
  };
  const { runId, pages } = await reparseRun(
    { store: ctx.store, producer: ctx.producer, runs: ctx.runs },
    filter,
  );
  (opts.json ? io.err : io.out)(`reparse: ${pages} archived pages queued (run ${runId})`);
  return reportRun(
    ctx,
    {
      runId,
      wait: opts.wait,
      json: opts.json,
      timeoutMs: opts.timeoutMs,
      unit: 'pages',
      timeoutHint: 'the queued pages are still parsed',
    },
    io,
  );
}
