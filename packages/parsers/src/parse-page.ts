import {
  IsoDateTimeSchema,
  PaperSchema,
  canonicalPaper,
  mergePapers,
  paperIdFromArxiv,
  paperIdFromTitle,
  type Format,
  type Paper,
} from '@paperwire/schema';

import { decodePageBody } from './decode.js';
import { ParseError } from './errors.js';
import { detectFormat, parserFor } from './registry.js';
import type { PaperDraft, ParseContext, ParseResult } from './types.js';
import { isValidPaper } from './validate.js';

/**
 * Bump when `parsePage` gives different output for the same body and context, so stored
 * pages can be found and parsed again.
 */
export const PARSER_VERSION = 3;

/**
 * Decodes, detects and parses one captured page into validated, canonical papers in page
 * order. A paper that appears twice on the page is merged into one. Throws `ParseError`
 * for a page that yields no papers.
 */
export function parsePage(body: Uint8Array | string, ctx: ParseContext): ParseResult {
  if (!IsoDateTimeSchema.safeParse(ctx.capturedAt).success) {
    throw new RangeError(`capturedAt must be an ISO datetime in UTC, got ${JSON.stringify(ctx.capturedAt)}`);
  }
  const { text, droppedBytes } =
    typeof body === 'string' ? { text: body.replace(/^\uFEFF/, ''), droppedBytes: 0 } : decodePageBody(body);
  const format = detectFormat(text, ctx.contentType, ctx.formatHint);
  const output = parserFor(format).parse(text, ctx);
  const warnings = [...output.warnings];
  if (droppedBytes > 0) {
    warnings.unshift(
      `body ends inside a UTF-8 character (cut download?); dropped its last ${droppedBytes} byte${droppedBytes === 1 ? '' : 's'}`,
    );
  }

  const byId = new Map<string, Paper>();
  const copies = new Map<string, number>();
  let invalid = 0;
  for (const draft of output.papers) {
    const paper = toPaper(draft, format, ctx);
    // The schema itself runs only for a paper that fails, to say why; `isValidPaper` gives
    // its verdict (tested to be the same) at a fraction of the cost.
    if (!isValidPaper(paper)) {
      invalid++;
      const checked = PaperSchema.safeParse(paper);
      const issues = checked.success
        ? 'rejected by isValidPaper only'
        : checked.error.issues.map((i) => `${i.path.join('.') || '(paper)'}: ${i.message}`).join('; ');
      warnings.push(`"${draft.title}" skipped: not a valid paper (${issues})`);
      continue;
    }
    const seen = byId.get(paper.id);
    byId.set(paper.id, seen ? mergePapers(seen, paper) : paper);
    copies.set(paper.id, (copies.get(paper.id) ?? 0) + 1);
  }
  for (const [id, count] of copies) {
    if (count > 1)
      warnings.push(`"${byId.get(id)!.title}" appears ${count} times on the page; merged into one paper`);
  }

  if (byId.size === 0) {
    const why = warnings.length > 0 ? `: ${warnings.join(' | ')}` : '';
    if (invalid > 0) throw new ParseError('malformed', format, `no valid papers in ${format} page${why}`);
    throw new ParseError('empty', format, `no papers in ${format} page${why}`);
  }
  return { format, papers: [...byId.values()].map(canonicalPaper), warnings };
}

function toPaper(draft: PaperDraft, format: Format, ctx: ParseContext): Paper {
  return {
    id: draft.arxivId ? paperIdFromArxiv(draft.arxivId) : paperIdFromTitle(draft.title),
    title: draft.title,
    abstract: draft.abstract,
    authors: draft.authors,
    authorCount: draft.authorCount,
    publishedAt: draft.publishedAt,
    upvotes: draft.upvotes,
    codeUrls: draft.codeUrls,
    arxivId: draft.arxivId,
    sources: [
      { name: ctx.sourceName, url: ctx.url, format, capturedAt: ctx.capturedAt, upvotes: draft.upvotes },
    ],
    firstSeenAt: ctx.capturedAt,
    lastSeenAt: ctx.capturedAt,
  };
}
