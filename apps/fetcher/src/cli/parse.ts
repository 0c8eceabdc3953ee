import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { ParseError, parsePage } from '@paperwire/parsers';
import type { Format } from '@paperwire/schema';

export interface ParseFileOptions {
  format: Format | null;
  capturedAt: string;
}

/**
 * Parses one local file exactly as the parser worker would and writes its papers as JSON
 * lines; warnings go to `err`. Throws ParseError (with its reason) when the file cannot be parsed.
 */
export async function parseFile(
  file: string,
  opts: ParseFileOptions,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const path = resolve(file);
  const body = await readFile(path).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
  const result = parsePage(body, {
    url: pathToFileURL(path).href,
    sourceName: 'local',
    capturedAt: opts.capturedAt,
    contentType: null,
    formatHint: opts.format,
  });
  for (const paper of result.papers) out(JSON.stringify(paper));
  for (const warning of result.warnings) err(`warning: ${warning}`);
  err(`${result.papers.length} papers (${result.format})`);
  return result.papers.length;
}

export { ParseError };
