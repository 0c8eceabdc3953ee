import type { Paper, PaperId } from '@paperwire/schema';
import { normalizeTitle } from '@paperwire/schema';

import { MAX_QUERY_TERMS } from '../query.js';
import { ONE_TYPO_MIN_LENGTH } from '../typos.js';

export interface TypoQuery {
  paperId: PaperId;
  query: string;
  /** The misspelt words, as `original→typed`. */
  typos: string[];
}

export type TypoKind = 'substitution' | 'insertion' | 'deletion' | 'swap';
const KINDS: readonly TypoKind[] = ['substitution', 'insertion', 'deletion', 'swap'];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** A small deterministic generator, so a run can be replayed exactly from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * One typo in `word`, never on its first letter, and leaving a word of at least 5 letters (so
 * the typed word still has a typo budget of one).
 */
export function withTypo(word: string, kind: TypoKind, random: () => number): string {
  const chars = [...word];
  const pick = (from: number, to: number): number => from + Math.floor(random() * (to - from + 1));
  const letter = (not?: string): string => {
    for (;;) {
      const c = LETTERS[Math.floor(random() * LETTERS.length)]!;
      if (c !== not) return c;
    }
  };
  switch (kind) {
    case 'substitution': {
      const i = pick(1, chars.length - 1);
      chars[i] = letter(chars[i]);
      break;
    }
    case 'insertion':
      chars.splice(pick(1, chars.length), 0, letter());
      break;
    case 'deletion':
      chars.splice(pick(1, chars.length - 1), 1);
      break;
    case 'swap': {
      const i = pick(1, chars.length - 2);
      [chars[i], chars[i + 1]] = [chars[i + 1]!, chars[i]!];
      break;
    }
  }
  return chars.join('');
}

/**
 * Misspelt title queries: for each paper, `perPaper` queries of its title's words (as many as
 * an engine reads), each with one or two words misspelt by one typo each (substitution,
 * insertion, deletion or swap of neighbours, never on the first letter, only in words of at
 * least 5 letters and within the typed word's budget).
 */
export function typoQueries(papers: readonly Paper[], seed: number, perPaper = 5): TypoQuery[] {
  const random = seededRandom(seed);
  const queries: TypoQuery[] = [];
  for (const paper of papers) {
    const words = normalizeTitle(paper.title).split(' ').slice(0, MAX_QUERY_TERMS);
    const eligible = words
      .map((word, i) => ({ word, i }))
      .filter(({ word }) => /^\p{L}+$/u.test(word) && [...word].length >= ONE_TYPO_MIN_LENGTH);
    if (eligible.length === 0) continue;
    for (let n = 0; n < perPaper; n += 1) {
      const count = Math.min(eligible.length, random() < 0.5 ? 1 : 2);
      const chosen = shuffle(eligible, random).slice(0, count);
      const typed = [...words];
      const typos: string[] = [];
      for (const { word, i } of chosen) {
        let misspelt = word;
        while (misspelt === word) {
          const kind = KINDS[Math.floor(random() * KINDS.length)]!;
          // A deletion must leave a word that still allows a typo.
          if (kind === 'deletion' && [...word].length <= ONE_TYPO_MIN_LENGTH) continue;
          misspelt = withTypo(word, kind, random);
        }
        typed[i] = misspelt;
        typos.push(`${word}→${misspelt}`);
      }
      queries.push({ paperId: paper.id, query: typed.join(' '), typos });
    }
  }
  return queries;
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
