import type { Paper, SearchFilters } from '@paperwire/schema';
import { describe, expect, it } from 'vitest';

import { paperMatches, watchMatcher } from './watch-match.js';

const paper: Paper = {
  id: 'arxiv-2511_00001',
  title: 'Surface-Code Decoders for Quantum Error Correction',
  abstract: 'We train ﬁne-grained neural decoders on Émile’s benchmark.',
  authors: ['Ada Lovelace', 'José Núñez'],
  authorCount: 2,
  publishedAt: '2025-10-30',
  upvotes: 12,
  codeUrls: ['https://github.com/example/decoders'],
  arxivId: '2511.00001',
  sources: [
    {
      name: 'hf-daily-papers',
      url: 'https://huggingface.co/papers',
      format: 'hf-html',
      capturedAt: '2025-11-03T08:00:00.000Z',
      upvotes: 12,
    },
  ],
  firstSeenAt: '2025-11-03T08:00:00.000Z',
  lastSeenAt: '2025-11-03T08:00:00.000Z',
};

const sut = (query: string, filters?: SearchFilters, p: Paper = paper) =>
  paperMatches(p, watchMatcher(query, filters));

describe('paperMatches', () => {
  it('needs every query word in the title, abstract or author names, as the index folds them', () => {
    expect(sut('quantum error')).toBe(true);
    expect(sut('QUANTUM, error!')).toBe(true);
    expect(sut('surface code')).toBe(true);
    expect(sut('fine grained')).toBe(true); // the ligature in the abstract is "fi"
    expect(sut('emile')).toBe(true);
    expect(sut('nunez lovelace')).toBe(true);
    expect(sut('quantum gravity')).toBe(false);
  });

  it('matches whole words only: no prefixes, no typos', () => {
    expect(sut('quant')).toBe(false);
    expect(sut('quantun')).toBe(false);
    expect(sut('decoder')).toBe(false);
  });

  it('matches every paper on an empty query, and treats query syntax as separators', () => {
    expect(sut('')).toBe(true);
    expect(sut('"  *  -')).toBe(true);
    expect(sut('"quantum" -error*')).toBe(true);
  });

  it('applies the filters as a search does', () => {
    expect(sut('', { from: '2025-10-30', to: '2025-10-30' })).toBe(true);
    expect(sut('', { from: '2025-10-31' })).toBe(false);
    expect(sut('', { to: '2025-10-29' })).toBe(false);
    expect(sut('', { since: '2025-11-03T08:00:00.000Z' })).toBe(true);
    expect(sut('', { since: '2025-11-03T08:00:00.001Z' })).toBe(false);
    expect(sut('', { hasCode: true })).toBe(true);
    expect(sut('', { hasCode: false })).toBe(false);
    expect(sut('', { minUpvotes: 12 })).toBe(true);
    expect(sut('', { minUpvotes: 13 })).toBe(false);
    expect(sut('', { years: [2024, 2025] })).toBe(true);
    expect(sut('', { years: [2024] })).toBe(false);
    expect(sut('', { authors: ['jose-nunez'] })).toBe(true);
    expect(sut('', { authors: ['ada'] })).toBe(false);
    expect(sut('', { sources: ['arxiv-cs-lg', 'hf-daily-papers'] })).toBe(true);
    expect(sut('', { sources: ['arxiv-cs-lg'] })).toBe(false);
    expect(sut('quantum', { hasCode: true, minUpvotes: 10, years: [2025] })).toBe(true);
  });

  it('leaves out papers whose value a filter needs is unknown', () => {
    const unknown: Paper = { ...paper, publishedAt: null, upvotes: null, codeUrls: [] };
    expect(sut('', { from: '2000-01-01' }, unknown)).toBe(false);
    expect(sut('', { to: '2100-01-01' }, unknown)).toBe(false);
    expect(sut('', { years: [2025] }, unknown)).toBe(false);
    expect(sut('', { minUpvotes: 0 }, unknown)).toBe(false);
    expect(sut('', { hasCode: false }, unknown)).toBe(true);
  });

  it('refuses filters a search would refuse', () => {
    expect(() => watchMatcher('', { from: '30/10/2025' })).toThrow(RangeError);
  });
});
