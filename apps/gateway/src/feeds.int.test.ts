import type { ErrorResponse, Paper } from '@paperwire/schema';
import { XMLValidator } from 'fast-xml-parser';
import { parseAtomFeed, parseJsonFeed } from 'feedsmith';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { JsonFeedSchema } from './feeds/feeds.js';
import { seededEngines } from './testing/engines.js';
import { ANNEALING, MARKUP, MEMORIES, QEC, seedPapers } from './testing/fixture.js';
import { getJson, serve, type Running } from './testing/serve.js';

/*
 * The Atom and JSON feeds of searches over HTTP, read back by a real feed parser (feedsmith) and
 * checked for well-formed XML (fast-xml-parser's validator), on a real seeded index.
 */

const PAPERS = await seedPapers();

/** The Atom feed at `path`, validated and parsed. */
async function atomAt(url: string) {
  const response = await fetch(url);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
  expect(XMLValidator.validate(text)).toBe(true);
  return parseAtomFeed(text);
}

const paperIdOf = (entryId: string | undefined) => entryId?.replace(/^urn:paperwire:paper:/, '');

for (const engine of seededEngines(PAPERS)) {
  describe.skipIf(engine.skip !== undefined)(`feeds on ${engine.name}`, () => {
    let opened: Awaited<ReturnType<typeof engine.open>>;
    let gateway: Running;

    beforeAll(async () => {
      opened = await engine.open();
      gateway = await serve({ index: opened.index });
    });

    afterAll(async () => {
      await gateway?.close();
      await opened?.close();
    });

    it('serves valid Atom of every paper, newest first seen first', async () => {
      const feed = await atomAt(`${gateway.base}/v1/feed.atom?limit=100`);
      const entries = feed.entries ?? [];
      expect(entries).toHaveLength(PAPERS.length);
      expect(new Set(entries.map((e) => paperIdOf(e.id)))).toEqual(new Set(PAPERS.map((p) => p.id)));
      const seen = entries.map((e) => e.published ?? '');
      expect(seen).toEqual([...seen].sort().reverse());
      expect(paperIdOf(entries[0]?.id)).toBe(ANNEALING.id);
      expect(feed.updated).toBe(ANNEALING.firstSeenAt);
      expect(feed.title?.value).toBe('paperwire: new papers');
      expect(feed.links).toEqual(
        expect.arrayContaining([
          { rel: 'self', type: 'application/atom+xml', href: `${gateway.base}/v1/feed.atom?limit=100` },
          { rel: 'alternate', type: 'application/feed+json', href: `${gateway.base}/v1/feed.json?limit=100` },
        ]),
      );
      const defaults = await atomAt(`${gateway.base}/v1/feed.atom`);
      expect(defaults.entries).toHaveLength(50);
    });

    it('applies the query and the filters of a search', async () => {
      const quantum = await atomAt(`${gateway.base}/v1/feed.atom?q=quantum`);
      expect(quantum.entries?.map((e) => paperIdOf(e.id))).toEqual(
        [ANNEALING, QEC, MEMORIES, MARKUP].map((p) => p.id),
      );
      expect(quantum.title?.value).toBe('paperwire: “quantum”');
      const page = quantum.links?.find((l) => l.rel === 'alternate' && l.type === 'text/html');
      expect(page?.href).toBe(`${gateway.base}/?q=quantum&sort=firstSeenAt%3Adesc`);

      const arxiv = await atomAt(`${gateway.base}/v1/feed.atom?q=quantum&source=arxiv&hasCode=true`);
      expect(arxiv.entries?.map((e) => paperIdOf(e.id))).toEqual([QEC.id]);
      const qec = arxiv.entries?.[0];
      expect(qec?.title?.value).toBe(QEC.title);
      expect(qec?.summary?.value).toBe(QEC.abstract);
      expect(qec?.authors?.map((a) => a.name)).toEqual(QEC.authors);
      expect(qec?.links?.find((l) => l.rel === 'alternate')?.href).toBe('https://arxiv.org/abs/2401.00001');
      const record = qec?.links?.find((l) => l.rel === 'related')?.href;
      expect((await getJson<Paper>(record!)).body).toEqual(QEC);

      const recent = await atomAt(`${gateway.base}/v1/feed.atom?since=2025-11-04&year=2025`);
      expect(recent.entries?.map((e) => paperIdOf(e.id))).toEqual([ANNEALING.id]);
      const none = await atomAt(`${gateway.base}/v1/feed.atom?q=zzqx+nonexistentword`);
      expect(none.entries ?? []).toEqual([]);
    });

    it('keeps markup in paper text as text', async () => {
      const feed = await atomAt(`${gateway.base}/v1/feed.atom?q=escaping+quotes`);
      const entry = feed.entries?.[0];
      expect(paperIdOf(entry?.id)).toBe(MARKUP.id);
      expect(entry?.title?.value).toBe(MARKUP.title);
      expect(entry?.summary?.value).toBe(MARKUP.abstract);
      expect(entry?.authors?.map((a) => a.name)).toEqual(MARKUP.authors);
      const text = await (await fetch(`${gateway.base}/v1/feed.atom?q=escaping+quotes`)).text();
      expect(text).not.toContain('<script>');
      expect(text).toContain('&lt;script&gt;');
    });

    it('serves the same entries as JSON Feed 1.1', async () => {
      const response = await fetch(`${gateway.base}/v1/feed.json?q=quantum`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
      const body: unknown = await response.json();
      const feed = JsonFeedSchema.parse(body);
      expect(feed.items.map((i) => i.id)).toEqual([ANNEALING, QEC, MEMORIES, MARKUP].map((p) => p.id));
      expect(feed.feed_url).toBe(`${gateway.base}/v1/feed.json?q=quantum`);
      expect(feed.items[1]).toMatchObject({
        title: QEC.title,
        content_text: QEC.abstract,
        date_published: QEC.firstSeenAt,
        url: 'https://arxiv.org/abs/2401.00001',
        authors: QEC.authors.map((name) => ({ name })),
        _paperwire: { upvotes: 120, arxivId: '2401.00001', codeUrls: QEC.codeUrls },
      });
      const parsed = parseJsonFeed(body);
      expect(parsed.title).toBe('paperwire: “quantum”');
      expect(parsed.items?.map((i) => i.id)).toEqual(feed.items.map((i) => i.id));
    });

    it('refuses bad parameters with a 400 naming them, as search does', async () => {
      for (const format of ['atom', 'json']) {
        for (const [query, parameter] of [
          ['sort=relevance', 'sort'],
          ['offset=20', 'offset'],
          ['limit=101', 'limit'],
          ['limit=0', 'limit'],
          ['from=yesterday', 'from'],
          ['from=2025-02-01&to=2025-01-01', 'from'],
          ['minUpvotes=-1', 'minUpvotes'],
        ] as const) {
          const { status, body, headers } = await getJson<ErrorResponse>(
            `${gateway.base}/v1/feed.${format}?${query}`,
          );
          expect(status, query).toBe(400);
          expect(headers.get('content-type')).toMatch(/^application\/json/);
          expect(body.error).toBe('bad_request');
          expect(
            body.issues?.map((i) => i.parameter),
            query,
          ).toContain(parameter);
        }
      }
    });
  });
}
