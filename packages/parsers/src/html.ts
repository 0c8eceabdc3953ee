/** The start tag of one HTML element, attribute values as written (references not decoded). */
export interface HtmlStartTag {
  /** Lower-cased. */
  name: string;
  /** Lower-cased names; the first of a repeated attribute wins, as in browsers. */
  attrs: Map<string, string>;
  /** The page ends inside this tag; the last attribute value runs to the end of the text. */
  cut: boolean;
}

/** Elements whose content is raw text, where a `<` does not start a tag. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'noscript']);

/**
 * The first start tag for which `wanted` is true, scanning the page the way a browser's
 * tokenizer splits it (comments, doctype and raw-text elements skipped; quoted, unquoted and
 * bare attributes), without building a document. A page cut inside a tag still offers that
 * tag, marked `cut`.
 */
export function findStartTag(html: string, wanted: (tag: HtmlStartTag) => boolean): HtmlStartTag | null {
  const end = html.length;
  let pos = 0;
  while (pos < end) {
    const lt = html.indexOf('<', pos);
    if (lt === -1) return null;
    const next = html.charCodeAt(lt + 1);
    if (next === 0x21 /* ! */) {
      if (html.startsWith('<!--', lt)) {
        const close = html.indexOf('-->', lt + 4);
        if (close === -1) return null;
        pos = close + 3;
      } else {
        const close = html.indexOf('>', lt + 2);
        if (close === -1) return null;
        pos = close + 1;
      }
      continue;
    }
    if (next === 0x2f /* / */ || next === 0x3f /* ? */) {
      const close = html.indexOf('>', lt + 2);
      if (close === -1) return null;
      pos = close + 1;
      continue;
    }
    if (!isAsciiLetter(next)) {
      pos = lt + 1;
      continue;
    }
    const { tag, end: after } = readTag(html, lt + 1);
    if (wanted(tag)) return tag;
    if (tag.cut) return null;
    pos = after;
    if (RAW_TEXT.has(tag.name)) {
      const close = indexOfIgnoreCase(html, `</${tag.name}`, pos);
      if (close === -1) return null;
      pos = close;
    }
  }
  return null;
}

function readTag(html: string, from: number): { tag: HtmlStartTag; end: number } {
  const end = html.length;
  let i = from;
  while (i < end && !isTagNameEnd(html.charCodeAt(i))) i++;
  const tag: HtmlStartTag = { name: html.slice(from, i).toLowerCase(), attrs: new Map(), cut: false };
  for (;;) {
    while (i < end && (isSpace(html.charCodeAt(i)) || html.charCodeAt(i) === 0x2f) /* / */) i++;
    if (i >= end) {
      tag.cut = true;
      return { tag, end };
    }
    if (html.charCodeAt(i) === 0x3e /* > */) return { tag, end: i + 1 };
    const nameStart = i;
    while (i < end) {
      const c = html.charCodeAt(i);
      if (isSpace(c) || c === 0x3d /* = */ || c === 0x3e || c === 0x2f) break;
      i++;
    }
    const name = html.slice(nameStart, i).toLowerCase();
    while (i < end && isSpace(html.charCodeAt(i))) i++;
    let value = '';
    if (i < end && html.charCodeAt(i) === 0x3d /* = */) {
      i++;
      while (i < end && isSpace(html.charCodeAt(i))) i++;
      const q = html.charCodeAt(i);
      if (q === 0x22 || q === 0x27) {
        const close = html.indexOf(q === 0x22 ? '"' : "'", i + 1);
        if (close === -1) {
          value = html.slice(i + 1);
          i = end;
          tag.cut = true;
        } else {
          value = html.slice(i + 1, close);
          i = close + 1;
        }
      } else {
        const valueStart = i;
        while (i < end && !isSpace(html.charCodeAt(i)) && html.charCodeAt(i) !== 0x3e) i++;
        value = html.slice(valueStart, i);
      }
    }
    if (name !== '' && !tag.attrs.has(name)) tag.attrs.set(name, value);
    if (tag.cut) return { tag, end };
  }
}

function indexOfIgnoreCase(haystack: string, needle: string, from: number): number {
  const re = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
  re.lastIndex = from;
  const m = re.exec(haystack);
  return m ? m.index : -1;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d || c === 0x0c;
}

function isTagNameEnd(c: number): boolean {
  return isSpace(c) || c === 0x3e /* > */ || c === 0x2f; /* / */
}
