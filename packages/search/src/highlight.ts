import { searchWords } from './words.js';

export const MARK_OPEN = '<mark>';
export const MARK_CLOSE = '</mark>';
/** Abstracts are cropped to this many words around the matches; titles are always whole. */
export const CROP_WORDS = 40;
export const CROP_MARKER = '…';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * Text an engine marked with private placeholder characters (engines do not escape what they
 * return) → HTML: everything escaped, placeholders turned into `<mark>` and `</mark>`. Marks
 * come out balanced even when the text itself held a placeholder character.
 */
export function placeholdersToMarks(text: string, open: string, close: string): string {
  let html = '';
  let marking = false;
  let plain = '';
  for (const c of text) {
    if (c !== open && c !== close) {
      plain += c;
      continue;
    }
    html += escapeHtml(plain);
    plain = '';
    if (c === open && !marking) html += MARK_OPEN;
    if (c === close && marking) html += MARK_CLOSE;
    marking = c === open ? true : c === close ? false : marking;
  }
  html += escapeHtml(plain);
  return marking ? html + MARK_CLOSE : html;
}

interface Token {
  start: number;
  end: number;
  match: boolean;
}

const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/**
 * `text` as HTML with every word that `isMatch` accepts (given the word's `searchWords` form) in
 * `<mark>`. With `cropWords`, only the stretch of that many words holding the most matches is
 * kept, with `…` where text was cut.
 */
export function markWords(text: string, isMatch: (word: string) => boolean, cropWords?: number): string {
  const tokens: Token[] = [];
  for (const m of text.matchAll(WORD)) {
    const match = searchWords(m[0]).some(isMatch);
    tokens.push({ start: m.index, end: m.index + m[0].length, match });
  }
  let first = 0;
  let last = tokens.length;
  if (cropWords !== undefined && tokens.length > cropWords) {
    first = bestWindow(tokens, cropWords);
    last = first + cropWords;
  }
  const from = first === 0 ? 0 : tokens[first]!.start;
  const to = last === tokens.length ? text.length : tokens[last - 1]!.end;
  let html = from > 0 ? CROP_MARKER : '';
  let at = from;
  for (const token of tokens.slice(first, last)) {
    if (!token.match) continue;
    html += escapeHtml(text.slice(at, token.start));
    html += MARK_OPEN + escapeHtml(text.slice(token.start, token.end)) + MARK_CLOSE;
    at = token.end;
  }
  html += escapeHtml(text.slice(at, to));
  return to < text.length ? html + CROP_MARKER : html;
}

/**
 * Start of the window of `size` tokens with the most matches; among those, the one that shows a
 * few words leading to its first match.
 */
function bestWindow(tokens: Token[], size: number): number {
  const lead = Math.floor(size / 8);
  let best = 0;
  let bestCount = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let start = 0; start + size <= tokens.length; start += 1) {
    let count = 0;
    let first = -1;
    for (let i = start; i < start + size; i += 1) {
      if (!tokens[i]!.match) continue;
      count += 1;
      if (first < 0) first = i - start;
    }
    const distance = first < 0 ? Number.POSITIVE_INFINITY : Math.abs(first - lead);
    if (count > bestCount || (count === bestCount && count > 0 && distance < bestDistance)) {
      best = start;
      bestCount = count;
      bestDistance = distance;
    }
  }
  return best;
}
