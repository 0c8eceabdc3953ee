import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { Producer } from '@paperwire/queue';
import type { RawStore } from '@paperwire/rawstore';
import type { Format } from '@paperwire/schema';

import { archivePage, fetchItem } from './archive.js';
import { Runs } from './runs.js';

export interface IngestOptions {
  /** Capture time to record (ISO); now when absent. */
  capturedAt: string | null;
  sourceName: string | null;
  formatHint: Format | null;
  /** The run the queued work belongs to; each target is one fetch it waits for. */
  runId?: string;
}

export interface IngestReport {
  target: string;
  kind: 'url' | 'file';
  /** What happened, in words a person reads. */
  outcome: string;
  jobId: string;
}

/**
 * Queues each target: URLs become fetch jobs; local files (and the files of a directory) are
 * read here and archived, so no file path ever travels through the queue.
 */
export async function ingest(
  deps: { store: RawStore; producer: Producer; runs?: Runs },
  targets: string[],
  options: IngestOptions,
  onReport: (report: IngestReport) => void = () => undefined,
): Promise<IngestReport[]> {
  const reports: IngestReport[] = [];
  const emit = (r: IngestReport) => {
    reports.push(r);
    onReport(r);
  };
  const { runId } = options;
  const runs = runId === undefined ? undefined : (deps.runs ?? (await Runs.of(deps.producer)));
  const seen = new Set<string>();
  for (const target of targets) {
    if (/^https?:\/\//i.test(target)) {
      const url = new URL(target);
      if (seen.has(url.href)) continue;
      seen.add(url.href);
      if (runs && runId) await runs.expect(runId, 1);
      const jobId = await deps.producer.enqueue('page.fetch', {
        url: url.href,
        sourceName: options.sourceName ?? url.hostname,
        formatHint: options.formatHint,
        capturedAt: options.capturedAt,
        ...(runId === undefined ? {} : { runId }),
      });
      emit({ target, kind: 'url', outcome: 'fetch queued', jobId });
      continue;
    }
    for (const file of await filesOf(target)) {
      const url = pathToFileURL(file).href;
      if (seen.has(url)) continue;
      seen.add(url);
      const sourceName = options.sourceName ?? 'local';
      if (runs && runId) await runs.expect(runId, 1);
      const body = await readFile(file);
      const archived = await archivePage(
        { ...deps, ...(runs ? { runs } : {}) },
        body,
        {
          url,
          sourceName,
          capturedAt: options.capturedAt ?? new Date().toISOString(),
          contentType: null,
          formatHint: options.formatHint,
        },
        runId,
      );
      if (runs && runId) {
        await runs.closeFetch(
          runId,
          fetchItem(sourceName, url),
          archived.unchanged ? 'unchanged' : 'fetched',
        );
      }
      emit({
        target: file,
        kind: 'file',
        outcome: `archived as ${archived.page.key.slice(0, 12)}…${archived.unchanged ? ' (unchanged)' : ''}, parse queued`,
        jobId: archived.jobId,
      });
    }
  }
  return reports;
}

async function filesOf(target: string): Promise<string[]> {
  const path = resolve(target);
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new Error(`${target}: no such file or directory (targets are http(s) URLs, files or directories)`);
  }
  if (info.isFile()) return [path];
  if (!info.isDirectory()) throw new Error(`${target}: not a file or directory`);
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** `2025-11-03` or any ISO-8601 instant → canonical UTC ISO; throws naming the flag otherwise. */
export function parseCapturedAt(value: string): string {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new Error(`--captured-at: "${value}" is not an ISO-8601 date or date-time (e.g. 2025-11-03)`);
  }
  return date.toISOString();
}
