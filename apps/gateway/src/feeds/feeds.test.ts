import { canonicalPaper, type Paper } from '@paperwire/schema';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseAtomFeed, parseJsonFeed } from 'feedsmith';
import { describe, expect, it } from 'vitest';

import { atomFeed, feedMeta, feedOrigin, jsonFeed, JsonFeedSchema, paperLink } from './feeds.js';
import { xmlAttribute, xmlText } from './xml.js';

const HOSTILE =
  'A <b>bold</b> & "quoted" \'title\' ]]> with\ta\nbreak\r, \u0000\u0008\u000B\u001F\uFFFE\uD800 and 😀';
/** What of HOSTILE survives XML 1.0: everything but the characters it cannot hold at all. */
const HOSTILE_IN_XML = 'A <b>bold</b> & "quoted" \'title\' ]]> with\ta\nbreak\r,  and 😀';

function paper(overrides: Partial<Paper> = {}): Paper {
  return canonicalPaper({
    id: 'title-0123456789abcdef01234567',
    title: 'Prototype Learning',
    abstract: 'About prototypes.',
    authors: [],
    authorCount: 3,
    publishedAt: '2025-10-30',
    upvotes: 4,
    codeUrls: [],
    arxivId: null,
    sources: [
      {
        name: 'hf',
        url: 'https://huggingface.co/papers?date=2025-11-03',
        format: 'hf-text',
        capturedAt: '2025-11-03T00:00:00.000Z',
        upvotes: 4,
      },
    ],
    firstSeenAt: '2025-11-03T00:00:00.000Z',
    lastSeenAt: '2025-11-03T00:00:00.000Z',
    ...overrides,
  });
}

const META = feedMeta(
  { q: 'prototype', limit: 50, offset: 0, sort: 'firstSeenAt:desc', filters: { sources: ['hf'] } },
  new URLSearchParams('q=prototype&source=hf'),
  'https://papers.example',
  new Date('2025-11-05T00:00:00.000Z'),
);

describe('xml escaping', () => {
  it('gives text and attributes that parse back to the same string, less what XML cannot hold', () => {
    const document = `<r a="${xmlAttribute(HOSTILE)}">${xmlText(HOSTILE)}</r>`;
    expect(XMLValidator.validate(document)).toBe(true);
    const parsed = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      textNodeName: 'text',
      trimValues: false,
      processEntities: true,
      htmlEntities: true,
      parseTagValue: false,
      parseAttributeValue: false,
    }).parse(document) as { r: { a: string; text: string } };
    expect(parsed.r.text).toBe(HOSTILE_IN_XML);
    expect(parsed.r.a).toBe(HOSTILE_IN_XML);
  });
});

