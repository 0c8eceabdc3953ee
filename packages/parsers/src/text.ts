import { decodeEntities } from './entities.js';

/**
 * Whitespace that is not already a single plain space: a run of two or more, or any one
 * whitespace character other than U+0020. Replacing only these (rather than every `\s+`)
 * gives the same text and leaves tidy text untouched, without building a new string.
 */
const UNTIDY_SPACE = /\s{2,}|[^\S ]/g;

/** Whitespace other than U+0020. */
const NOT_A_PLAIN_SPACE = /[^\S ]/;

/** Runs of whitespace (any Unicode space, line breaks included) as one space, trimmed. */
export function collapseWhitespace(s: string): string {
  // Most titles and abstracts are already tidy inside: no two spaces in a row and no other
  // whitespace. Two native scans tell, and are cheaper than running the replacing pattern.
  if (s.indexOf('  ') === -1 && !NOT_A_PLAIN_SPACE.test(s)) return s.trim();
  return s.replace(UNTIDY_SPACE, ' ').trim();
}

/**
 * A title, abstract or name as paperwire stores it: character references decoded once,
 * whitespace collapsed, LaTeX and everything else left as written.
 */
export function cleanText(s: string): string {
  return collapseWhitespace(decodeEntities(s));
}

/**
 * Tags that end a line or paragraph, so the words on either side stay apart. A tag never
 * spans a `<`, which also keeps a page of unclosed `<p` from being scanned once per `<p`.
 */
const BLOCK_TAG = /<\/?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|th|blockquote|pre|table)\b[^<>]*>/gi;
/** Any other tag: `<a href="…">`, `</em>`, `<span class=x>`. */
const INLINE_TAG = /<\/?[A-Za-z][^<>]*>/g;

/**
 * The text of an HTML fragment (`<p>An abstract …</p>`, `<a href="…">A. One</a>`): tags
 * removed, then references decoded and whitespace collapsed. A `<` that does not start a tag
 * (`a < b`) stays.
 */
export function htmlToText(html: string): string {
  if (html.indexOf('<') === -1) return cleanText(html);
  return cleanText(html.replace(BLOCK_TAG, ' ').replace(INLINE_TAG, ''));
}

/** `s` cut to `max` characters with an ellipsis, for messages. */
export function clip(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
