import { lettersWithin, wordLetterMask } from './typos.js';

/** Words of one first letter and one length, with the letters of each (`wordLetterMask`). */
interface Bucket {
  words: string[];
  masks: number[];
}

/** What a query word's misspellings must share with it (see `Lexicon.words`). */
export interface LetterFilter {
  /** The query word's letters (`wordLetterMask`). */
  mask: number;
  /** The typos allowed. */
  typos: number;
  /** Whole words: a word may also hold at most `typos` letters the query word lacks. */
  whole: boolean;
}

/**
 * The indexed words of a search connection, in memory, by first letter and length, each with its
 * letters folded into a mask: what a query word's misspellings are looked for among. Words are
 * only ever added to the index's word list, so the lexicon grows by the words past the last one
 * it read.
 */
export class Lexicon {
  /** First letter → length in letters → words. */
  readonly #buckets = new Map<string, Map<number, Bucket>>();
  #last = 0;

  /** The id of the last word read (0: none yet). */
  get last(): number {
    return this.#last;
  }

  /** Adds the words read after `last`, in their order. */
  add(rows: Iterable<[id: number, word: string]>): void {
    for (const [id, word] of rows) {
      this.#last = id;
      if (word === '') continue;
      const first = String.fromCodePoint(word.codePointAt(0)!);
      let lengths = this.#buckets.get(first);
      if (!lengths) this.#buckets.set(first, (lengths = new Map()));
      const length = letters(word);
      let bucket = lengths.get(length);
      if (!bucket) lengths.set(length, (bucket = { words: [], masks: [] }));
      bucket.words.push(word);
      bucket.masks.push(wordLetterMask(word));
    }
  }

  /**
   * The words that start with the letter `first` and have `min` to `max` letters. With `filter`,
   * those that lack more of the query word's letters than its typos allow (each missing letter
   * takes an edit of its own), or, whole, hold more letters it lacks, are left out without
   * reading them: a word being typed is compared by its start, whose letters are some of the
   * word's, so a word this leaves out has no start within the typos either.
   */
  words(first: string, min: number, max: number, filter?: LetterFilter): string[] {
    const lengths = this.#buckets.get(first);
    if (!lengths) return [];
    const found: string[] = [];
    for (const [length, { words, masks }] of lengths) {
      if (length < min || length > max) continue;
      if (!filter) {
        found.push(...words);
        continue;
      }
      const { mask, typos, whole } = filter;
      for (let i = 0; i < words.length; i += 1)
        if (lettersWithin(mask, masks[i]!, typos, whole)) found.push(words[i]!);
    }
    return found;
  }
}

/** Code points, as SQLite's `length` and the typo rules count letters. */
function letters(word: string): number {
  let n = word.length;
  for (let i = 0; i < word.length; i += 1) {
    const unit = word.charCodeAt(i);
    if (unit >= 0xd800 && unit < 0xdc00) n -= 1;
  }
  return n;
}
