import { parseArxivId } from '@paperwire/schema';

import { extractCodeUrls } from '../code-urls.js';
import { feedDatePart } from '../dates.js';
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
 * arXiv's RSS listings, in both shapes they have had:
 * - RSS 2.0 (`rss.arxiv.org/rss/cs.LG`, since 2024): `<rss><channel><item>` with `title`,
 *   `link` (`https://arxiv.org/abs/2511.01234`), a plain-text `description`
 *   (`arXiv:2511.01234v1 Announce Type: new  Abstract: …`), `dc:creator` ("A. One, B. Two"),
 *   `category`, `pubDate` and `arxiv:announce_type` (new, cross, replace, replace-cross);
 * - RSS 1.0 (`<rdf:RDF>`, before 2024): `<item rdf:about="http://arxiv.org/abs/…">` beside the
 *   channel, a title like `Title. (arXiv:2401.12345v1 [cs.LG])`, an HTML `<p>` abstract in
 *   `description` and HTML author links in `dc:creator`.
 * An item's date is its `pubDate` or `dc:date`, else the channel's (the listing's date holds
 * for all its items).
 */
export const arxivRss: FormatParser = {
  format: 'arxiv-rss',
  detect: detectArxivRss,
  parse: parseArxivRss,
};

function detectArxivRss(text: string, contentType: string | null): number {
  const root = rootElementName(text);
  if (root !== 'rss' && root !== 'RDF') return 0;
  const head = text.slice(0, 4096);
  if (/arxiv\.org/i.test(head)) return 0.95;
  if (root === 'RDF' && !/purl\.org\/rss\/1\.0/.test(head)) return 0.3;
  return contentType !== null && /rss\+xml/i.test(contentType) ? 0.6 : 0.5;
}

/** The id after `(arXiv:` in `Title. (arXiv:2401.12345v1 [cs.LG])`, read from a given offset. */
const SUFFIX_ID = /[^\s)]+/y;

/** `arXiv:2511.01234v1 Announce Type: new Abstract: …`. */
const RSS2_DESCRIPTION_HEAD = /^\s*arXiv:(\S+)\s+Announce Type:\s*\S+\s+Abstract:\s*/i;

function parseArxivRss(text: string): FormatOutput {
  const doc = parseXml(text);
  const refusal = xmlRefusal(doc);
  if (refusal !== null) throw new ParseError('malformed', 'arxiv-rss', `RSS feed ${refusal}`);
  const root = doc.root;
  if (root === null || (root.local !== 'rss' && root.local !== 'RDF')) {
    const found = root === null ? 'no element' : `<${root.name}>`;
    throw new ParseError(
      'malformed',
      'arxiv-rss',
      `not an RSS feed: expected <rss> or <rdf:RDF>, found ${found}`,
    );
  }
  const rdf = root.local === 'RDF';
  const channel = firstChild(root, 'channel');
  // RSS 1.0 puts items beside the channel, RSS 2.0 inside it.
  const items = rdf || channel === null ? childrenNamed(root, 'item') : childrenNamed(channel, 'item');
  const channelDate = channel === null ? null : itemDate(channel);

  const papers: PaperDraft[] = [];
  const warnings: string[] = [];
  let complete = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (!item.closed) {
      warnings.push(`item ${i + 1} is cut before its </item>; skipped`);
      continue;
    }
    complete++;
    const draft = draftFromItem(item, i, rdf, channelDate, warnings);
    if (draft !== null) papers.push(draft);
  }
  if (doc.truncated) {
    warnings.unshift(
      `feed ends before its </${root.name}> (cut download?); read the ${complete} complete items`,
    );
  }
  return { papers, warnings };
}

