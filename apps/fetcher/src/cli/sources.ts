import { formatAge, freshness } from '@paperwire/sources';

import type { CliContext } from './context.js';
import { sourcesFor } from './context.js';

/** `paperwire sources`: every source of the file with its schedule and what its fetches found. */
export async function runSources(
  ctx: CliContext,
  sourcesFile: string | undefined,
  out: (line: string) => void,
  now: Date = new Date(),
): Promise<number> {
  const file = await sourcesFor(ctx.env, sourcesFile);
  const rows: string[][] = [['NAME', 'ENABLED', 'SCHEDULE', 'LAST FETCH', 'STATUS', 'PAPERS', 'FRESHNESS']];
  for (const source of file.sources) {
    const status = await ctx.state.status(source.name);
    const fresh = freshness(status.lastOkAt, source.enabled ? source.schedule : null, now);
    rows.push([
      source.name,
      source.enabled ? 'yes' : 'no',
      source.schedule
        ? ('every' in source.schedule ? 'every ' : 'cron ') + source.schedule.text
        : 'on demand',
      status.lastFetchAt ? `${status.lastFetchAt.slice(0, 16).replace('T', ' ')}Z` : '-',
      status.lastStatus ?? '-',
      status.papersFound === null ? '-' : String(status.papersFound),
      fresh.state === 'never' ? 'never fetched' : `${fresh.state} (${formatAge(fresh.ageMs)} ago)`,
    ]);
  }
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  out(`sources from ${file.file}:`);
  for (const row of rows)
    out(
      row
        .map((cell, col) => cell.padEnd(widths[col]!))
        .join('  ')
        .trimEnd(),
    );
  for (const source of file.sources) {
    const status = await ctx.state.status(source.name);
    if (status.lastError && (status.lastStatus === 'failed' || status.lastStatus === 'refused')) {
      out(`  ${source.name}: ${status.lastError}`);
    }
  }
  return 0;
}
