/**
 * The indexed words of a search connection, in memory, by first letter and length: what a query
 * word's misspellings are looked for among. Words are only ever added to the index's word list,
 * so the lexicon grows by the words past the last one it read.
 */
export class Lexicon {
  /** First letter → length in letters → words. */
  readonly #buckets = new Map<string, Map<number, string[]>>();
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
      let words = lengths.get(length);
      if (!words) lengths.set(length, (words = []));
      words.push(word);
    }
  }

  /** The words that start with the letter `first` and have `min` to `max` letters. */
  *words(first: string, min: number, max: number): Generator<string> {
    const lengths = this.#buckets.get(first);
    if (!lengths) return;
    for (const [length, words] of lengths) if (length >= min && length <= max) yield* words;
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
