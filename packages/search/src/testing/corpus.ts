import type { Format, Paper, SearchFacet } from '@paperwire/schema';
import { authorKey, canonicalPaper, paperIdFromArxiv } from '@paperwire/schema';

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
}

const FORMAT_OF: Record<string, Format> = { hf: 'hf-text', arxiv: 'arxiv-atom', rss: 'arxiv-rss' };

function corpusPaper(spec: PaperSpec): Paper {
  const arxivId = `2401.${String(spec.n).padStart(5, '0')}`;
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
    sources: spec.sources.map((name) => ({
      name,
      url: `https://${name}.example/list`,
      format: FORMAT_OF[name] ?? 'hf-text',
      capturedAt: spec.firstSeenAt,
      // Counts come from one source, so the paper's upvotes are the ones given.
      upvotes: name === spec.sources[0] ? spec.upvotes : null,
    })),
    firstSeenAt: spec.firstSeenAt,
    lastSeenAt: spec.firstSeenAt,
  });
}

const day = (d: string): string => `2025-${d}T00:00:00.000Z`;

/**
 * Nine papers whose values cover every filter, sort and facet case: unknown dates and counts,
 * equal dates and counts (ties), several sources per paper, accented author names, and a title
 * that is markup. "prototype" (or "prototypes") is in the title of 1, 4, 6, 7, in the abstract of
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
  },
].map(corpusPaper);

/** The corpus paper numbered `n`. */
export function nth(n: number): Paper {
  return CORPUS.find((p) => p.arxivId === `2401.${String(n).padStart(5, '0')}`)!;
}

/** Corpus numbers of the papers that mention "prototype(s)". */
export const PROTOTYPE_PAPERS = [1, 2, 3, 4, 6, 7, 9];

/** Facet counts of `papers`, computed here the plain way, to compare with an engine's. */
export function facetCountsOf(papers: readonly Paper[]): Record<SearchFacet, Record<string, number>> {
  const counts: Record<SearchFacet, Record<string, number>> = { year: {}, hasCode: {}, source: {} };
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
