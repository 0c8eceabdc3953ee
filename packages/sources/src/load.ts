import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { Format } from '@paperwire/schema';
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';

import type { Schedule } from './schedule.js';
import { SourcesFileSchema, type RateLimit, type SourceEntry } from './schema.js';

/** A source, validated and resolved: file paths are absolute `file:` URLs. */
export interface Source {
  name: string;
  /** http(s) or `file:` URL; may hold `{date}`. */
  url: string;
  kind: 'http' | 'file';
  /** Host of an http(s) source (the key of its rate limit); null for files. */
  host: string | null;
  format: Format | null;
  schedule: Schedule | null;
  rateLimit: RateLimit | null;
  enabled: boolean;
  capturedAt: string | null;
}

export interface SourcesFile {
  /** Where the sources were read from, as given. */
  file: string;
  sources: Source[];
}

export interface SourcesProblem {
  /** 1-based line in the file; null when the problem has no place (an empty file). */
  line: number | null;
  /** `sources[2].schedule`, or '' for the file as a whole. */
  path: string;
  message: string;
}

/** A sources file that cannot be used; the message lists every problem as `file:line: path: message`. */
export class SourcesError extends Error {
  override name = 'SourcesError';
  constructor(
    readonly file: string,
    readonly problems: SourcesProblem[],
  ) {
    super(problems.map((p) => formatProblem(file, p)).join('\n'));
  }
}

function formatProblem(file: string, p: SourcesProblem): string {
  const where = p.line === null ? file : `${file}:${p.line}`;
  return p.path === '' ? `${where}: ${p.message}` : `${where}: ${p.path}: ${p.message}`;
}

/** Reads and validates a sources file (YAML, or JSON, which is YAML too). */
export async function loadSources(file: string): Promise<SourcesFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new SourcesError(file, [{ line: null, path: '', message: reason }]);
  }
  return parseSources(text, { file, baseDir: dirname(resolve(file)) });
}

/**
 * Validates the text of a sources file. `file` names it in errors; relative `file:` paths resolve
 * against `baseDir`. Throws SourcesError naming the line and field of every problem.
 */
export function parseSources(text: string, opts: { file: string; baseDir: string }): SourcesFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SourcesError(
      opts.file,
      doc.errors.map((e) => ({
        line: e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line,
        path: '',
        message: e.message.split('\n')[0] ?? e.message,
      })),
    );
  }
  const result = SourcesFileSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => problemOf(issue, doc, lines));
    throw new SourcesError(
      opts.file,
      problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
    );
  }
  return {
    file: opts.file,
    sources: result.data.sources.map((entry) => resolveEntry(entry, opts.baseDir)),
  };
}

function problemOf(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter): SourcesProblem {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  let offset: number | undefined;
  if (issue.code === 'unrecognized_keys') {
    // Point at the first unknown key itself, not at the object holding it.
    const map = doc.getIn(path, true);
    if (isMap(map)) {
      const pair = map.items.find(
        (item) => isPair(item) && isScalar(item.key) && issue.keys.includes(String(item.key.value)),
      );
      if (pair && isNode(pair.key)) offset = pair.key.range?.[0];
    }
  }
  // The deepest node of the path that exists: a missing field is reported where its object is.
  for (let depth = path.length; offset === undefined && depth >= 0; depth -= 1) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node)) offset = node.range?.[0];
  }
  return {
    line: offset === undefined ? null : lines.linePos(offset).line,
    path: formatPath(path),
    message: issue.message,
  };
}

function formatPath(path: (string | number)[]): string {
  return path.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : out === '' ? part : `${out}.${part}`),
    '',
  );
}

const DATE_TOKEN = 'paperwire-date-placeholder';

function resolveEntry(entry: SourceEntry, baseDir: string): Source {
  const common = {
    name: entry.name,
    format: entry.format,
    schedule: entry.schedule,
    rateLimit: entry.rateLimit
      ? {
          ...(entry.rateLimit.every === undefined ? {} : { everyMs: entry.rateLimit.every }),
          ...(entry.rateLimit.burst === undefined ? {} : { burst: entry.rateLimit.burst }),
          ...(entry.rateLimit.concurrency === undefined ? {} : { concurrency: entry.rateLimit.concurrency }),
        }
      : null,
    enabled: entry.enabled,
    capturedAt: entry.capturedAt,
  };
  if (/^file:/i.test(entry.url)) {
    // `file:relative/path` is relative to the sources file; `file:///abs` and `file:/abs` are absolute.
    const raw = decodeURIComponent(entry.url.replace(/^file:(\/\/)?/i, '')).replaceAll('{date}', DATE_TOKEN);
    const path = isAbsolute(raw) ? raw : resolve(baseDir, raw);
    return {
      ...common,
      kind: 'file',
      host: null,
      url: pathToFileURL(path).href.replaceAll(DATE_TOKEN, '{date}'),
    };
  }
  const host = new URL(entry.url.replaceAll('{date}', '2000-01-01')).hostname;
  return { ...common, kind: 'http', host, url: entry.url };
}
