import { describe, expect, it } from 'vitest';

import { typoBudget, typoCost, typoMatcher } from './typos.js';

describe('typoBudget', () => {
  it('allows no typo under 5 letters, one from 5 to 8, two from 9', () => {
    expect(['', 'a', 'gcd', 'lora'].map(typoBudget)).toEqual([0, 0, 0, 0]);
    expect(['model', 'learning', 'forgetti'].map(typoBudget)).toEqual([1, 1, 1]);
    expect(['forgetting', 'catastrophic'].map(typoBudget)).toEqual([2, 2]);
    expect(typoBudget('x'.repeat(41))).toBe(0);
  });
});

describe('typoCost', () => {
  it('counts an insertion, a deletion, a substitution and a swap of neighbours as one typo', () => {
    expect(typoCost('forgettting', 'forgetting', 2)).toBe(1);
    expect(typoCost('forgeting', 'forgetting', 2)).toBe(1);
    expect(typoCost('forgetxing', 'forgetting', 2)).toBe(1);
    expect(typoCost('forgettign', 'forgetting', 2)).toBe(1);
    expect(typoCost('forgetting', 'forgetting', 2)).toBe(0);
  });

  it('counts two typos and refuses more than the budget', () => {
    expect(typoCost('forgetxinx', 'forgetting', 2)).toBe(2);
    expect(typoCost('forgetxinx', 'forgetting', 1)).toBeNull();
    expect(typoCost('fxrgetxinx', 'forgetting', 2)).toBeNull();
    expect(typoCost('prompt', 'prompting', 1)).toBeNull();
  });

  it('counts a typo on the first letter as two', () => {
    expect(typoCost('xorgetting', 'forgetting', 2)).toBe(2);
    expect(typoCost('orgetting', 'forgetting', 2)).toBe(2);
    expect(typoCost('ofrgetting', 'forgetting', 2)).toBe(2);
    expect(typoCost('xforgetting', 'forgetting', 2)).toBe(2);
    expect(typoCost('xodels', 'models', 1)).toBeNull();
    expect(typoCost('xorgetxing', 'forgetting', 2)).toBeNull();
  });

  it('compares a word being typed with the start of the candidate', () => {
    expect(typoCost('forgeti', 'forgetting', 1, true)).toBe(1);
    expect(typoCost('promt', 'prompting', 1, true)).toBe(1);
    expect(typoCost('pxmpt', 'prompting', 1, true)).toBeNull();
    expect(typoCost('forget', 'forgetting', 1, true)).toBe(0);
    expect(typoCost('catastrohpic', 'catastrophically', 2, true)).toBe(1);
  });

  it('works on letters, not UTF-16 units', () => {
    expect(typoCost('naïvet', 'naïves', 1)).toBe(1);
    expect(typoCost('𝔸bcdef', '𝔸bcdeg', 1)).toBe(1);
  });
});

/** The distance as the rules state it, computed plainly: what `typoMatcher`'s shortcuts must agree with. */
function reference(query: string, candidate: string, maxTypos: number, prefix: boolean): number | null {
  const a = [...query];
  const full = [...candidate];
  if (a.length === 0 || full.length === 0) return null;
  const penalty = a[0] === full[0] ? 0 : 1;
  const budget = maxTypos - penalty;
  if (budget < penalty) return null;
  const osa = (b: string[]): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) =>
      Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
    );
    for (let i = 1; i <= a.length; i += 1)
      for (let j = 1; j <= b.length; j += 1) {
        d[i]![j] = Math.min(
          d[i - 1]![j]! + 1,
          d[i]![j - 1]! + 1,
          d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
          d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
      }
    return d[a.length]![b.length]!;
  };
  let distance = Infinity;
  if (prefix)
    for (let end = Math.max(1, a.length - budget); end <= full.length; end += 1)
      distance = Math.min(distance, osa(full.slice(0, end)));
  else distance = osa(full);
  return distance <= budget ? distance + penalty : null;
}

describe('typoMatcher', () => {
  it('agrees with the plain distance on words one or two edits apart and on unrelated words', () => {
    const letters = 'abcdeéf𝔸';
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const word = (n: number) =>
      Array.from({ length: n }, () => [...letters][Math.floor(rand() * 8)]).join('');
    const edit = (w: string): string => {
      const c = [...w];
      const at = Math.floor(rand() * (c.length + 1));
      const kind = rand();
      if (kind < 0.25) c.splice(at, 0, word(1));
      else if (kind < 0.5) c.splice(at, 1);
      else if (kind < 0.75) c.splice(at, 1, word(1));
      else if (at + 1 < c.length) [c[at], c[at + 1]] = [c[at + 1]!, c[at]!];
      return c.join('');
    };
    let compared = 0;
    let matched = 0;
    for (let k = 0; k < 4000; k += 1) {
      const query = word(1 + Math.floor(rand() * 11));
      const maxTypos = Math.floor(rand() * 3);
      const prefix = rand() < 0.4;
      const matcher = typoMatcher(query, maxTypos, prefix);
      for (const candidate of [edit(query), edit(edit(query)), edit(query) + word(3), word(query.length)]) {
        expect(matcher(candidate), `${query} ~ ${candidate} (${maxTypos}${prefix ? ', prefix' : ''})`).toBe(
          reference(query, candidate, maxTypos, prefix),
        );
        compared += 1;
        if (matcher(candidate) !== null) matched += 1;
      }
    }
    // Both outcomes were tried often.
    expect(matched).toBeGreaterThan(compared / 5);
    expect(compared - matched).toBeGreaterThan(compared / 5);
  });
});