function draftFromItem(
  item: XmlElement,
  index: number,
  rdf: boolean,
  channelDate: string | null,
  warnings: string[],
): PaperDraft | null {
  const { title, idFromTitle } = splitRss1Title(collapseWhitespace(childText(item, 'title') ?? ''));
  if (title === '') {
    warnings.push(`item ${index + 1} has no title; skipped`);
    return null;
  }
  const label = `"${clip(title)}" (item ${index + 1})`;

  const description = childText(item, 'description') ?? '';
  let idFromDescription: string | null = null;
  let abstract: string;
  if (rdf) {
    abstract = htmlToText(description);
  } else {
    const head = RSS2_DESCRIPTION_HEAD.exec(description);
    idFromDescription = head?.[1] ?? null;
    abstract = collapseWhitespace(head ? description.slice(head[0].length) : description);
  }

  const authors: string[] = [];
  for (const creator of childrenNamed(item, 'creator')) {
    const names = rdf ? htmlToText(textContent(creator)) : collapseWhitespace(textContent(creator));
    for (const name of splitNames(names)) authors.push(name);
  }

  const candidates = [
    childText(item, 'link'),
    attribute(item, 'about'),
    childText(item, 'guid')?.replace(/^\s*oai:arXiv\.org:/i, '') ?? null,
    idFromTitle,
    idFromDescription,
  ];
  let arxivId: string | null = null;
  for (const candidate of candidates) {
    if (candidate === null) continue;
    arxivId = parseArxivId(candidate)?.id ?? null;
    if (arxivId !== null) break;
  }
  if (arxivId === null)
    warnings.push(`${label}: no arXiv id in its link, guid, title or description; identified by title`);

  let publishedAt = itemDate(item);
  if (publishedAt === null) {
    const written = childText(item, 'pubDate') ?? childText(item, 'date');
    if (written !== null) {
      const fallback = channelDate === null ? 'publishedAt unknown' : "took the channel's date";
      warnings.push(`${label}: "${clip(written.trim())}" is not a date; ${fallback}`);
    }
    publishedAt = channelDate;
  }

  return {
    title,
    abstract,
    authors,
    authorCount: authors.length > 0 ? authors.length : null,
    publishedAt,
    upvotes: null,
    // arXiv's HTML abstracts show links as "this https URL"; the address is in the href.
    codeUrls: extractCodeUrls(rdf ? description : abstract),
    arxivId,
  };
}

/**
 * `Title. (arXiv:2401.12345v1 [cs.LG] UPDATED)` → the title without arXiv's period and suffix,
 * and the id the suffix names (also `… [cs.CV] CROSS LISTED)`); a title without the suffix is
 * returned as it is. The suffix is the leftmost `(arXiv:<id>` after which the only `)` is the
 * title's last character — found by position rather than by a pattern run from every `(`, so a
 * title full of `(arXiv:` costs linear time.
 */
export function splitRss1Title(written: string): { title: string; idFromTitle: string | null } {
  const unchanged = { title: written, idFromTitle: null };
  const end = written.trimEnd();
  if (!end.endsWith(')')) return unchanged;
  const close = end.length - 1;
  const from = end.lastIndexOf(')', close - 1) + 1;
  for (let at = end.indexOf('(arXiv:', from); at !== -1 && at < close; at = end.indexOf('(arXiv:', at + 1)) {
    SUFFIX_ID.lastIndex = at + '(arXiv:'.length;
    const id = SUFFIX_ID.exec(end);
    if (!id) continue;
    const head = end.slice(0, at).trimEnd();
    return { title: (head.endsWith('.') ? head.slice(0, -1) : head).trimEnd(), idFromTitle: id[0] };
  }
  return unchanged;
}

/** The date of an item or channel: `pubDate` (RFC 822) or `dc:date` (ISO 8601). */
function itemDate(element: XmlElement): string | null {
  for (const local of ['pubDate', 'date']) {
    const written = childText(element, local);
    if (written === null) continue;
    const date = feedDatePart(written);
    if (date !== null) return date;
  }
  return null;
}

/** "A. One, B. Two, and C. Three" → names; arXiv separates authors with commas. */
function splitNames(list: string): string[] {
  const names: string[] = [];
  for (const part of list.split(',')) {
    const name = part.replace(/^\s*and\s+/i, '').trim();
    if (name !== '') names.push(name);
  }
  return names;
}

function childText(element: XmlElement, local: string): string | null {
  const child = firstChild(element, local);
  return child === null ? null : textContent(child);
}
