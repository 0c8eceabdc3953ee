/**
 * Words as the SQLite index holds them, so that query words compare with indexed words (exact
 * and typo matches, prefixes, the title phrase, highlights).
 *
 * Text is indexed in NFKC form (`indexForm`): ligatures, superscripts, full-width and other
 * compatibility characters become their plain letters and digits, and decomposed kana or
 * Hangul are composed. The FTS5 tokenizer (`unicode61 remove_diacritics 2`) then splits and
 * folds it; `searchWords` folds the same way:
 * - letters, digits and private-use characters make words; the combining diacritics the
 *   tokenizer knows (`DIACRITIC`) belong to the word and are dropped; everything else,
 *   including other combining marks, separates words;
 * - letters are lower-cased, final sigma becomes sigma;
 * - a Latin letter with diacritics becomes its plain letter (é → e, ǖ → u); other scripts keep
 *   theirs (が, й and ά stay as they are).
 *
 * `normalizeTitle` (behind paper ids) is another normalization and stays as it is.
 */

const NON_ASCII = /[\u0080-\uffff]/;
/** The combining marks the tokenizer counts as diacritics: U+0300–U+0331, not all of them. */
const DIACRITIC_CLASS =
  '\\u0300-\\u0304\\u0306-\\u030c\\u030f\\u0311\\u031b\\u0323-\\u0328\\u032d\\u032e\\u0330\\u0331';
const DIACRITIC = new RegExp(`^[${DIACRITIC_CLASS}]$`, 'u');
const WORD_CHAR = new RegExp(`[\\p{L}\\p{N}\\p{Co}${DIACRITIC_CLASS}]`, 'u');
const WORD = new RegExp(`[\\p{L}\\p{N}\\p{Co}${DIACRITIC_CLASS}]+`, 'gu');
const LATIN_WITH_MARKS = /^([a-z])[\u0300-\u036f]+$/;
/** Latin letters with diacritics that the tokenizer leaves as they are. */
const KEPT_AS_IS = new Set(['ǡ']);

/** Text as it goes into the full-text index. */
export function indexForm(text: string): string {
  return isPlain(text) ? text : text.normalize('NFKC');
}

/**
 * Whether `text` is plain ASCII, whose words are its runs of letters and digits, lower-cased:
 * no normalization or folding applies.
 */
export function isPlain(text: string): boolean {
  return !NON_ASCII.test(text);
}

/** The words of `text` as the index holds them, in order. */
export function searchWords(text: string): string[] {
  if (isPlain(text)) return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const words: string[] = [];
  for (const [raw] of text.normalize('NFKC').matchAll(WORD)) {
    const word = fold(raw);
    if (word !== '') words.push(word);
  }
  return words;
}

/** Whether `text` ends inside a word (rather than with a separator). */
export function endsInWord(text: string): boolean {
  const last = [...text.normalize('NFKC')].at(-1);
  return last !== undefined && WORD_CHAR.test(last);
}

function fold(word: string): string {
  let folded = '';
  for (const c of word.toLowerCase()) {
    if (DIACRITIC.test(c)) continue;
    if (c === 'ς') {
      folded += 'σ';
      continue;
    }
    const base = c > '\u007f' && !KEPT_AS_IS.has(c) ? LATIN_WITH_MARKS.exec(c.normalize('NFD')) : null;
    folded += base ? base[1] : c;
  }
  return folded;
}
