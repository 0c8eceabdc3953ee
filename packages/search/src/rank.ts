import type { Paper, SearchSort } from '@paperwire/schema';
import { trendingScore } from '@paperwire/schema';

import { isPlain, searchWords } from './words.js';

/** bm25 column weights (title, abstract, authors): a word in the title says far more. */
export const COLUMN_WEIGHTS = [10, 1, 2] as const;
/** FTS5's own bm25 parameters. */
export const K1 = 1.2;
export const B = 0.75;

/** FTS5's bm25 idf of a phrase `documents` of `papers` papers hold (never 0 or below). */
export function idf(papers: number, documents: number): number {
  const value = Math.log((papers - documents + 0.5) / (documents + 0.5));
  return value <= 0 ? 1e-6 : value;
}

/** One indexed word (or, with `prefix`, every word it starts) that a query word matches. */
export interface Alternative {
  word: string;
  prefix: boolean;
  /** Typos between the query word and this one. */
  cost: number;
  /** Papers holding it (FTS5's count for the phrase). */
  documents: number;
  /**
   * A prefix's indexed words, when it starts few enough to name: FTS5 reads their lists as it
   * needs them, where a prefix with no index of its own makes it merge every such list first.
   */
  words?: readonly string[];
}

/** An alternative, with where it is in the ranker's list of every term's alternatives. */
interface AlternativeAt {
  word: string;
  prefix: boolean;
  index: number;
}

/** What one query word matches. */
export interface TermMatch {
  term: string;
  prefix: boolean;
  /** The query word itself (cost 0) first, then misspellings of it, closest first. */
  alternatives: Alternative[];
}

/** What bm25 needs of the whole index. */
export interface IndexTotals {
  papers: number;
  /** Words indexed in all columns of all papers. */
  words: number;
}

/**
 * Ranking keys of one paper for a query, in the order they count: Meilisearch's rules (words,
 * typo, proximity as the query being a phrase of the title, attribute), then bm25.
 */
export interface RankKeys {
  /** Query words matched in a row from the first. */
  words: number;
  /** Typos of those words (each word at its closest alternative). */
  typos: number;
  /** 0: the title is the query; 1: the title holds the query as a phrase; 2: neither. */
  phrase: number;
  /** Of those words, how many are in the title, in the author names. */
  titleTerms: number;
  authorTerms: number;
  /** FTS5's bm25 of the paper for every alternative of every query word (lower is better). */
  score: number;
}

/** A paper to rank, with its words in all columns as the index counts them, when known. */
export interface Candidate {
  paper: Paper;
  length?: number | undefined;
}

export interface Ranked {
  paper: Paper;
  keys: RankKeys;
}

/**
 * Computes the ranking keys of papers for one query. The keys are the ones the SQLite engine
 * used to compute in SQL over every match; here they are computed for the few papers that can
 * make the page, from their text, by the same rules: the words as the index holds them
 * (`searchWords`) and bm25 as FTS5 computes it (same phrases, weights, parameters and order of
 * operations), so that the order does not depend on which papers were candidates.
 */
export class Ranker {
  readonly #terms: TermMatch[];
  readonly #phrase: string;
  readonly #phraseEnd: string;
  /** Every alternative of every term, in the order of the FTS5 expression bm25 runs over. */
  readonly #phrases: Alternative[];
  readonly #idf: number[];
  readonly #averageLength: number;
  /** Where each term's alternatives are in `#phrases`, in the term's order. */
  readonly #termPhrases: number[][];
  /**
   * By the first UTF-16 unit of a word, the alternatives it can be: each with where it is in
   * `#phrases` (an alternative several query words share is listed once for each). ASCII units,
   * which start most words, index an array; the others a map.
   */
  readonly #byAsciiLetter: AlternativeAt[][] = Array.from({ length: 128 }, () => []);
  readonly #byOtherLetter = new Map<number, AlternativeAt[]>();

