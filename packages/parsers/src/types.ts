import type { Format, Paper } from '@paperwire/schema';

/** What the parser knows about a page besides its body. */
export interface ParseContext {
  url: string;
  sourceName: string;
  /** ISO datetime in UTC (`…Z`); dates printed without a year are resolved against it. */
  capturedAt: string;
  contentType: string | null;
  formatHint: Format | null;
}

export interface ParseResult {
  format: Format;
  papers: Paper[];
  /** Things that were skipped or guessed; the papers returned are still valid. */
  warnings: string[];
}

/**
 * What a page says about one paper. Identity, sources and sighting times are the same rule
 * for every format, so `parsePage` adds them rather than each format.
 */
export interface PaperDraft {
  title: string;
  abstract: string;
  authors: string[];
  authorCount: number | null;
  /** `YYYY-MM-DD`. */
  publishedAt: string | null;
  upvotes: number | null;
  codeUrls: string[];
  /** Without version (`2401.12345`); the paper's id derives from it when present. */
  arxivId: string | null;
}

export interface FormatOutput {
  papers: PaperDraft[];
  warnings: string[];
}

/** One digest format: how to recognize a page of it and how to read its papers. */
export interface FormatParser {
  readonly format: Format;
  /** Confidence in [0, 1] that `text` is this format; 0 means it is not. */
  detect(text: string, contentType: string | null): number;
  /** Throws `ParseError('malformed')` when the page is this format but unreadable. */
  parse(text: string, ctx: ParseContext): FormatOutput;
}
