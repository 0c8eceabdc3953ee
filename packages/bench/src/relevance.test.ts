import { describe, expect, it } from 'vitest';

import { agreement, comparePage } from './relevance.js';

describe('comparePage', () => {
  it('calls a page identical only with the same ids in the same order', () => {
    expect(comparePage(['a', 'b', 'c'], ['a', 'b', 'c'])).toEqual({
      identical: true,
      sameFirst: true,
      shared: 1,
    });
    expect(comparePage(['a', 'c', 'b'], ['a', 'b', 'c'])).toEqual({
      identical: false,
      sameFirst: true,
      shared: 1,
    });
    expect(comparePage(['a', 'b'], ['a', 'b', 'c'])).toMatchObject({ identical: false, shared: 2 / 3 });
    expect(comparePage(['a', 'b', 'c', 'd'], ['a', 'b', 'c'])).toMatchObject({ identical: false, shared: 1 });
  });

  it('counts the reference ids the page holds, over the reference page', () => {
    expect(comparePage(['x', 'a', 'y', 'z'], ['a', 'b', 'c', 'd'])).toEqual({
      identical: false,
      sameFirst: false,
      shared: 0.25,
    });
    expect(comparePage([], ['a'])).toEqual({ identical: false, sameFirst: false, shared: 0 });
  });

  it('leaves out queries the reference has no hits for', () => {
    expect(comparePage([], [])).toBeUndefined();
    expect(comparePage(['a'], [])).toBeUndefined();
  });
});

describe('agreement', () => {
  it('sums the compared queries and averages the shared part over them only', () => {
    const summary = agreement([
      comparePage(['a', 'b'], ['a', 'b']),
      comparePage(['b', 'a'], ['a', 'b']),
      comparePage(['c', 'd'], ['a', 'b']),
      comparePage([], []),
    ]);
    expect(summary).toEqual({ queries: 3, identical: 1, sameFirst: 1, meanShared: 2 / 3 });
  });

  it('is all zeros when nothing was compared', () => {
    expect(agreement([undefined])).toEqual({ queries: 0, identical: 0, sameFirst: 0, meanShared: 0 });
  });
});