  constructor(terms: TermMatch[], lastIsPrefix: boolean, totals: IndexTotals) {
    this.#terms = terms;
    this.#phrase = terms.map((t) => t.term).join(' ');
    this.#phraseEnd = lastIsPrefix ? '' : ' ';
    this.#phrases = terms.flatMap((t) => t.alternatives);
    let at = 0;
    this.#termPhrases = terms.map((t) => t.alternatives.map(() => at++));
    this.#averageLength = totals.words / totals.papers;
    this.#idf = this.#phrases.map((p) => idf(totals.papers, p.documents));
    for (const [i, phrase] of this.#phrases.entries()) {
      const first = phrase.word.charCodeAt(0);
      const alike = this.#byAsciiLetter[first] ?? this.#byOtherLetter.get(first) ?? [];
      alike.push({ word: phrase.word, prefix: phrase.prefix, index: i });
      if (first >= 128) this.#byOtherLetter.set(first, alike);
    }
  }

  /**
   * `length`, when known, is the paper's words in all columns as the index counts them (FTS5's
   * document size): then plain text is not read word by word, only searched for each alternative.
   */
  keys(paper: Paper, length?: number): RankKeys {
    // Each column's count of every alternative (a prefix adds up the words it starts).
    const perColumn = COLUMN_WEIGHTS.map(() => new Array<number>(this.#phrases.length).fill(0));
    const title = searchWords(paper.title);
    const authors = paper.authors.join(', ');
    const titleWords = this.#countWords(title, perColumn[0]!);
    if (length === undefined) {
      length =
        titleWords + this.#countText(paper.abstract, perColumn[1]!) + this.#countText(authors, perColumn[2]!);
    } else {
      this.#findAll(paper.abstract, perColumn[1]!);
      this.#findAll(authors, perColumn[2]!);
    }
    const [inTitle, inAbstract, inAuthors] = perColumn as [number[], number[], number[]];
    const frequencies = this.#phrases.map((_, i) =>
      perColumn.reduce((f, counts, column) => f + counts[i]! * COLUMN_WEIGHTS[column]!, 0),
    );
    // Alternatives are listed cheapest first, so the first present one is the cheapest.
    let words = 0;
    let typos = 0;
    let titleTerms = 0;
    let authorTerms = 0;
    for (const [t, indices] of this.#termPhrases.entries()) {
      const cheapest = indices.findIndex((i) => inTitle[i]! > 0 || inAbstract[i]! > 0 || inAuthors[i]! > 0);
      if (cheapest < 0) break;
      words += 1;
      typos += this.#terms[t]!.alternatives[cheapest]!.cost;
      if (indices.some((i) => inTitle[i]! > 0)) titleTerms += 1;
      if (indices.some((i) => inAuthors[i]! > 0)) authorTerms += 1;
    }
    const titleText = title.join(' ');
    const phrase =
      titleText === this.#phrase
        ? 0
        : ` ${titleText} `.includes(` ${this.#phrase}${this.#phraseEnd}`)
          ? 1
          : 2;
    let score = 0;
    for (let i = 0; i < this.#phrases.length; i += 1) {
      const f = frequencies[i]!;
      score += this.#idf[i]! * ((f * (K1 + 1.0)) / (f + K1 * (1 - B + (B * length) / this.#averageLength)));
    }
    return { words, typos, phrase, titleTerms, authorTerms, score: -1.0 * score };
  }

  /** Adds `words`' counts of each alternative to `counts`; returns how many words there are. */
  #countWords(words: readonly string[], counts: number[]): number {
    for (const word of words) this.#count(word, counts);
    return words.length;
  }

  /**
   * `#countWords` of the words of `text`. Plain ASCII text (most of it) is read a character at a
   * time, as `searchWords` splits it, and a word is compared in place with the alternatives that
   * start with its first letter, without being cut out.
   */
  #countText(text: string, counts: number[]): number {
    if (!isPlain(text)) return this.#countWords(searchWords(text), counts);
    const lower = text.toLowerCase();
    let words = 0;
    let start = -1;
    for (let i = 0; i <= lower.length; i += 1) {
      const c = i < lower.length ? lower.charCodeAt(i) : 0;
      if (isWordUnit(c)) {
        if (start < 0) start = i;
        continue;
      }
      if (start < 0) continue;
      words += 1;
      const length = i - start;
      for (const { word, prefix, index } of this.#byAsciiLetter[lower.charCodeAt(start)]!)
        if ((prefix ? length >= word.length : length === word.length) && lower.startsWith(word, start))
          counts[index]! += 1;
      start = -1;
    }
    return words;
  }

