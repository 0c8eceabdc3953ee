import type { Paper } from '@paperwire/schema';
import {
  SearchResponseSchema,
  canonicalPaper,
  mergePapersAs,
  paperIdFromArxiv,
  paperIdFromTitle,
} from '@paperwire/schema';
import { expect, it } from 'vitest';

import type { SearchIndex } from '../port.js';

const ABSTRACT =
  'We replay anchored prototypes to keep segmentation models from forgetting old classes while they learn new ones.';
const AUTHORS = ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Emmy Noether'];

/**
 * Three sightings of one paper as three formats give them: a title-only listing line with an
 * upvote count (hf-text), the daily-papers API with its arXiv id, authors and repository
 * (hf-json), and the arXiv feed with its id, authors and publication date (arxiv-atom).
 */
export function identitySightings(k: number): { titleOnly: Paper; hfJson: Paper; atom: Paper } {
  const title = `Anchored Prototype Replay for Lifelong Segmentation ${k}`;
  const arxivId = `2510.${String(1000 + k).padStart(5, '0')}`;
  const titleOnly = canonicalPaper({
    id: paperIdFromTitle(title),
    title,
    abstract: ABSTRACT,
    authors: [],
    authorCount: 4,
    publishedAt: '2025-10-30',
    upvotes: 12,
    codeUrls: [],
    arxivId: null,
    sources: [
      {
        name: 'hf',
        url: 'https://huggingface.co/papers?date=2025-11-03',
        format: 'hf-text',
        capturedAt: '2025-11-03T00:00:00.000Z',
        upvotes: 12,
      },
    ],
    firstSeenAt: '2025-11-03T00:00:00.000Z',
    lastSeenAt: '2025-11-03T00:00:00.000Z',
  });
  const hfJson = canonicalPaper({
    id: paperIdFromArxiv(arxivId),
    title,
    abstract: ABSTRACT,
    authors: AUTHORS,
    authorCount: 4,
    publishedAt: '2025-10-30',
    upvotes: 15,
    codeUrls: [`https://github.com/example/anchored-replay-${k}`],
    arxivId,
    sources: [
      {
        name: 'hf-api',
        url: 'https://huggingface.co/api/daily_papers?date=2025-11-02',
        format: 'hf-json',
        capturedAt: '2025-11-02T00:00:00.000Z',
        upvotes: 15,
      },
    ],
    firstSeenAt: '2025-11-02T00:00:00.000Z',
    lastSeenAt: '2025-11-02T00:00:00.000Z',
  });
  // The feed spells the title in its own case and punctuation: the same normalized title.
  const atom = canonicalPaper({
    id: paperIdFromArxiv(arxivId),
    title: `Anchored prototype replay for lifelong segmentation (${k})`,
    abstract: `${ABSTRACT} Code and models are released.`,
    authors: AUTHORS,
    authorCount: null,
    publishedAt: '2025-10-29',
    upvotes: null,
    codeUrls: [],
    arxivId,
    sources: [
      {
        name: 'arxiv',
        url: `https://export.arxiv.org/api/query?id_list=${arxivId}`,
        format: 'arxiv-atom',
        capturedAt: '2025-11-04T00:00:00.000Z',
        upvotes: null,
      },
    ],
    firstSeenAt: '2025-11-04T00:00:00.000Z',
    lastSeenAt: '2025-11-04T00:00:00.000Z',
  });
  return { titleOnly, hfJson, atom };
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** Identity across formats: one record per paper, under its arXiv id once any source gives it. */
export function identityContract(current: () => SearchIndex): void {
  it('keeps one record under the arXiv id, the same in every arrival order', async () => {
    const index = current();
    const orders = permutations([0, 1, 2]);
    // Each order on a paper of its own (its own title and arXiv id), all in one index.
    await Promise.all(
      orders.map(async (order, k) => {
        const { titleOnly, hfJson, atom } = identitySightings(k);
        const sightings = [titleOnly, hfJson, atom];
        for (const i of order) await index.upsert([sightings[i]!]);
      }),
    );
    const batched = identitySightings(orders.length);
    await index.upsert([batched.atom, batched.titleOnly, batched.hfJson]);

    for (let k = 0; k <= orders.length; k += 1) {
      const { titleOnly, hfJson, atom } = identitySightings(k);
      const stored = await index.get(hfJson.id);
      expect(stored, `order ${orders[k]?.join(',') ?? 'one batch'}`).toEqual(
        mergePapersAs(hfJson.id, [titleOnly, hfJson, atom]),
      );
      expect(stored).toMatchObject({
        title: atom.title,
        abstract: atom.abstract,
        authors: AUTHORS,
        authorCount: 4,
        publishedAt: '2025-10-29',
        // The latest capture that showed a count (the arXiv feed shows none).
        upvotes: 12,
        codeUrls: hfJson.codeUrls,
        arxivId: hfJson.arxivId,
        firstSeenAt: '2025-11-02T00:00:00.000Z',
        lastSeenAt: '2025-11-04T00:00:00.000Z',
      });
      expect(stored?.sources.map((s) => s.format).sort()).toEqual(['arxiv-atom', 'hf-json', 'hf-text']);
      await expect(index.get(titleOnly.id)).resolves.toBeNull();
      await expect(index.resolve(titleOnly.id)).resolves.toEqual({ movedTo: hfJson.id });
      await expect(index.resolve(hfJson.id)).resolves.toEqual({ paper: stored });
    }
    await expect(index.stats()).resolves.toEqual({ papers: orders.length + 1 });
    const found = SearchResponseSchema.parse(
      await index.search({ q: 'anchored prototype replay lifelong segmentation', limit: 20, offset: 0 }),
    );
    expect(found.total).toBe(orders.length + 1);
    expect(found.hits.every((h) => h.id.startsWith('arxiv-'))).toBe(true);
    await expect(index.resolve('title-000000000000000000000000')).resolves.toBeNull();
    await expect(index.resolve('arxiv-9999_99999')).resolves.toBeNull();
  });

  it('merges later title-only sightings and sightings of unchanged pages into the arXiv record', async () => {
    const index = current();
    const { titleOnly, hfJson } = identitySightings(0);
    await index.upsert([titleOnly]);
    // The arXiv record is created, but from a paper the index had: not a new paper.
    await expect(index.upsert([hfJson])).resolves.toEqual({
      created: 1,
      updated: 0,
      unchanged: 0,
      newIds: [],
    });
    const later = canonicalPaper({
      ...titleOnly,
      upvotes: 20,
      sources: [{ ...titleOnly.sources[0]!, capturedAt: '2025-11-06T00:00:00.000Z', upvotes: 20 }],
      firstSeenAt: '2025-11-06T00:00:00.000Z',
      lastSeenAt: '2025-11-06T00:00:00.000Z',
    });
    await expect(index.upsert([later])).resolves.toEqual({
      created: 0,
      updated: 1,
      unchanged: 0,
      newIds: [],
    });
    await expect(index.upsert([later])).resolves.toEqual({
      created: 0,
      updated: 0,
      unchanged: 1,
      newIds: [],
    });
    expect((await index.get(hfJson.id))?.upvotes).toBe(20);
    await expect(index.get(titleOnly.id)).resolves.toBeNull();

    // The title-only page seen again: its papers, stamped with the new capture, merge into the record.
    const seenAgain: Paper = {
      ...titleOnly,
      sources: titleOnly.sources.map((s) => ({ ...s, capturedAt: '2025-11-07T00:00:00.000Z' })),
      firstSeenAt: '2025-11-07T00:00:00.000Z',
      lastSeenAt: '2025-11-07T00:00:00.000Z',
    };
    await expect(index.upsert([seenAgain])).resolves.toEqual({
      created: 0,
      updated: 1,
      unchanged: 0,
      newIds: [],
    });
    expect((await index.get(hfJson.id))?.lastSeenAt).toBe('2025-11-07T00:00:00.000Z');
    await expect(index.stats()).resolves.toEqual({ papers: 1 });

    // A deleted paper takes its aliases with it: the title id names nothing any more.
    await index.delete([hfJson.id]);
    await expect(index.resolve(titleOnly.id)).resolves.toBeNull();
    await expect(index.upsert([titleOnly])).resolves.toEqual({
      created: 1,
      updated: 0,
      unchanged: 0,
      newIds: [titleOnly.id],
    });
    await expect(index.get(titleOnly.id)).resolves.toEqual(titleOnly);
  });

  it('tells which title ids are aliases, and of what', async () => {
    const index = current();
    const first = identitySightings(0);
    const second = identitySightings(1);
    const alone = identitySightings(2).titleOnly;
    await index.upsert([first.titleOnly, first.hfJson, second.atom, second.titleOnly, alone]);
    const unknown = 'title-000000000000000000000000';
    await expect(
      index.aliasTargets([
        first.titleOnly.id,
        first.hfJson.id,
        second.titleOnly.id,
        alone.id,
        unknown,
        first.titleOnly.id,
        '../settings',
      ]),
    ).resolves.toEqual(
      new Map([
        [first.titleOnly.id, first.hfJson.id],
        [second.titleOnly.id, second.atom.id],
      ]),
    );
    await expect(index.aliasTargets([])).resolves.toEqual(new Map());
    await index.delete([first.hfJson.id]);
    await expect(index.aliasTargets([first.titleOnly.id, second.titleOnly.id])).resolves.toEqual(
      new Map([[second.titleOnly.id, second.atom.id]]),
    );
  });

  it('leaves a title to the first arXiv paper that claimed it', async () => {
    const index = current();
    const { titleOnly, hfJson } = identitySightings(0);
    const namesake = canonicalPaper({
      ...hfJson,
      id: paperIdFromArxiv('2511.00042'),
      arxivId: '2511.00042',
      codeUrls: [],
    });
    await index.upsert([hfJson]);
    await index.upsert([namesake]);
    await index.upsert([titleOnly]);
    await expect(index.stats()).resolves.toEqual({ papers: 2 });
    expect((await index.get(hfJson.id))?.upvotes).toBe(12);
    await expect(index.get(namesake.id)).resolves.toEqual(namesake);
    await expect(index.resolve(titleOnly.id)).resolves.toEqual({ movedTo: hfJson.id });
  });
}
