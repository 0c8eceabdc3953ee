import { createHash } from 'node:crypto';

import type { Paper, SearchRequest } from '@paperwire/schema';
import { z } from 'zod';

import { searchCacheKey } from '../http/search-cache.js';
import { xmlAttribute, xmlText } from './xml.js';

/*
 * Feeds of a search, newest first seen first: Atom (RFC 4287) and JSON Feed 1.1. Both are built
 * from the same `FeedMeta` and papers, so the two say the same thing about the same entries. An
 * entry's time is when paperwire first saw the paper: a feed reader shows each paper once, as
 * new when it first appeared, however often it is seen again.
 */

export const ATOM_TYPE = 'application/atom+xml';
export const JSON_FEED_TYPE = 'application/feed+json';

/** Search page parameters that the feed parameters of the same name mean the same as. */
const PAGE_PARAMETERS = ['q', 'from', 'to', 'year', 'source', 'hasCode', 'minUpvotes'] as const;

export interface FeedMeta {
  /** Stable for one query and its filters, whatever their order or the feed's length. */
  id: string;
  title: string;
  description: string;
  /** This feed, and the other format of it (absolute where the request's host is known). */
  atomUrl: string;
  jsonUrl: string;
  /** The search page showing the same papers. */
  pageUrl: string;
  /** What paper API links start with: the origin, or empty for links relative to the host. */
  origin: string;
  /** The feed's time when it has no entries. */
  now: string;
}

/**
 * What a feed says about itself, from the validated search, the raw query string it came with
 * (already validated, so only known parameters) and the origin clients reach the gateway at.
 */
export function feedMeta(
  request: SearchRequest,
  rawQuery: URLSearchParams,
  origin: string,
  now: Date,
): FeedMeta {
  const query = rawQuery.toString();
  const suffix = query ? `?${query}` : '';
  const page = new URLSearchParams();
  for (const [name, value] of rawQuery)
    if ((PAGE_PARAMETERS as readonly string[]).includes(name)) page.append(name, value);
  page.set('sort', 'firstSeenAt:desc');
  const filters = [...rawQuery]
    .filter(([name]) => name !== 'q' && name !== 'limit')
    .map(([name, value]) => `${name} ${value}`);
  const matching = request.q.trim() ? ` matching “${request.q.trim()}”` : '';
  return {
    id: `urn:paperwire:feed:${createHash('sha256')
      .update(searchCacheKey({ ...request, limit: 0 }))
      .digest('hex')
      .slice(0, 32)}`,
    title: request.q.trim() ? `paperwire: “${request.q.trim()}”` : 'paperwire: new papers',
    description: `Papers${matching}${filters.length > 0 ? ` (${filters.join(', ')})` : ''}, newest first seen first.`,
    atomUrl: `${origin}/v1/feed.atom${suffix}`,
    jsonUrl: `${origin}/v1/feed.json${suffix}`,
    pageUrl: `${origin}/?${page.toString()}`,
    origin,
    now: now.toISOString(),
  };
}

/**
 * The origin of links in a feed: the scheme and the Host the request came with (as Express sees
 * them behind a trusted proxy), or none when the Host is not a plain host name, so that a
 * crafted header never becomes part of a link.
 */
export function feedOrigin(protocol: string, host: string | undefined): string {
  if (!host || !/^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host))
    return '';
  return `${protocol === 'https' ? 'https' : 'http'}://${host.toLowerCase()}`;
}