  /**
   * Adds the counts of each alternative in `text`, without counting its words: plain text is
   * searched for each alternative, and a find counts where it starts a word (and, unless the
   * alternative is a prefix, ends one). An alternative holds only characters of words, so no word
   * starts inside a find, and the search goes on past it.
   */
  #findAll(text: string, counts: number[]): void {
    if (!isPlain(text)) {
      this.#countWords(searchWords(text), counts);
      return;
    }
    const lower = text.toLowerCase();
    for (const [i, { word, prefix }] of this.#phrases.entries()) {
      for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + Math.max(1, word.length))) {
        if (at > 0 && isWordUnit(lower.charCodeAt(at - 1))) continue;
        const end = at + word.length;
        if (!prefix && end < lower.length && isWordUnit(lower.charCodeAt(end))) continue;
        counts[i]! += 1;
      }
    }
  }

  #count(word: string, counts: number[]): void {
    const first = word.charCodeAt(0);
    const alike = first < 128 ? this.#byAsciiLetter[first]! : (this.#byOtherLetter.get(first) ?? []);
    for (const { word: alternative, prefix, index } of alike)
      if (prefix ? word.startsWith(alternative) : word === alternative) counts[index]! += 1;
  }
}

/** Whether an ASCII unit of lower-cased text is part of a word (`searchWords` of plain text). */
function isWordUnit(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

/** Relevance order: the ranking keys, then the newest paper, then the id. */
export function byRelevance(a: Ranked, b: Ranked): number {
  return (
    b.keys.words - a.keys.words ||
    a.keys.typos - b.keys.typos ||
    a.keys.phrase - b.keys.phrase ||
    b.keys.titleTerms - a.keys.titleTerms ||
    b.keys.authorTerms - a.keys.authorTerms ||
    a.keys.score - b.keys.score ||
    newestFirst(a.paper, b.paper)
  );
}

/** An explicit sort: strict on its value (unknown values last either way), relevance breaking ties. */
export function bySort(sort: SearchSort): (a: Ranked, b: Ranked) => number {
  const nullsLast = <T>(x: T | null, y: T | null, order: (x: T, y: T) => number): number =>
    x === null ? (y === null ? 0 : 1) : y === null ? -1 : order(x, y);
  // The engines store the same number, computed by the same function from the same record.
  const scores = new Map<Paper, number | null>();
  const trending = (paper: Paper): number | null => {
    if (!scores.has(paper)) scores.set(paper, trendingScore(paper));
    return scores.get(paper)!;
  };
  const primary = (a: Paper, b: Paper): number => {
    switch (sort) {
      case 'relevance':
        return 0;
      case 'publishedAt:desc':
        return nullsLast(a.publishedAt, b.publishedAt, (x, y) => compareText(y, x));
      case 'publishedAt:asc':
        return nullsLast(a.publishedAt, b.publishedAt, compareText);
      case 'firstSeenAt:desc':
        return compareText(b.firstSeenAt, a.firstSeenAt);
      case 'upvotes:desc':
        return nullsLast(a.upvotes, b.upvotes, (x, y) => y - x);
      case 'trending':
        return nullsLast(trending(a), trending(b), (x, y) => y - x);
    }
  };
  return (a, b) => primary(a.paper, b.paper) || byRelevance(a, b);
}

function newestFirst(a: Paper, b: Paper): number {
  return compareText(b.firstSeenAt, a.firstSeenAt) || compareText(a.id, b.id);
}

/** SQLite's BINARY collation on the ASCII values compared here. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
