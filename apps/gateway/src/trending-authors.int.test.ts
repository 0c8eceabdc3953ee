import { authorKey, mergePapers, upvoteVelocity, type Paper, type SearchResponse } from '@paperwire/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { seededEngines } from './testing/engines.js';
import { ANNEALING, QEC, recapturedPapers, seedPapers } from './testing/fixture.js';
import { getJson, serve, type Running } from './testing/serve.js';

/*
 * `sort=trending` and the authors facet and filter over HTTP, on every engine, against an index
 * holding the fixture as captured twice, six hours apart (three of its papers gained upvotes),
 * and the hand-built papers with author names.
 */

const seeded = await seedPapers();
const recaptured = await recapturedPapers();
const PAPERS: Paper[] = seeded.map((paper) => {
  const again = recaptured.find((r) => r.id === paper.id);
  return again ? mergePapers(paper, again) : paper;
});
const titleOf = new Map(PAPERS.map((p) => [p.id, p.title]));

/** The papers with a velocity, fastest first: what trending puts before the others. */
const TRENDING = PAPERS.filter((p) => upvoteVelocity(p) !== null)
  .sort((a, b) => upvoteVelocity(b)!.score - upvoteVelocity(a)!.score)
  .map((p) => p.id);

for (const engine of seededEngines([...seeded, ...recaptured])) {
  if (engine.skip) console.warn(`trending and authors on ${engine.name} skipped: ${engine.skip}`);

  describe.skipIf(engine.skip !== undefined)(`trending and authors over HTTP on ${engine.name}`, () => {
    let gateway: Running;
    let close: () => Promise<void>;

    const search = async (query: string): Promise<SearchResponse> => {
      const answer = await getJson<SearchResponse>(`${gateway.base}/v1/search?${query}`);
      expect(answer.status, `${query}: ${JSON.stringify(answer.body).slice(0, 300)}`).toBe(200);
      return answer.body;
    };
    const rejected = async (query: string) => {
      const answer = await getJson<{ error: string; message: string; issues: { parameter: string }[] }>(
        `${gateway.base}/v1/search?${query}`,
      );
      expect(answer.status, query).toBe(400);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      return answer.body;
    };

    beforeAll(async () => {
      const opened = await engine.open();
      close = opened.close;
      gateway = await serve({ index: opened.index });
    });

    afterAll(async () => {
      await gateway?.close();
      await close?.();
    });

    describe('sort=trending', () => {
      it('holds the velocities of the two captures', () => {
        expect(TRENDING.map((id) => titleOf.get(id))).toEqual([
          'ProtoGCD: Unified and Unbiased Prototype Learning for Generalized Category Discovery',
          'Where to find Grokking in LLM Pretraining? Monitor Memorization-to-Generalization without Test',
          'Only-IF:Revealing the Decisive Effect of Instruction Diversity on Generalization',
        ]);
        expect(TRENDING.map((id) => upvoteVelocity(PAPERS.find((p) => p.id === id)!)?.perHour)).toEqual([
          10, 5, 2,
        ]);
      });

      it('lists the fastest-rising papers first for the empty query, the others newest first after them', async () => {
        const body = await search('sort=trending&limit=100');
        expect(body.total).toBe(PAPERS.length);
        expect(body.hits.slice(0, 3).map((h) => h.id)).toEqual(TRENDING);
        const rest = body.hits.slice(3);
        expect(rest.every((h) => upvoteVelocity(h) === null)).toBe(true);
        const seen = rest.map((h) => h.firstSeenAt);
        expect(seen).toEqual([...seen].sort().reverse());
        // The stored record keeps both captures of the page.
        const first = body.hits[0]!;
        expect(first.upvotes).toBe(62);
        expect(first.sources.map((s) => [s.capturedAt, s.upvotes])).toEqual([
          ['2025-11-03T00:00:00.000Z', 2],
          ['2025-11-03T06:00:00.000Z', 62],
        ]);
      });

      it('pages in that order', async () => {
        const page = await search('sort=trending&limit=2&offset=1');
        expect(page.hits.map((h) => h.id)).toEqual(TRENDING.slice(1, 3));
      });

      it('orders the matches of a query, and of a filter', async () => {
        const query = await search('q=generalization&sort=trending&limit=100');
        const matching = TRENDING.filter((id) => query.hits.some((h) => h.id === id));
        expect(matching.length).toBeGreaterThan(1);
        expect(query.hits.slice(0, matching.length).map((h) => h.id)).toEqual(matching);
        const filtered = await search('sort=trending&minUpvotes=10');
        expect(filtered.hits.map((h) => h.id)).toEqual([...TRENDING, QEC.id]);
      });

      it('refuses a sort it does not know with a 400 naming the sorts', async () => {
        const body = await rejected('sort=hot');
        expect(body.issues[0]?.parameter).toBe('sort');
        expect(body.message).toMatch(/trending/);
      });
    });

    describe('authors', () => {
      const ADA = { 'Ada Lovelace': 2 };

      it('facet: the most frequent authors, each counted over the result set', async () => {
        const all = await search('facets=authors&limit=1');
        expect(all.facetDistribution).toEqual({
          authors: {
            ...ADA,
            'Alan Turing': 1,
            'Grace Hopper': 1,
            'José García-López': 1,
            'Mallory <img src=x onerror=alert(1)>': 1,
          },
        });
        const quantum = await search('q=annealing&facets=authors');
        expect(quantum.facetDistribution).toEqual({ authors: { 'Ada Lovelace': 1, 'Grace Hopper': 1 } });
        const facets = await getJson<{ facetDistribution: Record<string, Record<string, number>> }>(
          `${gateway.base}/v1/facets`,
        );
        expect(facets.body.facetDistribution.authors).toEqual(all.facetDistribution?.authors);
      });

      it('filter: a name as the facet gives it, or spelt otherwise, matches by its key', async () => {
        for (const name of ['Ada Lovelace', 'ADA  lovelace', 'Ada Lovelace.']) {
          const body = await search(`authors=${encodeURIComponent(name)}`);
          expect(body.hits.map((h) => h.id).sort(), name).toEqual([QEC.id, ANNEALING.id].sort());
        }
        const garcia = await search(`authors=${encodeURIComponent('jose garcia lopez')}&facets=authors`);
        expect(garcia.hits.map((h) => h.id)).toEqual([QEC.id]);
        expect(garcia.facetDistribution).toEqual({ authors: { 'José García-López': 1, 'Ada Lovelace': 1 } });
        expect(QEC.authors.map(authorKey)).toContain(authorKey('Jose Garcia-Lopez'));
        const either = await search('authors=Alan%20Turing,Grace%20Hopper');
        expect(either.total).toBe(2);
      });

      it('refuses a facet it does not know with a 400 naming the facets', async () => {
        const body = await rejected('facets=authorz');
        expect(body.issues[0]?.parameter).toBe('facets');
        expect(body.message).toMatch(/authors/);
      });
    });

    it('documents the trending sort and the authors facet in the OpenAPI document', async () => {
      const doc = await getJson<{
        paths: Record<string, { get: { parameters: { name: string; schema: unknown }[] } }>;
      }>(`${gateway.base}/openapi.json`);
      const parameters = doc.body.paths['/v1/search']!.get.parameters;
      expect(JSON.stringify(parameters.find((p) => p.name === 'sort')?.schema)).toContain('"trending"');
      expect(JSON.stringify(parameters.find((p) => p.name === 'facets')?.schema)).toContain('"authors"');
    });
  });
}
