import type { Format } from '@paperwire/schema';

import { ParseError } from './errors.js';
import { arxivAtom } from './formats/arxiv-atom.js';
import { arxivRss } from './formats/arxiv-rss.js';
import { hfHtml } from './formats/hf-html.js';
import { hfJson } from './formats/hf-json.js';
import { hfText } from './formats/hf-text.js';
import { previewText } from './preview.js';
import type { FormatParser } from './types.js';

/** The formats this package reads, in the order detection prefers them on a tie. */
export const FORMAT_PARSERS: readonly FormatParser[] = [hfText, hfHtml, hfJson, arxivAtom, arxivRss];

export function parserFor(format: Format): FormatParser {
  const parser = FORMAT_PARSERS.find((p) => p.format === format);
  if (!parser) {
    throw new ParseError(
      'unknown-format',
      format,
      `no parser for format "${format}"; this parser reads ${registeredNames()}`,
    );
  }
  return parser;
}

/**
 * The format of a page: the hint when one is given, else the format whose detector is most
 * confident (ties go to registration order).
 */
export function detectFormat(text: string, contentType: string | null, hint: Format | null): Format {
  if (hint !== null) return parserFor(hint).format;
  if (text.trim() === '')
    throw new ParseError('empty', null, 'page is empty: nothing to detect a format from');
  let best: { format: Format; confidence: number } | null = null;
  for (const parser of FORMAT_PARSERS) {
    const confidence = parser.detect(text, contentType);
    if (confidence > 0 && (best === null || confidence > best.confidence))
      best = { format: parser.format, confidence };
  }
  if (best) return best.format;
  const type = contentType === null ? 'no content-type' : `content-type ${contentType}`;
  throw new ParseError(
    'unknown-format',
    null,
    `unknown page format (tried ${registeredNames()}; ${type}); page starts ${previewText(text)}`,
  );
}

function registeredNames(): string {
  return FORMAT_PARSERS.map((p) => p.format).join(', ');
}
