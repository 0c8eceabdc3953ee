import { failedCount, fetchesSettled, type RunState } from '@paperwire/pipeline';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** One line of a run's progress: fetches ended of expected, then the counts. */
export function progressLine(s: RunState, unit = 'fetches'): string {
  const counts = [
    `fetched ${s.fetched}`,
    `unchanged ${s.unchanged}`,
    `failed ${failedCount(s)}`,
    `papers indexed ${s.papersIndexed}`,
  ];
  if (s.skipped > 0) counts.push(`skipped ${s.skipped}`);
  if (s.papersSighted > 0) counts.push(`sighted ${s.papersSighted}`);
  const pending = s.pagesPending + s.chunksPending;
  const tail = pending > 0 ? `; ${s.pagesPending} pages, ${s.chunksPending} chunks pending` : '';
  const head =
    s.expected > 0 ? `${fetchesSettled(s)}/${s.expected} ${unit}` : `${s.pagesParsed + s.pagesFailed} pages`;
  return `${head}: ${counts.join(', ')}${tail}`;
}

function bar(done: number, total: number, width: number): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/**
 * Shows a run's progress: on a terminal one line redrawn in place with a bar; elsewhere (a log,
 * a pipe) a plain line each time the counts change.
 */
export function progressReporter(stream: ProgressStream, unit = 'fetches') {
  let last = '';
  let drawn = false;
  return {
    update(state: RunState): void {
      const line = progressLine(state, unit);
      if (line === last) return;
      last = line;
      if (stream.isTTY) {
        const text = `${bar(fetchesSettled(state), state.expected, 24)} ${line}`;
        stream.write(`\r\x1b[2K${text.slice(0, Math.max(40, (stream.columns || 120) - 1))}`);
        drawn = true;
      } else {
        stream.write(`${line}\n`);
      }
    },
    end(): void {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
