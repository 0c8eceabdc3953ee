import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

import { endsInWord, indexForm, searchWords } from './words.js';

describe('searchWords', () => {
  it('folds case, Latin diacritics and compatibility characters', () => {
    expect(searchWords('Naïve CLIP-based “Adaptation”')).toEqual(['naive', 'clip', 'based', 'adaptation']);
    expect(searchWords('ﬁne-tuning x² Ｈｅｌｌｏ ①')).toEqual(['fine', 'tuning', 'x2', 'hello', '1']);
    expect(searchWords('Émile Łódź İstanbul ǖ')).toEqual(['emile', 'łodz', 'istanbul', 'u']);
  });

  it('keeps Hangul, kana, CJK, Greek and Cyrillic letters whole', () => {
    expect(searchWords('한국어 모델')).toEqual(['한국어', '모델']);
    expect(searchWords('が ガ か\u3099 ｶﾞ')).toEqual(['が', 'ガ', 'が', 'ガ']);
    expect(searchWords('大規模言語モデル')).toEqual(['大規模言語モデル']);
    expect(searchWords('ΣΟΦΊΑΣ йод')).toEqual(['σοφίασ', 'йод']);
  });

  it('tells whether text ends inside a word', () => {
    expect(endsInWord('catastrophic forg')).toBe(true);
    expect(endsInWord('한국')).toBe(true);
    expect(endsInWord('x²')).toBe(true);
    expect(endsInWord('forgetting ')).toBe(false);
    expect(endsInWord('forgetting"')).toBe(false);
    expect(endsInWord('')).toBe(false);
  });
});

describe('searchWords and the FTS5 tokenizer', () => {
  const db = new Database(':memory:');
  db.exec(`CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 remove_diacritics 2');
           CREATE VIRTUAL TABLE t_words USING fts5vocab(t, instance);`);
  afterAll(() => db.close());

  /** What the index holds for `text`, written as the index writes it. */
  function indexed(texts: string[]): string[][] {
    db.exec('DELETE FROM t');
    const insert = db.prepare('INSERT INTO t (rowid, x) VALUES (?, ?)');
    db.transaction(() => texts.forEach((text, i) => insert.run(i + 1, indexForm(text))))();
    const words = texts.map((): string[] => []);
    for (const row of db
      .prepare<[], { doc: number; term: string }>('SELECT doc, term FROM t_words ORDER BY doc, offset')
      .all())
      words[row.doc - 1]!.push(row.term);
    return words;
  }

  it('gives the words the index holds, for every letter, digit and mark of common scripts', () => {
    const blocks: [number, number][] = [
      [0x0020, 0x024f], // Latin
      [0x0300, 0x036f], // combining diacritics
      [0x0384, 0x03ce], // Greek
      [0x0400, 0x04ff], // Cyrillic
      [0x05b0, 0x05ea], // Hebrew points and letters
      [0x0620, 0x065f], // Arabic letters and marks
      [0x0900, 0x097f], // Devanagari
      [0x0e01, 0x0e5b], // Thai
      [0x1e00, 0x1eff], // Latin Extended Additional
      [0x3041, 0x30ff], // kana
      [0x4e00, 0x4fff], // CJK
      [0xac00, 0xafff], // Hangul
      [0xfb00, 0xfb06], // ligatures
      [0xff01, 0xff9f], // full-width and half-width forms
    ];
    const texts: string[] = [];
    for (const [from, to] of blocks)
      for (let cp = from; cp <= to; cp += 1) {
        const c = String.fromCodePoint(cp);
        // Unassigned code points and ones assigned after the tokenizer's Unicode version.
        if (/\p{Cn}/u.test(c) || cp === 0x037f || cp === 0x0e5b) continue;
        texts.push(`a${c}b ${c}Zy`);
      }
    const words = indexed(texts);
    const differing = texts
      .map((text, i) => ({ text, index: words[i]!, ours: searchWords(text) }))
      .filter(({ index, ours }) => index.join(' ') !== ours.join(' '));
    expect(differing).toEqual([]);
  });

  it('gives the words the index holds for text in many scripts', () => {
    const texts = [
      'Naïve Baselines for Class-Incremental Learning — “smart” tricks',
      'ﬁne-grained ﬂows, x² + y³ = z⁴, H₂O, ½ of ＴＥＳＴ',
      '한국어 대규모 언어 모델',
      'が ぎ ぐ か\u3099 ｶﾞｷﾞ',
      '大規模言語モデルの評価',
      'ΣΟΦΊΑΣ σοφίας Ωmega',
      'Привет, йод и ёж',
      'עִבְרִית and العَرَبِيَّة',
      'हिन्दी भाषा',
      'ภาษาไทย',
      'İstanbul DŽemal ǅ Straße ẞ ß',
      'Ⅻ ⅻ ① ℌ ℝ 𝐀𝐁 µm',
    ];
    const words = indexed(texts);
    texts.forEach((text, i) => expect(searchWords(text), text).toEqual(words[i]));
  });
});
