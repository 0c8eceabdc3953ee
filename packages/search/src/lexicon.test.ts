import { describe, expect, it } from 'vitest';

import { Lexicon } from './lexicon.js';
import { typoMatcher, wordLetterMask } from './typos.js';

describe('Lexicon', () => {
  it('lists the words by first letter and length, in the order they were added', () => {
    const lexicon = new Lexicon();
    lexicon.add([
      [1, 'model'],
      [2, 'models'],
      [3, 'mode'],
      [4, 'data'],
      [5, '𝔸bc'],
    ]);
    expect(lexicon.last).toBe(5);
    expect(lexicon.words('m', 5, 6).sort()).toEqual(['model', 'models']);
    expect(lexicon.words('m', 4, 4)).toEqual(['mode']);
    expect(lexicon.words('𝔸', 3, 3)).toEqual(['𝔸bc']);
    expect(lexicon.words('x', 1, 10)).toEqual([]);
  });

  it('leaves out by their letters only words that are not within the typos', () => {
    const letters = 'abcdeéfg𝔸';
    let seed = 11;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const word = (n: number) =>
      Array.from({ length: n }, () => [...letters][Math.floor(rand() * letters.length)]).join('');
    const lexicon = new Lexicon();
    lexicon.add(Array.from({ length: 2000 }, (_, i) => [i + 1, `a${word(2 + Math.floor(rand() * 8))}`]));
    let kept = 0;
    let left = 0;
    const wrong: string[] = [];
    for (let k = 0; k < 300; k += 1) {
      const query = `a${word(3 + Math.floor(rand() * 6))}`;
      const typos = 1 + Math.floor(rand() * 2);
      const prefix = rand() < 0.5;
      const matcher = typoMatcher(query, typos, prefix);
      const all = lexicon.words('a', 1, Infinity);
      const filtered = new Set(
        lexicon.words('a', 1, Infinity, { mask: wordLetterMask(query), typos, whole: !prefix }),
      );
      for (const candidate of all) {
        if (filtered.has(candidate)) kept += 1;
        else {
          left += 1;
          if (matcher(candidate) !== null)
            wrong.push(`${query} ~ ${candidate} (${typos}${prefix ? ', prefix' : ''})`);
        }
      }
    }
    expect(wrong).toEqual([]);
    // The letters leave most words out, and keep some.
    expect(left).toBeGreaterThan(kept);
    expect(kept).toBeGreaterThan(0);
  });
});
