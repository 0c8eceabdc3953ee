import { describe, expect, it } from 'vitest';

import { ParseError } from './errors.js';
import { MAX_JSON_DEPTH } from './json-prefix.js';
import { parsePage } from './parse-page.js';
import type { ParseContext } from './types.js';
import { DEFAULT_XML_LIMITS } from './xml.js';

/** Pages written to attack a parser: each is refused with a reason, fast, or read as far as it is sound. */

const ctx: ParseContext = {
  url: 'http://127.0.0.1/hostile',
  sourceName: 'hostile',
  capturedAt: '2025-11-03T00:00:00.000Z',
  contentType: null,
  formatHint: null,
};

const atomEntry = (n: number, title: string) =>
  `<entry><id>http://arxiv.org/abs/2401.${String(n).padStart(5, '0')}v1</id><title>${title}</title>` +
  `<summary>We study a thing and report what we found.</summary>` +
  `<published>2024-01-01T00:00:00Z</published><author><name>Ada Lovelace</name></author></entry>`;

const atomFeed = (doctype: string, entries: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${doctype}\n` +
  `<feed xmlns="http://www.w3.org/2005/Atom"><title>arXiv Query: hostile</title>${entries}</feed>`;

const rssFeed = (doctype: string, title: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${doctype}\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">` +
  `<channel><title>cs.LG updates on arXiv.org</title><link>http://rss.arxiv.org/rss/cs.LG</link><item>` +
  `<title>${title}</title><link>https://arxiv.org/abs/2401.00001</link>` +
  `<description>arXiv:2401.00001v1 Announce Type: new \nAbstract: We study a thing.</description>` +
  `<guid>oai:arXiv.org:2401.00001v1</guid><pubDate>Mon, 01 Jan 2024 00:00:00 -0500</pubDate>` +
  `<dc:creator>Ada Lovelace</dc:creator></item></channel></rss>`;

/** Ten entities of ten references each: 10^9 "lol"s, 3 GB, to a parser that expands them. */
function billionLaughs(root: string): string {
  let decls = '<!ENTITY lol0 "lol">';
  for (let i = 1; i <= 9; i++) decls += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
  return `<!DOCTYPE ${root} [\n${decls}\n]>`;
}

function parseError(body: string | Uint8Array, context: ParseContext = ctx): ParseError {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  try {
    parsePage(bytes, context);
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error('the page was parsed; a refusal was expected');
}

/** Runs `work` and gives how long it took, in ms. */
function timed(work: () => void): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

const hfEntry = (n: number) => ({
  paper: {
    id: `2401.${String(n).padStart(5, '0')}`,
    title: `Hostile Pages and the Parsers That Survive Them, Part ${n}`,
    summary: 'We study pages written to break parsers, and report what held.',
    authors: [{ name: 'Ada Lovelace' }, { name: 'Alan Turing' }],
    publishedAt: '2024-01-01T00:00:00.000Z',
    upvotes: n % 7,
  },
});

describe('hostile pages', () => {
  it('refuses an Atom feed with an external entity (XXE), naming it, and reads no file', () => {
    const page = atomFeed(
      '<!DOCTYPE feed [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>',
      atomEntry(1, 'Leaked &xxe;'),
    );
    const error = parseError(page);
    expect(error.code).toBe('malformed');
    expect(error.format).toBe('arxiv-atom');
    expect(error.message).toMatch(/^Atom feed refused: its DOCTYPE declares entities \(xxe \(external\)\)/);
    expect(error.message).not.toContain('root:');
  });

  it('refuses an RSS feed with an external entity (XXE)', () => {
    const page = rssFeed(
      '<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "http://169.254.169.254/latest/meta-data/"> ]>',
      'A &xxe;',
    );
    const error = parseError(page);
    expect(error.format).toBe('arxiv-rss');
    expect(error.message).toMatch(/^RSS feed refused: its DOCTYPE declares entities \(xxe \(external\)\)/);
  });

  it.each([
    ['Atom', () => atomFeed(billionLaughs('feed'), atomEntry(1, 'Laughing &lol9;'))],
    ['RSS', () => rssFeed(billionLaughs('rss'), 'Laughing &lol9;')],
  ])('refuses billion laughs in %s at once, without expanding it', (kind, page) => {
    let error: ParseError | undefined;
    const ms = timed(() => (error = parseError(page())));
    expect(error!.message).toBe(
      `${kind} feed refused: its DOCTYPE declares entities (lol0, lol1, lol2, lol3, lol4, … 10 in all); ` +
        'DTD entities are never expanded, since they are how XML external entity and entity expansion (billion laughs) attacks are written',
    );
    expect(ms).toBeLessThan(500);
  });

  it('still reads a feed whose DOCTYPE declares no entity', () => {
    const { papers } = parsePage(
      Buffer.from(atomFeed('<!DOCTYPE feed>', atomEntry(1, 'Plain Doctypes Are Fine'))),
      ctx,
    );
    expect(papers.map((p) => p.title)).toEqual(['Plain Doctypes Are Fine']);
  });

  it('refuses a feed of more elements than it reads, instead of building them all', () => {
    const page = atomFeed(
      '',
      atomEntry(1, 'Before the Flood') + '<x/>'.repeat(DEFAULT_XML_LIMITS.maxElements + 1),
    );
    const error = parseError(page);
    expect(error.message).toMatch(
      new RegExp(
        `^Atom feed refused: more than ${DEFAULT_XML_LIMITS.maxElements} elements \\(the limit was passed at offset \\d+\\)$`,
      ),
    );
  });

  it('refuses invalid UTF-8, saying where it is, not parsing replacement characters', () => {
    const head = Buffer.from(atomFeed('', atomEntry(1, 'Bytes That Are Not UTF-')).slice(0, 200));
    const page = Buffer.concat([
      head,
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('</title></entry></feed>'),
    ]);
    const error = parseError(page);
    expect(error.code).toBe('unknown-format');
    expect(error.message).toMatch(
      /^body is not valid UTF-8 \(first invalid byte at offset 200\); first bytes: \[3c 3f 78 6d/,
    );
  });

  it('refuses JSON cut inside its first entry, saying it was cut', () => {
    const whole = JSON.stringify([hfEntry(1)]);
    const error = parseError(whole.slice(0, whole.length / 2));
    expect(error.code).toBe('empty');
    expect(error.format).toBe('hf-json');
    expect(error.message).toBe(
      'no papers in hf-json page: JSON ends before the document does (cut download?); kept the 0 complete entries before offset 1',
    );
  });

  it('keeps the complete entries of JSON cut later, and says it was cut', () => {
    const whole = JSON.stringify([hfEntry(1), hfEntry(2), hfEntry(3)]);
    const { papers, warnings } = parsePage(Buffer.from(whole.slice(0, whole.length - 40)), ctx);
    expect(papers.map((p) => p.arxivId)).toEqual(['2401.00001', '2401.00002']);
    expect(warnings[0]).toMatch(
      /^JSON ends before the document does \(cut download\?\); kept the 2 complete entries/,
    );
  });

  it.each([
    ['arrays', '['.repeat(1_000_000) + ']'.repeat(1_000_000), 'hf-json', 100],
    ['objects', '{"a":'.repeat(1_000_000) + '1' + '}'.repeat(1_000_000), 'hf-json', 500],
    ['cut arrays', '['.repeat(1_000_000), 'hf-json', 100],
  ])('refuses JSON of %s nested a million levels, unread and fast', (_kind, page, format, offset) => {
    let error: ParseError | undefined;
    const ms = timed(() => (error = parseError(page)));
    expect(error!.format).toBe(format);
    expect(error!.message).toBe(
      `JSON nests deeper than ${MAX_JSON_DEPTH} levels (at offset ${offset}); refused unread`,
    );
    expect(ms).toBeLessThan(1_000);
  });

  it('refuses the JSON of a papers page nested a million levels', () => {
    const props = `{"dailyPapers":${'['.repeat(1_000_000)}`.replace(/"/g, '&quot;');
    const page = `<!doctype html><html><body><div data-target="DailyPapers" data-props="${props}"></div></body></html>`;
    const error = parseError(page, { ...ctx, contentType: 'text/html' });
    expect(error.format).toBe('hf-html');
    expect(error.message).toBe(
      `data-props of <div data-target="DailyPapers"> refused: JSON nests deeper than ${MAX_JSON_DEPTH} levels (at offset ${'{"dailyPapers":'.length + MAX_JSON_DEPTH - 1}); refused unread`,
    );
  });

  it('does not count brackets inside strings as nesting', () => {
    const entry = hfEntry(1);
    entry.paper.summary = `An abstract that quotes ${'[{'.repeat(5_000)} and "escaped \\" ${'['.repeat(200)}".`;
    const { papers } = parsePage(Buffer.from(JSON.stringify([entry])), ctx);
    expect(papers).toHaveLength(1);
  });

  it('reads a page of 50,000 papers whole', () => {
    const page = Buffer.from(JSON.stringify(Array.from({ length: 50_000 }, (_, i) => hfEntry(i))));
    const { format, papers } = parsePage(page, ctx);
    expect(format).toBe('hf-json');
    expect(papers).toHaveLength(50_000);
    expect(new Set(papers.map((p) => p.id)).size).toBe(50_000);
  });
});
