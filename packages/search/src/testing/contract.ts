import type { Paper, SearchResponse } from '@paperwire/schema';
import { PaperSchema, SearchResponseSchema, canonicalPaper } from '@paperwire/schema';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SearchIndex } from '../port.js';
import { daysContract } from './contract-days.js';
import { identityContract } from './contract-identity.js';
import { searchFeatureContract } from './contract-search.js';
import { readHfFixture } from './hf-fixture.js';
import { typoQueries } from './typo-queries.js';

export interface ContractSubject {
  index: SearchIndex;
  cleanup: () => Promise<void>;
}

export interface ContractOptions {
  /** Why the engine cannot be tested here; the suite is then reported as skipped with this reason. */
  skip?: string;
}

const PAGE_A = 'https://huggingface.co/papers?date=2025-11-01';
const PAGE_B = 'https://export.arxiv.org/api/query?id_list=2501.00001';
const PAGE_C = 'file:///digests/hf-2025-10-30.txt';

/** One sighting of a paper: what one page said about it at one capture. */
function sighting(
  id: string,
  capturedAt: string,
  fields: Partial<Omit<Paper, 'id' | 'sources' | 'firstSeenAt' | 'lastSeenAt'>> & { url?: string } = {},
): Paper {
  const { url = PAGE_A, ...rest } = fields;
  const upvotes = rest.upvotes ?? null;
  return canonicalPaper({
    id,
    title: 'Prototype Learning for Generalized Category Discovery',
    abstract: 'We discover novel categories in unlabelled data with learnable prototypes.',
    authors: [],
    authorCount: null,
    publishedAt: null,
    codeUrls: [],
    arxivId: null,
    ...rest,
    upvotes,
    sources: [
      url.startsWith('https://export.arxiv.org')
        ? { name: 'arxiv', url, format: 'arxiv-atom', capturedAt, upvotes }
        : { name: 'hf', url, format: 'hf-text', capturedAt, upvotes },
    ],
    firstSeenAt: capturedAt,
    lastSeenAt: capturedAt,
  });
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

function searchOf(index: SearchIndex, q: string, limit = 20, offset = 0): Promise<SearchResponse> {
  return index.search({ q, limit, offset }).then((response) => SearchResponseSchema.parse(response));
}

const FIXTURE = readHfFixture();
/** Fixed, so the misspelt queries are the same on every run and every engine. */
const RELEVANCE_SEED = 20251103;
const LEGO_GCD_TITLE = 'Solving the Catastrophic Forgetting Problem in Generalized Category Discovery';

/**
 * The behaviour every SearchIndex adapter must have. `setup` gives each test an empty index of
 * its own; `cleanup` removes it.
 */
export function describeSearchIndexContract(
  engineName: string,
  setup: () => Promise<ContractSubject>,
  options: ContractOptions = {},
): void {
  const title = options.skip ? `${engineName} contract (skipped: ${options.skip})` : `${engineName} contract`;
  describe.skipIf(options.skip !== undefined)(title, () => {
    let subject: ContractSubject | undefined;
    let index: SearchIndex;

    beforeEach(async () => {
      subject = await setup();
      index = subject.index;
      await index.ensureSettings();
    });

    afterEach(async () => {
      await subject?.cleanup();
      subject = undefined;
    });

    it('answers ping', async () => {
      await expect(index.ping()).resolves.toBeUndefined();
    });

    it('stores papers and returns them exactly as given', async () => {
      const plain = sighting('arxiv-2501_00001', '2025-11-01T08:00:00.000Z');
      const full = sighting('title-0123456789abcdef01234567', '2025-11-02T09:30:00.000Z', {
        title: 'A Naïve Baseline for Class-Incremental Learning',
        abstract: 'Prompts, adapters and “smart” tricks: a baseline with 3 lines of code.',
        authors: ['Ada Lovelace', 'Émile Borel'],
        authorCount: 5,
        publishedAt: '2024-02-29',
        upvotes: 12,
        codeUrls: ['https://github.com/example/baseline', 'https://github.com/example/another'].sort(),
        arxivId: '2402.12345',
      });
      await expect(index.upsert([plain, full])).resolves.toEqual({
        created: 2,
        updated: 0,
        unchanged: 0,
        newIds: [plain.id, full.id].sort(),
      });
      await expect(index.get(plain.id)).resolves.toEqual(plain);
      await expect(index.get(full.id)).resolves.toEqual(full);
      await expect(index.get('arxiv-9999_99999')).resolves.toBeNull();
      for (const notAnId of ['../settings', 'arxiv-2501.00001', '']) {
        await expect(index.get(notAnId)).resolves.toBeNull();
        await expect(index.similar(notAnId, 3)).resolves.toEqual([]);
      }
      const found = await searchOf(index, 'naive baseline');
      expect(found.hits[0]).toEqual(full);
    });

    it('is idempotent: the same batch again changes nothing', async () => {
      await index.upsert(FIXTURE);
      await expect(index.upsert(FIXTURE)).resolves.toEqual({
        created: 0,
        updated: 0,
        unchanged: FIXTURE.length,
        newIds: [],
      });
      for (const paper of FIXTURE.slice(0, 5)) await expect(index.get(paper.id)).resolves.toEqual(paper);
    });

    it('merges sightings into the same record in every arrival order', async () => {
      const sightingsOf = (id: string): Paper[] => [
        sighting(id, '2025-11-01T00:00:00.000Z', {
          url: PAGE_A,
          upvotes: 3,
          codeUrls: ['https://github.com/example/a'],
          authorCount: 2,
          publishedAt: '2025-10-28',
        }),
        sighting(id, '2025-11-03T00:00:00.000Z', {
          url: PAGE_B,
          authors: ['Ada Lovelace', 'Alan Turing'],
          arxivId: '2501.00001',
        }),
        sighting(id, '2025-11-02T00:00:00.000Z', {
          url: PAGE_A,
          upvotes: 5,
          codeUrls: ['https://github.com/example/b'],
        }),
        sighting(id, '2025-10-30T00:00:00.000Z', { url: PAGE_C, upvotes: 9, authors: ['A. Lovelace'] }),
      ];
      const orders = permutations([0, 1, 2, 3]);
      const ids = orders.map((_, k) => `arxiv-2501_${String(k).padStart(5, '0')}`);
      await Promise.all(
        orders.map(async (order, k) => {
          const sightings = sightingsOf(ids[k]!);
          for (const i of order) await index.upsert([sightings[i]!]);
        }),
      );
      const batchId = 'arxiv-2501_99999';
      await index.upsert([...sightingsOf(batchId)].reverse());

      const expected = {
        title: 'Prototype Learning for Generalized Category Discovery',
        abstract: 'We discover novel categories in unlabelled data with learnable prototypes.',
        authors: ['Ada Lovelace', 'Alan Turing'],
        authorCount: 2,
        publishedAt: '2025-10-28',
        // The latest capture that showed a count; the newer arXiv capture shows none.
        upvotes: 5,
        codeUrls: ['https://github.com/example/a', 'https://github.com/example/b'],
        arxivId: '2501.00001',
        sources: [
          { name: 'hf', url: PAGE_C, format: 'hf-text', capturedAt: '2025-10-30T00:00:00.000Z', upvotes: 9 },
          {
            name: 'arxiv',
            url: PAGE_B,
            format: 'arxiv-atom',
            capturedAt: '2025-11-03T00:00:00.000Z',
            upvotes: null,
          },
          // PAGE_A's first counted capture stays beside its latest: how fast its count grew.
          { name: 'hf', url: PAGE_A, format: 'hf-text', capturedAt: '2025-11-01T00:00:00.000Z', upvotes: 3 },
          { name: 'hf', url: PAGE_A, format: 'hf-text', capturedAt: '2025-11-02T00:00:00.000Z', upvotes: 5 },
        ],
        firstSeenAt: '2025-10-30T00:00:00.000Z',
        lastSeenAt: '2025-11-03T00:00:00.000Z',
      };
      for (const id of [...ids, batchId]) {
        const stored = await index.get(id);
        expect(stored).toEqual({ id, ...expected });
      }
    });

    it('reports created, updated and unchanged papers', async () => {
      const first = sighting('arxiv-2501_00001', '2025-11-01T00:00:00.000Z', { upvotes: 1 });
      const other = sighting('arxiv-2501_00002', '2025-11-01T00:00:00.000Z');
      await index.upsert([first]);
      const later = sighting(first.id, '2025-11-02T00:00:00.000Z', { upvotes: 4 });
      await expect(index.upsert([later, other, first])).resolves.toEqual({
        created: 1,
        updated: 1,
        unchanged: 0,
        newIds: [other.id],
      });
      await expect(index.upsert([first, later])).resolves.toEqual({
        created: 0,
        updated: 0,
        unchanged: 1,
        newIds: [],
      });
      expect((await index.get(first.id))?.upvotes).toBe(4);
    });

    it('ranks every fixture paper first for its own exact title', async () => {
      await index.upsert(FIXTURE);
      const misses: string[] = [];
      for (const paper of FIXTURE) {
        const { hits } = await searchOf(index, paper.title, 3);
        if (hits[0]?.id !== paper.id) misses.push(`${paper.title} → ${hits[0]?.title ?? 'nothing'}`);
      }
      expect(misses).toEqual([]);
    });

    it('finds a word that only occurs in an abstract', async () => {
      await index.upsert(FIXTURE);
      const { hits, total } = await searchOf(index, 'LegoGCD');
      expect(hits[0]?.title).toBe(LEGO_GCD_TITLE);
      expect(total).toBe(1);
    });

    it('matches the last word as a prefix', async () => {
      await index.upsert(FIXTURE);
      const { hits } = await searchOf(index, 'catastrophic forgetting generalized categ');
      expect(hits[0]?.title).toBe(LEGO_GCD_TITLE);
      const partial = await searchOf(index, 'LegoG');
      expect(partial.hits[0]?.title).toBe(LEGO_GCD_TITLE);
    });

    it('tolerates a typo in a long word', async () => {
      await index.upsert(FIXTURE);
      const { hits } = await searchOf(index, 'catastrophc forgetting generalized category discovery');
      expect(hits[0]?.title).toBe(LEGO_GCD_TITLE);
    });

    it('matches accented and unaccented spellings, and author names', async () => {
      const paper = sighting('arxiv-2501_00001', '2025-11-01T00:00:00.000Z', {
        title: 'Naïve Prompting Revisited',
        authors: ['Émile Borel'],
      });
      await index.upsert([paper, ...FIXTURE.slice(0, 10)]);
      expect((await searchOf(index, 'naive prompting')).hits[0]?.id).toBe(paper.id);
      expect((await searchOf(index, 'Émile Borel')).hits[0]?.id).toBe(paper.id);
      expect((await searchOf(index, 'emile borel')).hits[0]?.id).toBe(paper.id);
    });

    it('treats query syntax characters as plain text', async () => {
      await index.upsert(FIXTURE);
      const hostile = [
        '"',
        '""',
        '"catastrophic forgetting',
        '*',
        '**',
        '-',
        '-forgetting',
        ':',
        'title:forgetting',
        'abstract : LegoGCD',
        '(',
        ')',
        '(forgetting OR',
        'NEAR',
        'NEAR(catastrophic forgetting, 2)',
        'AND',
        'OR',
        'NOT',
        'forgetting AND',
        'AND OR NOT NEAR',
        '^forgetting',
        '{title}: forgetting',
        "forgetting' OR '1'='1",
        'forgetting\\',
        'forgetting; DROP TABLE papers; --',
        '\u0000forgetting',
        '🦎 forgetting',
        'x'.repeat(1000),
        'forgetting '.repeat(90),
      ];
      for (const q of hostile) {
        const response = await searchOf(index, q, 5);
        expect(response.query).toBe(q);
        expect(response.hits.length).toBeLessThanOrEqual(5);
        for (const hit of response.hits) PaperSchema.parse(hit);
      }
      // Words that are syntax elsewhere stay words here. These queries name the paper only with
      // words it has, so every engine must still put it first.
      for (const q of [
        '"catastrophic forgetting"',
        '-forgetting LegoGCD',
        '(LegoGCD)',
        'LegoGCD:',
        '"LegoGCD',
        'LegoGCD*',
        'LegoGCD^2',
      ]) {
        const { hits } = await searchOf(index, q, 5);
        expect(hits[0]?.title, q).toBe(LEGO_GCD_TITLE);
      }
    });

    it('answers an empty query with every paper, newest first', async () => {
      const papers = [
        sighting('arxiv-2501_00003', '2025-11-02T00:00:00.000Z'),
        sighting('arxiv-2501_00001', '2025-11-01T00:00:00.000Z'),
        sighting('arxiv-2501_00004', '2025-11-03T00:00:00.000Z'),
        sighting('arxiv-2501_00002', '2025-11-02T00:00:00.000Z'),
      ];
      await index.upsert(papers);
      for (const q of ['', '   ', '"*"']) {
        const response = await searchOf(index, q, 10);
        expect(response.total).toBe(4);
        expect(response.hits.map((h) => h.id)).toEqual([
          'arxiv-2501_00004',
          'arxiv-2501_00002',
          'arxiv-2501_00003',
          'arxiv-2501_00001',
        ]);
      }
      const page = await searchOf(index, '', 2, 1);
      expect(page.hits.map((h) => h.id)).toEqual(['arxiv-2501_00002', 'arxiv-2501_00003']);
      expect(page).toMatchObject({ total: 4, limit: 2, offset: 1, query: '' });
    });

    it('pages through results with an exact total', async () => {
      await index.upsert(FIXTURE);
      for (const q of ['learning', '']) {
        const first = await searchOf(index, q, 7);
        expect(first.total).toBeGreaterThan(14);
        const seen: string[] = [];
        for (let offset = 0; offset < first.total; offset += 7) {
          const page = await searchOf(index, q, 7, offset);
          expect(page.total).toBe(first.total);
          expect(page.offset).toBe(offset);
          expect(page.hits.length).toBe(Math.min(7, first.total - offset));
          seen.push(...page.hits.map((h) => h.id));
        }
        expect(new Set(seen).size).toBe(first.total);
        const odd = await searchOf(index, q, 5, 3);
        expect(odd.hits.map((h) => h.id)).toEqual(seen.slice(3, 8));
        const beyond = await searchOf(index, q, 10, first.total + 5);
        expect(beyond.hits).toEqual([]);
        expect(beyond.total).toBe(first.total);
      }
      expect((await searchOf(index, '', 10)).total).toBe(FIXTURE.length);
    });

    it('counts papers and deletes them', async () => {
      await index.upsert(FIXTURE);
      await expect(index.stats()).resolves.toEqual({ papers: FIXTURE.length });
      const gone = FIXTURE.find((p) => p.title === LEGO_GCD_TITLE)!;
      await index.delete([gone.id, 'arxiv-2501_00404']);
      await index.delete([]);
      await expect(index.stats()).resolves.toEqual({ papers: FIXTURE.length - 1 });
      await expect(index.get(gone.id)).resolves.toBeNull();
      const { hits, total } = await searchOf(index, 'LegoGCD');
      expect(hits).toEqual([]);
      expect(total).toBe(0);
      // A deleted paper seen again comes back as new.
      await expect(index.upsert([gone])).resolves.toEqual({
        created: 1,
        updated: 0,
        unchanged: 0,
        newIds: [gone.id],
      });
      await expect(index.get(gone.id)).resolves.toEqual(gone);
    });

    it('finds similar papers, never the paper itself', async () => {
      await index.upsert(FIXTURE);
      const paper = FIXTURE.find((p) => p.title === LEGO_GCD_TITLE)!;
      const similar = await index.similar(paper.id, 5);
      expect(similar.length).toBeGreaterThan(0);
      expect(similar.length).toBeLessThanOrEqual(5);
      expect(similar.map((p) => p.id)).not.toContain(paper.id);
      for (const hit of similar) PaperSchema.parse(hit);
      // The fixture holds many generalized category discovery papers; the closest is one of them.
      expect(`${similar[0]!.title} ${similar[0]!.abstract}`).toMatch(/category discovery/i);
      await expect(index.similar('arxiv-9999_99999', 5)).resolves.toEqual([]);
    });

    it('ranks each fixture paper first for misspelt queries of its title', async () => {
      await index.upsert(FIXTURE);
      const queries = typoQueries(FIXTURE, RELEVANCE_SEED, 5);
      expect(queries.length).toBe(FIXTURE.length * 5);
      let first = 0;
      let reciprocalRanks = 0;
      const misses: string[] = [];
      for (const { paperId, query, typos } of queries) {
        const { hits } = await searchOf(index, query, 10);
        const rank = hits.findIndex((h) => h.id === paperId) + 1;
        if (rank === 1) first += 1;
        else misses.push(`${typos.join(', ')} in "${query}" → rank ${rank || '>10'}`);
        if (rank > 0) reciprocalRanks += 1 / rank;
      }
      const top1 = first / queries.length;
      const mrr = reciprocalRanks / queries.length;
      console.log(
        `relevance (${engineName}): ${queries.length} misspelt title queries, top-1 ${(100 * top1).toFixed(1)}%, MRR ${mrr.toFixed(3)}`,
      );
      expect(top1, misses.join('\n')).toBeGreaterThanOrEqual(0.95);
    });

    searchFeatureContract(() => index);
    identityContract(() => index);
    daysContract(() => index);
  });
}