describe('feedOrigin', () => {
  it('takes a plain host and port, and no host that could smuggle markup or a path', () => {
    expect(feedOrigin('https', 'Papers.Example:8443')).toBe('https://papers.example:8443');
    expect(feedOrigin('http', '127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
    expect(feedOrigin('http', '[::1]:3000')).toBe('http://[::1]:3000');
    for (const host of ['evil.example/"><x', 'a b', 'evil.example@x', '', undefined])
      expect(feedOrigin('http', host)).toBe('');
  });
});

describe('feeds', () => {
  const hostile = paper({ title: HOSTILE, abstract: HOSTILE, authors: ['Ada <Lovelace>', 'B & C'] });
  const arxiv = paper({
    id: 'arxiv-2511_00001',
    arxivId: '2511.00001',
    title: 'Second',
    abstract: '',
    firstSeenAt: '2025-11-02T00:00:00.000Z',
  });

  it('links an entry to its arXiv page, else the page it was seen on, else its record', () => {
    expect(paperLink(arxiv, 'https://p.example')).toBe('https://arxiv.org/abs/2511.00001');
    expect(paperLink(hostile, 'https://p.example')).toBe('https://huggingface.co/papers?date=2025-11-03');
    const fileOnly = paper({
      sources: [{ ...hostile.sources[0]!, url: 'file:///digests/a.txt' }],
    });
    expect(paperLink(fileOnly, '')).toBe('/v1/papers/title-0123456789abcdef01234567');
  });

  it('writes well-formed Atom that a feed parser reads back exactly', () => {
    const xml = atomFeed(META, [hostile, arxiv]);
    expect(XMLValidator.validate(xml)).toBe(true);
    const feed = parseAtomFeed(xml);
    expect(feed.id).toBe(META.id);
    expect(feed.title?.value).toBe('paperwire: “prototype”');
    expect(feed.updated).toBe('2025-11-03T00:00:00.000Z');
    expect(feed.links).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rel: 'self',
          href: 'https://papers.example/v1/feed.atom?q=prototype&source=hf',
        }),
        expect.objectContaining({
          rel: 'alternate',
          type: 'text/html',
          href: 'https://papers.example/?q=prototype&source=hf&sort=firstSeenAt%3Adesc',
        }),
      ]),
    );
    const [first, second] = feed.entries ?? [];
    expect(first?.title?.value).toBe(HOSTILE_IN_XML);
    expect(first?.summary?.value).toBe(HOSTILE_IN_XML);
    expect(first?.authors?.map((a) => a.name)).toEqual(['Ada <Lovelace>', 'B & C']);
    expect(first?.categories?.map((c) => c.term)).toEqual(['hf']);
    expect(first?.id).toBe('urn:paperwire:paper:title-0123456789abcdef01234567');
    expect(second?.links?.find((l) => l.rel === 'alternate')?.href).toBe('https://arxiv.org/abs/2511.00001');
    expect(second?.links?.find((l) => l.rel === 'related')?.href).toBe(
      'https://papers.example/v1/papers/arxiv-2511_00001',
    );
    // No abstract: no summary, and the entry is valid with its alternate link alone.
    expect(second?.summary).toBeUndefined();
  });

  it('writes an empty feed that is valid too, with the time it was asked for', () => {
    const xml = atomFeed(META, []);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(parseAtomFeed(xml)).toMatchObject({ updated: '2025-11-05T00:00:00.000Z' });
    expect(jsonFeed(META, []).items).toEqual([]);
  });

  it('writes JSON Feed 1.1 with the same entries', () => {
    const feed = JsonFeedSchema.parse(JSON.parse(JSON.stringify(jsonFeed(META, [hostile, arxiv]))));
    expect(feed).toMatchObject({
      version: 'https://jsonfeed.org/version/1.1',
      feed_url: 'https://papers.example/v1/feed.json?q=prototype&source=hf',
    });
    expect(feed.items.map((i) => [i.id, i.title, i.date_published])).toEqual([
      [hostile.id, HOSTILE, hostile.firstSeenAt],
      [arxiv.id, 'Second', arxiv.firstSeenAt],
    ]);
    expect(feed.items[0]?.authors).toEqual([{ name: 'Ada <Lovelace>' }, { name: 'B & C' }]);
    expect(feed.items[1]?.authors).toBeUndefined();
    const parsed = parseJsonFeed(JSON.parse(JSON.stringify(jsonFeed(META, [hostile, arxiv]))));
    expect(parsed.items?.map((i) => i.id)).toEqual([hostile.id, arxiv.id]);
  });

  it('names one feed by its query and filters, whatever their order and the feed length', () => {
    const same = feedMeta(
      { q: 'prototype', limit: 10, offset: 0, sort: 'firstSeenAt:desc', filters: { sources: ['hf'] } },
      new URLSearchParams('source=hf&q=prototype&limit=10'),
      '',
      new Date(),
    );
    expect(same.id).toBe(META.id);
    expect(same.atomUrl).toBe('/v1/feed.atom?source=hf&q=prototype&limit=10');
    const other = feedMeta(
      { q: 'prototypes', limit: 50, offset: 0, sort: 'firstSeenAt:desc' },
      new URLSearchParams('q=prototypes'),
      '',
      new Date(),
    );
    expect(other.id).not.toBe(META.id);
    expect(other.description).toBe('Papers matching “prototypes”, newest first seen first.');
  });
});
