import { extractCodeUrls } from '../code-urls.js';
import { isoDate, monthNumber, resolveYearlessDate } from '../dates.js';
import { collapseWhitespace } from '../text.js';
import type { FormatOutput, FormatParser, PaperDraft, ParseContext } from '../types.js';

/**
 * A plain-text copy of a Hugging Face papers listing. After a page header, each paper is
 *
 *     <title>
 *
 *     <abstract>
 *
 *       • 4 authors
 *     ·
 *     Jul 17 3
 *
 * where the date may carry a year ("Dec 8, 2023") and the trailing number is the upvote count.
 * Entries are found by their `• N authors` / `·` / date trailer rather than by counting lines,
 * so a hard-wrapped title or a multi-paragraph abstract still parses: the first paragraph
 * after the previous entry is the title, the remaining ones the abstract.
 */
export const hfText: FormatParser = {
  format: 'hf-text',
  detect: detectHfText,
  parse: parseHfText,
};

/** `  • 4 authors`, also `1 author`, optionally with the date on the same line after a `·`. */
// The whitespace before `·` sits inside the optional group, so no two `\s*` meet: a long run of
// spaces then fails in linear time instead of being split every possible way.
export const AUTHORS_LINE = /^\s*(?:[•*-]\s*)?(\d+)\s+authors?(?:\s*·\s*(.*\S)?)?\s*$/i;
const AUTHORS_LINE_START = /^\s*(?:[•*-]\s*)?\d/;
const MIDDOT_LINE = /^\s*·\s*$/;
/** `Jul 17`, `Dec 8, 2023`, each optionally followed by an upvote count: `Oct 6, 2024 2`. */
const DATE_LINE = /^\s*([A-Za-z]{3,9}\.?)\s+(\d{1,2})(?:,\s*(\d{4}))?(?:\s+(\d+))?\s*$/;

/** Lines of the listing page's chrome, compared after collapsing whitespace and lower-casing. */
const PAGE_CHROME = new Set([
  'new',
  'get trending papers in your email inbox!',
  'subscribe',
  'daily papers',
  'weekly papers',
  'monthly papers',
  'trending papers',
  'byak and the research community',
  'daily',
  'weekly',
  'monthly',
  'previous',
  'next',
]);

interface DateLine {
  month: number;
  day: number;
  year: number | null;
  upvotes: number | null;
}

interface Trailer {
  authorCount: number;
  date: DateLine | null;
  /** The date text when it was there but is not a date. */
  badDate: string | null;
  /** Index of the first line after the trailer. */
  end: number;
}

/** How much of a page detection reads first: a listing shows its first entry long before this. */
const DETECT_HEAD_CHARS = 64 * 1024;

