import { parseArxivId } from '@paperwire/schema';

import { extractCodeUrls } from '../code-urls.js';
import { isoDatePart } from '../dates.js';
import { ParseError } from '../errors.js';
import { clip, collapseWhitespace, htmlToText } from '../text.js';
import type { FormatOutput, FormatParser, PaperDraft } from '../types.js';
import {
  attribute,
  childrenNamed,
  firstChild,
  parseXml,
  rootElementName,
  textContent,
  xmlRefusal,
  type XmlElement,
} from '../xml.js';

/**
 * arXiv API responses: an Atom 1.0 `<feed>` whose entries carry `id`
 * (`http://arxiv.org/abs/2401.12345v2`), `title`, `summary`, `author/name`, `published`,
 * `updated`, `link`s and arXiv extension elements (`arxiv:comment`, `arxiv:journal_ref`,
 * `arxiv:primary_category`). The API reports a bad query as a feed with one entry titled
 * "Error" whose id is under `http://arxiv.org/api/errors`; that is a failed page, not a paper.
 */
export const arxivAtom: FormatParser = {
  format: 'arxiv-atom',
  detect: detectArxivAtom,
  parse: parseArxivAtom,
};

function detectArxivAtom(text: string, contentType: string | null): number {
  if (rootElementName(text) !== 'feed') return 0;
  const head = text.slice(0, 4096);
  if (/arxiv\.org/i.test(head)) return 0.95;
  if (/http:\/\/www\.w3\.org\/2005\/Atom/.test(head)) return 0.7;
  return contentType !== null && /atom\+xml/i.test(contentType) ? 0.6 : 0.5;
}

const ERROR_ID = /^\s*https?:\/\/(?:export\.)?arxiv\.org\/api\/errors/i;

function parseArxivAtom(text: string): FormatOutput {
  const doc = parseXml(text);
  const refusal = xmlRefusal(doc);
  if (refusal !== null) throw new ParseError('malformed', 'arxiv-atom', `Atom feed ${refusal}`);
  const feed = doc.root;
  if (feed === null || feed.local !== 'feed') {
    const found = feed === null ? 'no element' : `<${feed.name}>`;
    throw new ParseError('malformed', 'arxiv-atom', `not an Atom feed: expected <feed>, found ${found}`);
  }
  const entries = childrenNamed(feed, 'entry');
  for (const entry of entries) {
    const id = childText(entry, 'id');
    if (id !== null && ERROR_ID.test(id)) {
      const message = collapseWhitespace(childText(entry, 'summary') ?? '') || collapseWhitespace(id);
      throw new ParseError('malformed', 'arxiv-atom', `arXiv API error: ${message}`);
    }
  }

  const papers: PaperDraft[] = [];
  const warnings: string[] = [];
  let complete = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (!entry.closed) {
      warnings.push(`entry ${i + 1} is cut before its </entry>; skipped`);
      continue;
    }
    complete++;
    const draft = draftFromEntry(entry, i, warnings);
    if (draft !== null) papers.push(draft);
  }
  if (doc.truncated) {
    warnings.unshift(`feed ends before its </feed> (cut download?); read the ${complete} complete entries`);
  }
  return { papers, warnings };
}

function draftFromEntry(entry: XmlElement, index: number, warnings: string[]): PaperDraft | null {
  const titleElement = firstChild(entry, 'title');
  const title = titleElement === null ? '' : atomText(titleElement);
  if (title === '') {
    warnings.push(`entry ${index + 1} has no title; skipped`);
    return null;
  }
  const label = `"${clip(title)}" (entry ${index + 1})`;
  const summary = firstChild(entry, 'summary');
  const abstract = summary === null ? '' : atomText(summary);

  const authors: string[] = [];
  for (const author of childrenNamed(entry, 'author')) {
    const name = collapseWhitespace(childText(author, 'name') ?? '');
    if (name !== '') authors.push(name);
  }

  const rawId = childText(entry, 'id');
  let arxivId = rawId === null ? null : (parseArxivId(rawId)?.id ?? null);
  if (arxivId === null) {
    for (const link of childrenNamed(entry, 'link')) {
      const href = attribute(link, 'href');
      const rel = attribute(link, 'rel') ?? 'alternate';
      if (href !== null && rel === 'alternate') arxivId = parseArxivId(href)?.id ?? null;
      if (arxivId !== null) break;
    }
    warnings.push(
      arxivId === null
        ? `${label}: id ${JSON.stringify(clip(rawId ?? ''))} is not an arXiv id; identified by title`
        : `${label}: id ${JSON.stringify(clip(rawId ?? ''))} is not an arXiv id; took the id of its abs link`,
    );
  }

  const published = childText(entry, 'published');
  const publishedAt = published === null ? null : isoDatePart(published);
  if (published !== null && publishedAt === null)
    warnings.push(`${label}: published "${clip(published.trim())}" is not a date; publishedAt unknown`);

  const comment = childText(entry, 'comment');
  const codeUrls = extractCodeUrls(
    comment === null ? abstract : `${abstract} ${collapseWhitespace(comment)}`,
  );

  return {
    title,
    abstract,
    authors,
    authorCount: authors.length > 0 ? authors.length : null,
    publishedAt,
    upvotes: null,
    codeUrls,
    arxivId,
  };
}

/**
 * Atom text constructs: plain text by default, escaped HTML for `type="html"`. The XML layer
 * already decoded character references; plain text is not decoded a second time, so an
 * abstract that writes `&amp;` keeps it.
 */
function atomText(element: XmlElement): string {
  const text = textContent(element);
  return attribute(element, 'type') === 'html' ? htmlToText(text) : collapseWhitespace(text);
}

function childText(element: XmlElement, local: string): string | null {
  const child = firstChild(element, local);
  return child === null ? null : textContent(child);
}
