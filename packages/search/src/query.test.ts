import { describe, expect, it } from 'vitest';

import { MAX_QUERY_TERMS, paperTermWeights, plainQuery, queryTerms } from './query.js';

describe('queryTerms', () => {
  it('keeps words only, lower-cased and without accents', () => {
    expect(queryTerms('Naïve CLIP-based "Adaptation"')).toEqual({
      terms: ['naive', 'clip', 'based', 'adaptation'],
      lastIsPrefix: false,
    });
    expect(queryTerms('title:(forgetting OR NEAR) -gcd*')).toEqual({
      terms: ['title', 'forgetting', 'or', 'near', 'gcd'],
      lastIsPrefix: false,
    });
  });

  it('keeps words of every script as the index holds them', () => {
    expect(queryTerms('한국어 が ﬁne x²')).toEqual({
      terms: ['한국어', 'が', 'fine', 'x2'],
      lastIsPrefix: true,
    });
    expect(queryTerms('한국').lastIsPrefix).toBe(true);
  });

  it('treats the last word as a prefix while it is being typed', () => {
    expect(queryTerms('category disc')).toEqual({ terms: ['category', 'disc'], lastIsPrefix: true });
    expect(queryTerms('category disc ')).toEqual({ terms: ['category', 'disc'], lastIsPrefix: false });
  });

  it('has no words for punctuation alone', () => {
    for (const q of ['', '   ', '"*"', '-', '()', ':'])
      expect(queryTerms(q)).toEqual({ terms: [], lastIsPrefix: false });
  });

  it(`keeps at most ${MAX_QUERY_TERMS} words, and then none is a prefix`, () => {
    const q = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    const { terms, lastIsPrefix } = queryTerms(q);
    expect(terms).toHaveLength(MAX_QUERY_TERMS);
    expect(lastIsPrefix).toBe(false);
  });
});

describe('plainQuery', () => {
  it('marks a complete last word with a trailing space', () => {
    expect(plainQuery(queryTerms('"catastrophic forgetting"'))).toBe('catastrophic forgetting ');
    expect(plainQuery(queryTerms('catastrophic forg'))).toBe('catastrophic forg');
    expect(plainQuery(queryTerms('*'))).toBe('');
  });
});

describe('paperTermWeights', () => {
  it('weighs title words above abstract words and drops stop words, numbers and short words', () => {
    const weights = paperTermWeights(
      'Prototype Learning for GCD',
      'We learn prototypes in 2 stages of the learning.',
    );
    expect(weights.get('prototype')).toBe(3);
    expect(weights.get('learning')).toBe(4);
    expect(weights.get('gcd')).toBe(3);
    expect(weights.has('for')).toBe(false);
    expect(weights.has('the')).toBe(false);
    expect(weights.has('we')).toBe(false);
    expect(weights.has('2')).toBe(false);
  });
});