function detectHfText(text: string, contentType: string | null): number {
  if (/^\s*[<{[]/.test(text)) return 0;
  // Complete lines of the head are lines of the page, so an entry found there is one of the
  // page's; only when the head has none is the whole page read.
  if (text.length > DETECT_HEAD_CHARS) {
    const cut = text.lastIndexOf('\n', DETECT_HEAD_CHARS);
    if (cut > 0 && firstDatedEntry(splitLines(text.slice(0, cut + 1))) === 'dated')
      return isPlainText(contentType) ? 0.95 : 0.85;
  }
  const lines = splitLines(text);
  const found = firstDatedEntry(lines);
  if (found === 'dated') return isPlainText(contentType) ? 0.95 : 0.85;
  if (found === 'undated') return 0.6;
  // A listing without entries still has its header; parsing it then says "empty".
  if (lines.some((line) => collapseWhitespace(line).toLowerCase() === 'daily papers')) return 0.3;
  return 0;
}

/** Whether the lines hold an authors trailer with a date, only undated ones, or none. */
function firstDatedEntry(lines: string[]): 'dated' | 'undated' | 'none' {
  let sawAuthors = false;
  for (let i = 0; i < lines.length; i++) {
    const trailer = readTrailer(lines, i);
    if (!trailer) continue;
    sawAuthors = true;
    if (trailer.date) return 'dated';
  }
  return sawAuthors ? 'undated' : 'none';
}

function parseHfText(text: string, ctx: ParseContext): FormatOutput {
  const { lines, starts } = splitLinesWithOffsets(text);
  // The text of lines [first, last], line breaks and blank lines included: collapsing it gives
  // the same as joining the lines with spaces first, without building the joined copy.
  const span = (first: number, last: number) =>
    text.slice(starts[first], starts[last]! + lines[last]!.length);
  const papers: PaperDraft[] = [];
  const warnings: string[] = [];
  let cursor = 0;
  let seenEntry = false;

  for (let i = 0; i < lines.length; i++) {
    const trailer = readTrailer(lines, i);
    if (!trailer) continue;
    const isFirst = !seenEntry;
    seenEntry = true;
    const start = isFirst ? skipPageHeader(lines, 0, i) : cursor;
    const blocks = paragraphs(lines, start, i);
    const where = `line ${i + 1}`;
    cursor = trailer.end;
    i = trailer.end - 1;

    const [titleBlock, ...abstractBlocks] = blocks;
    if (!titleBlock) {
      warnings.push(`entry ending at ${where} has no title; skipped`);
      continue;
    }
    const title = collapseWhitespace(span(titleBlock.first, titleBlock.last));
    const lastBlock = abstractBlocks[abstractBlocks.length - 1];
    const abstract = lastBlock ? collapseWhitespace(span(abstractBlocks[0]!.first, lastBlock.last)) : '';
    if (isFirst && abstractBlocks.length > 1) {
      warnings.push(
        `first entry has ${blocks.length} paragraphs before its authors line; took "${title}" (line ${titleBlock.first + 1}) as its title, check the page header`,
      );
    }

    let publishedAt: string | null = null;
    let upvotes: number | null = null;
    if (trailer.date) {
      const { month, day, year } = trailer.date;
      publishedAt =
        year === null ? resolveYearlessDate(month, day, ctx.capturedAt) : isoDate(year, month, day);
      upvotes = trailer.date.upvotes;
      if (publishedAt === null) warnings.push(`"${title}" (${where}): no such date; publishedAt unknown`);
    } else if (trailer.badDate !== null) {
      warnings.push(`"${title}" (${where}): "${trailer.badDate}" is not a date; publishedAt unknown`);
    } else {
      warnings.push(`"${title}" (${where}): no date line after the authors line; publishedAt unknown`);
    }

    papers.push({
      title,
      abstract,
      authors: [],
      authorCount: trailer.authorCount,
      publishedAt,
      upvotes,
      codeUrls: extractCodeUrls(abstract),
      arxivId: null,
    });
  }

  const leftover = paragraphs(
    lines,
    seenEntry ? cursor : skipPageHeader(lines, 0, lines.length),
    lines.length,
  );
  if (leftover[0]) {
    const after = seenEntry ? 'after the last complete entry' : 'with no complete entry before it';
    warnings.push(
      `text ${after}, from line ${leftover[0].first + 1} ("${clip(collapseWhitespace(span(leftover[0].first, leftover[0].last)))}"), has no "• N authors" line; ignored as a cut entry`,
    );
  }
  return { papers, warnings };
}

/** Reads the `• N authors` / `·` / date trailer starting at `lines[i]`; null when none starts there. */
function readTrailer(lines: string[], i: number): Trailer | null {
  const line = lines[i]!;
  // Most lines are titles and abstracts; an anchored look at their start rules them out
  // without running the full pattern over the whole line. Every match starts like this.
  if (!AUTHORS_LINE_START.test(line)) return null;
  const authors = AUTHORS_LINE.exec(line);
  if (!authors) return null;
  const authorCount = Number(authors[1]);
  const inline = authors[2];
  if (inline) {
    const date = readDateLine(inline);
    return { authorCount, date, badDate: date ? null : inline, end: i + 1 };
  }
  let end = i + 1;
  let j = nextNonBlank(lines, end);
  if (j < lines.length && MIDDOT_LINE.test(lines[j]!)) {
    end = j + 1;
    j = nextNonBlank(lines, end);
  }
  const date = j < lines.length ? readDateLine(lines[j]!) : null;
  return { authorCount, date, badDate: null, end: date ? j + 1 : end };
}

function readDateLine(line: string): DateLine | null {
  const m = DATE_LINE.exec(line);
  if (!m?.[1] || !m[2]) return null;
  const month = monthNumber(m[1]);
  if (month === null) return null;
  return {
    month,
    day: Number(m[2]),
    year: m[3] ? Number(m[3]) : null,
    upvotes: m[4] ? Number(m[4]) : null,
  };
}

/** First line at or after `from` (and before `to`) that is not page chrome, a date or blank. */
function skipPageHeader(lines: string[], from: number, to: number): number {
  let i = from;
  while (i < to) {
    const line = collapseWhitespace(lines[i]!);
    if (line !== '' && !PAGE_CHROME.has(line.toLowerCase()) && !readDateLine(line)) break;
    i++;
  }
  return i;
}

/** A run of non-blank lines: indexes of its first and last line. */
interface Block {
  first: number;
  last: number;
}

/** Runs of non-blank lines in `lines[from, to)`. */
function paragraphs(lines: string[], from: number, to: number): Block[] {
  const blocks: Block[] = [];
  let current: Block | null = null;
  for (let i = from; i < to; i++) {
    if (isBlank(lines[i]!)) {
      current = null;
      continue;
    }
    if (current) current.last = i;
    else {
      current = { first: i, last: i };
      blocks.push(current);
    }
  }
  return blocks;
}

function nextNonBlank(lines: string[], from: number): number {
  let i = from;
  while (i < lines.length && isBlank(lines[i]!)) i++;
  return i;
}

/** Same as `line.trim() === ''`, without building the trimmed copy of a long line. */
function isBlank(line: string): boolean {
  return BLANK.test(line);
}

const BLANK = /^\s*$/;

function splitLines(text: string): string[] {
  // Splitting on a string is native and several times faster than on a pattern.
  return text.indexOf('\r') === -1 ? text.split('\n') : text.split(/\r\n?|\n/);
}

/** `splitLines`, with the offset in `text` at which each line starts. */
function splitLinesWithOffsets(text: string): { lines: string[]; starts: number[] } {
  const lines = splitLines(text);
  const starts: number[] = new Array<number>(lines.length);
  if (text.indexOf('\r') === -1) {
    let at = 0;
    for (let i = 0; i < lines.length; i++) {
      starts[i] = at;
      at += lines[i]!.length + 1;
    }
    return { lines, starts };
  }
  const breaks = /\r\n?|\n/g;
  starts[0] = 0;
  for (let i = 1; i < lines.length; i++) {
    breaks.exec(text);
    starts[i] = breaks.lastIndex;
  }
  return { lines, starts };
}

function clip(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function isPlainText(contentType: string | null): boolean {
  return contentType === null || /^text\/plain\b/i.test(contentType);
}
