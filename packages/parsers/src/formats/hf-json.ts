import { ParseError } from '../errors.js';
import { dailyPapersList, draftsFromDailyPapers } from '../hf-daily-papers.js';
import { isJsonFailure, parseJsonRecovering } from '../json-prefix.js';
import type { FormatOutput, FormatParser } from '../types.js';

/**
 * The Hugging Face daily-papers API (`/api/daily_papers`): a JSON array of listing entries,
 * each holding a `paper` (see `draftsFromDailyPapers`). An object with a `dailyPapers` or
 * `papers` array is read too. A response cut mid-download keeps its complete entries.
 */
export const hfJson: FormatParser = {
  format: 'hf-json',
  detect: detectHfJson,
  parse: parseHfJson,
};

function detectHfJson(text: string, contentType: string | null): number {
  const first = firstNonSpace(text);
  if (first !== '[' && first !== '{') return 0;
  const head = text.slice(0, 8192);
  const json = contentType !== null && /\bjson\b/i.test(contentType);
  if (/"paper"\s*:\s*\{/.test(head) || /"(?:dailyPapers|papers)"\s*:\s*\[/.test(head)) return 0.95;
  // Some JSON, not obviously a papers list: still ours if nothing else claims it.
  return json ? 0.5 : 0.4;
}

function parseHfJson(text: string): FormatOutput {
  const body = text.trimStart();
  const recovered = parseJsonRecovering(body, body.startsWith('[') ? 1 : 2);
  if (isJsonFailure(recovered)) {
    const why =
      recovered.reason === 'too-deep' ? recovered.message : `not a JSON document: ${recovered.message}`;
    throw new ParseError('malformed', 'hf-json', why);
  }
  const list = dailyPapersList(recovered.value);
  if (list === null) {
    throw new ParseError(
      'malformed',
      'hf-json',
      'JSON is neither a list of daily-papers entries nor an object with a "dailyPapers" or "papers" list',
    );
  }
  const warnings: string[] = [];
  const papers = draftsFromDailyPapers(list, warnings);
  if (recovered.cutAt !== null) {
    warnings.unshift(
      `JSON ends before the document does (cut download?); kept the ${list.length} complete entries before offset ${recovered.cutAt + text.length - body.length}`,
    );
  }
  return { papers, warnings };
}

function firstNonSpace(text: string): string {
  const m = /\S/.exec(text.slice(0, 1024));
  return m ? m[0] : '';
}
