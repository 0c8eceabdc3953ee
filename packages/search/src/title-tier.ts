import type { Paper } from '@paperwire/schema';

import { B, COLUMN_WEIGHTS, K1 } from './rank.js';
import { searchWords } from './words.js';

/**
 * The title tier: papers holding every query word in their title rank before every other paper
 * matching the query without typos (no other paper can hold the query as a phrase of its title,
 * nor as many query words there). The embedded index keeps, per title word, its papers ordered
 * by impact, so the best of the tier are read first and the read stops once the page is certain,
 * instead of scoring every paper a common word matches.
 */

/** Title positions a posting records: bits of an integer, exact in a double and in SQLite's int64. */
export const POSITION_BITS = 40;
/** Impacts are stored as integers: this many steps per unit of bm25's term-frequency part. */
const IMPACT_SCALE = 1_000_000;

export interface TitlePosting {
  term: string;
  /** bm25's term-frequency part for the word in this paper (all columns, weighted), scaled. */
  impact: number;
  /** Bit i set: the title's word i (in `searchWords` form) is this word. */
  positions: number;
}

/**
 * One posting per distinct title word of `paper`. `averageLength` is the index's average paper
 * length in words when the paper is written; impacts are not rewritten as it drifts, since they
 * only choose which papers the ranking looks at, and the ranking computes bm25 itself.
 */
export function titlePostings(paper: Paper, averageLength: number): TitlePosting[] {
  const title = searchWords(paper.title);
  if (title.length === 0) return [];
  const abstract = searchWords(paper.abstract);
  const authors = searchWords(paper.authors.join(', '));
  const length = title.length + abstract.length + authors.length;
  const norm = K1 * (1 - B + (B * length) / Math.max(1, averageLength));
  const postings = new Map<string, TitlePosting>();
  title.forEach((term, i) => {
    let posting = postings.get(term);
    if (!posting) {
      posting = { term, impact: 0, positions: 0 };
      postings.set(term, posting);
    }
    if (i < POSITION_BITS) posting.positions += 2 ** i;
  });
  const count = (words: string[], term: string) => words.reduce((n, w) => (w === term ? n + 1 : n), 0);
  for (const posting of postings.values()) {
    const f =
      COLUMN_WEIGHTS[0] * count(title, posting.term) +
      COLUMN_WEIGHTS[1] * count(abstract, posting.term) +
      COLUMN_WEIGHTS[2] * count(authors, posting.term);
    posting.impact = Math.round((IMPACT_SCALE * (f * (K1 + 1))) / (f + norm));
  }
  return [...postings.values()];
}

/** The distinct words of a paper's author names, as the index holds them. */
export function authorWords(paper: Paper): string[] {
  return [...new Set(searchWords(paper.authors.join(', ')))];
}
