import type { Format, Paper, PaperSource, SearchFacet } from '@paperwire/schema';
import {
  AUTHOR_FACET_SIZE,
  authorKey,
  authorNameIn,
  canonicalPaper,
  paperIdFromArxiv,
} from '@paperwire/schema';

import { yearOf } from '../filters.js';

interface PaperSpec {
  n: number;
  title: string;
  abstract: string;
  publishedAt: string | null;
  upvotes: number | null;
  code: boolean;
  authors: string[];
  sources: string[];
  firstSeenAt: string;
  /**
   * The first source showed `from` upvotes at firstSeenAt and the paper's count `hours` later, the
   * same day: a velocity for the trending sort.
   */
  rise?: { from: number; hours: number };
}

const FORMAT_OF: Record<string, Format> = { hf: 'hf-text', arxiv: 'arxiv-atom', rss: 'arxiv-rss' };

function corpusPaper(spec: PaperSpec): Paper {
  const arxivId = `2401.${String(spec.n).padStart(5, '0')}`;
  const sources: PaperSource[] = spec.sources.map((name) => ({
    name,
    url: `https://${name}.example/list`,
    format: FORMAT_OF[name] ?? 'hf-text',
    capturedAt: spec.firstSeenAt,
    // Counts come from one source, so the paper's upvotes are the ones given.
    upvotes: name === spec.sources[0] ? spec.upvotes : null,
  }));
  let lastSeenAt = spec.firstSeenAt;
  if (spec.rise) {
    lastSeenAt = new Date(Date.parse(spec.firstSeenAt) + spec.rise.hours * 3_600_000).toISOString();
    sources.push({ ...sources[0]!, capturedAt: lastSeenAt });
    sources[0] = { ...sources[0]!, upvotes: spec.rise.from };
  }
  return canonicalPaper({
    id: paperIdFromArxiv(arxivId),
    title: spec.title,
    abstract: spec.abstract,
    authors: spec.authors,
    authorCount: spec.authors.length || null,
    publishedAt: spec.publishedAt,
    upvotes: spec.upvotes,
    codeUrls: spec.code ? [`https://github.com/example/paper-${spec.n}`] : [],
    arxivId,
    sources,
    firstSeenAt: spec.firstSeenAt,
    lastSeenAt,
  });
}

const day = (d: string): string => `2025-${d}T00:00:00.000Z`;

/**
 * Nine papers whose values cover every filter, sort and facet case: unknown dates and counts,
 * equal dates and counts (ties), several sources per paper, accented author names (one author
 * spelt two ways), counts that rose between two captures (velocities of 2, 10, 1 and 6 upvotes an
 * hour for papers 1, 3, 4 and 9), and a title that is markup. "prototype" (or "prototypes") is in the title of 1, 4, 6, 7, in the abstract of
 * 2, 3, 9, and nowhere in 5 and 8.
 */