/** The page a paper's entry links to: its arXiv page, else the first web page it was seen on, else its record. */
export function paperLink(paper: Paper, origin: string): string {
  if (paper.arxivId && /^[A-Za-z0-9./-]+$/.test(paper.arxivId))
    return `https://arxiv.org/abs/${paper.arxivId}`;
  const page = paper.sources.map((s) => s.url).find((url) => /^https?:\/\//i.test(url));
  return page ?? recordLink(paper, origin);
}

function recordLink(paper: Paper, origin: string): string {
  return `${origin}/v1/papers/${encodeURIComponent(paper.id)}`;
}

function sourceNames(paper: Paper): string[] {
  return [...new Set(paper.sources.map((s) => s.name))].sort();
}

/** The feed's time: its newest entry's, else now. */
function updated(meta: FeedMeta, papers: readonly Paper[]): string {
  return papers.reduce((latest, p) => (p.firstSeenAt > latest ? p.firstSeenAt : latest), '') || meta.now;
}

/** An Atom feed document (RFC 4287). */
export function atomFeed(meta: FeedMeta, papers: readonly Paper[]): string {
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${xmlText(meta.id)}</id>`,
    `  <title type="text">${xmlText(meta.title)}</title>`,
    `  <subtitle type="text">${xmlText(meta.description)}</subtitle>`,
    `  <updated>${xmlText(updated(meta, papers))}</updated>`,
    `  <link rel="self" type="${ATOM_TYPE}" href="${xmlAttribute(meta.atomUrl)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xmlAttribute(meta.pageUrl)}"/>`,
    `  <link rel="alternate" type="${JSON_FEED_TYPE}" href="${xmlAttribute(meta.jsonUrl)}"/>`,
    // Entries name their authors where a source did; the feed's author stands in for the rest.
    '  <author><name>paperwire</name></author>',
    '  <generator>paperwire</generator>',
  ];
  for (const paper of papers) {
    lines.push(
      '  <entry>',
      `    <id>urn:paperwire:paper:${xmlText(paper.id)}</id>`,
      `    <title type="text">${xmlText(paper.title)}</title>`,
      `    <link rel="alternate" type="text/html" href="${xmlAttribute(paperLink(paper, meta.origin))}"/>`,
      `    <link rel="related" type="application/json" href="${xmlAttribute(recordLink(paper, meta.origin))}"/>`,
      `    <published>${xmlText(paper.firstSeenAt)}</published>`,
      `    <updated>${xmlText(paper.firstSeenAt)}</updated>`,
      ...paper.authors.map((name) => `    <author><name>${xmlText(name)}</name></author>`),
      ...sourceNames(paper).map((name) => `    <category term="${xmlAttribute(name)}"/>`),
      ...(paper.abstract ? [`    <summary type="text">${xmlText(paper.abstract)}</summary>`] : []),
      '  </entry>',
    );
  }
  lines.push('</feed>', '');
  return lines.join('\n');
}

const JsonFeedAuthorSchema = z.object({ name: z.string() });

/** A JSON Feed 1.1 item as the gateway writes it; `_paperwire` is an extension (JSON Feed §5). */
export const JsonFeedItemSchema = z.object({
  id: z.string(),
  url: z.string(),
  title: z.string(),
  content_text: z.string(),
  date_published: z.string(),
  authors: z.array(JsonFeedAuthorSchema).optional(),
  tags: z.array(z.string()),
  _paperwire: z.object({
    paper: z.string().meta({ description: 'The paper in the API: GET /v1/papers/{id}.' }),
    publishedAt: z.string().nullable(),
    upvotes: z.number().int().nullable(),
    arxivId: z.string().nullable(),
    codeUrls: z.array(z.string()),
    authorCount: z.number().int().nullable(),
  }),
});

export const JsonFeedSchema = z
  .object({
    version: z.literal('https://jsonfeed.org/version/1.1'),
    title: z.string(),
    description: z.string(),
    home_page_url: z.string(),
    feed_url: z.string(),
    authors: z.array(JsonFeedAuthorSchema),
    items: z.array(JsonFeedItemSchema),
  })
  .meta({ description: 'A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1).' });
export type JsonFeed = z.infer<typeof JsonFeedSchema>;

/** A JSON Feed 1.1 document. */
export function jsonFeed(meta: FeedMeta, papers: readonly Paper[]): JsonFeed {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: meta.title,
    description: meta.description,
    home_page_url: meta.pageUrl,
    feed_url: meta.jsonUrl,
    authors: [{ name: 'paperwire' }],
    items: papers.map((paper) => ({
      id: paper.id,
      url: paperLink(paper, meta.origin),
      title: paper.title,
      content_text: paper.abstract,
      date_published: paper.firstSeenAt,
      ...(paper.authors.length > 0 ? { authors: paper.authors.map((name) => ({ name })) } : {}),
      tags: sourceNames(paper),
      _paperwire: {
        paper: recordLink(paper, meta.origin),
        publishedAt: paper.publishedAt,
        upvotes: paper.upvotes,
        arxivId: paper.arxivId,
        codeUrls: paper.codeUrls,
        authorCount: paper.authorCount,
      },
    })),
  };
}
