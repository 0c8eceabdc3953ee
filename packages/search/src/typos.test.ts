import { describe, expect, it } from 'vitest';

import { typoBudget, typoCost } from './typos.js';

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