export const CORPUS: readonly Paper[] = [
  {
    n: 1,
    title: 'Prototype Networks for Few-Shot Learning',
    abstract: 'Metric learning with class means.',
    publishedAt: '2024-01-10',
    upvotes: 5,
    code: true,
    authors: ['José García-López', 'Ada Lovelace'],
    sources: ['hf'],
    firstSeenAt: day('11-01'),
    rise: { from: 1, hours: 2 },
  },
  {
    n: 2,
    title: 'Contrastive Anchors for Retrieval',
    abstract: 'We learn prototypes as anchors.',
    publishedAt: '2023-06-01',
    upvotes: null,
    code: false,
    authors: ['Ada Lovelace'],
    sources: ['arxiv'],
    firstSeenAt: day('11-02'),
  },
  {
    n: 3,
    title: 'Diffusion Models Beat GANs',
    abstract: 'Image synthesis without prototypes.',
    publishedAt: null,
    upvotes: 40,
    code: true,
    authors: [],
    sources: ['hf', 'arxiv'],
    firstSeenAt: day('11-03'),
    rise: { from: 0, hours: 4 },
  },
  {
    n: 4,
    title: 'Prototype Memory for Continual Learning',
    abstract: 'Replay buffers.',
    publishedAt: '2025-02-14',
    upvotes: 12,
    code: false,
    authors: ['Alan Turing'],
    sources: ['hf'],
    firstSeenAt: day('11-03'),
    rise: { from: 4, hours: 8 },
  },
  {
    n: 5,
    title: 'Sparse Attention Kernels',
    abstract: 'Fast attention on long sequences.',
    publishedAt: '2025-02-14',
    upvotes: 0,
    code: true,
    authors: ['Grace Hopper'],
    sources: ['rss'],
    firstSeenAt: day('11-04'),
  },
  {
    n: 6,
    title: 'Prototype Alignment in Vision Transformers',
    abstract: 'Aligning tokens with learned centroids.',
    publishedAt: '2024-07-30',
    upvotes: 12,
    code: true,
    authors: ['Jose Garcia Lopez'],
    sources: ['arxiv'],
    firstSeenAt: day('11-02'),
    // Captured twice without a gain: no velocity.
    rise: { from: 12, hours: 3 },
  },
  {
    n: 7,
    title: '<script>alert("x")</script> Prototype attacks',
    abstract: 'Escaping & markup <b>matter</b>.',
    publishedAt: '2022-12-31',
    upvotes: null,
    code: false,
    authors: [],
    sources: ['hf'],
    firstSeenAt: '2025-10-30T00:00:00.000Z',
  },
  {
    n: 8,
    title: 'Quantized Networks',
    abstract: 'Low-bit weights for transformers.',
    publishedAt: '2025-10-01',
    upvotes: 3,
    code: false,
    authors: [],
    sources: ['hf', 'arxiv'],
    firstSeenAt: day('11-05'),
  },
  {
    n: 9,
    title: 'Attention Kernels Revisited',
    abstract: 'Kernels with prototypes for attention.',
    publishedAt: '2024-07-30',
    upvotes: 12,
    code: false,
    authors: ['Grace Hopper'],
    sources: ['rss', 'hf'],
    firstSeenAt: day('11-06'),
    rise: { from: 0, hours: 2 },
  },
].map(corpusPaper);

/** The corpus paper numbered `n`. */
export function nth(n: number): Paper {
  return CORPUS.find((p) => p.arxivId === `2401.${String(n).padStart(5, '0')}`)!;
}

/** Corpus numbers of the papers that mention "prototype(s)". */
export const PROTOTYPE_PAPERS = [1, 2, 3, 4, 6, 7, 9];

/**
 * Facet counts of `papers`, computed here the plain way, to compare with an engine's; authors are
 * named as the paper of smallest id in `indexed` (what the index holds) spells them.
 */
export function facetCountsOf(
  papers: readonly Paper[],
  indexed: readonly Paper[] = CORPUS,
): Record<SearchFacet, Record<string, number>> {
  const counts: Record<SearchFacet, Record<string, number>> = {
    year: {},
    hasCode: {},
    source: {},
    authors: {},
  };
  const byKey = new Map<string, number>();
  for (const paper of papers)
    for (const key of new Set(authorKeysOf(paper))) byKey.set(key, (byKey.get(key) ?? 0) + 1);
  const top = [...byKey].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).slice(0, AUTHOR_FACET_SIZE);
  const byId = [...indexed].sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const [key, n] of top) {
    const name = byId.map((p) => authorNameIn(p, key)).find((found) => found !== undefined);
    counts.authors[name ?? key] = n;
  }
  const bump = (facet: SearchFacet, value: string): void => {
    counts[facet][value] = (counts[facet][value] ?? 0) + 1;
  };
  for (const paper of papers) {
    const year = yearOf(paper.publishedAt);
    if (year !== null) bump('year', String(year));
    bump('hasCode', String(paper.codeUrls.length > 0));
    for (const name of new Set(paper.sources.map((s) => s.name))) bump('source', name);
  }
  return counts;
}

export function authorKeysOf(paper: Paper): string[] {
  return paper.authors.map(authorKey);
}
