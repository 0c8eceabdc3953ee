import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { splitRss1Title } from './arxiv-rss.js';
import { AUTHORS_LINE } from './hf-text.js';

/** Lines made of the pieces an authors line is made of, in any order and amount. */
const trailerish = fc
  .array(
    fc.constantFrom(
      ' ',
      '  ',
      '\t',
      '\u00a0',
      '\u2028',
      '•',
      '-',
      '·',
      '4',
      '12',
      'author',
      'authors',
      'AUTHORS',
      'Jul 17',
      ',',
      'x',
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

describe('AUTHORS_LINE', () => {
  // The pattern as first written; it splits long runs of spaces every possible way.
  const ORIGINAL = /^\s*(?:[•*-]\s*)?(\d+)\s+authors?\s*(?:·\s*(.*?))?\s*$/i;

  it('matches what the original pattern matches, with the same count and date text', () => {
    fc.assert(
      fc.property(trailerish, (line) => {
        const before = ORIGINAL.exec(line);
        const after = AUTHORS_LINE.exec(line);
        expect(after === null).toBe(before === null);
        if (before && after) {
          expect(after[1]).toBe(before[1]);
          expect(after[2] || '').toBe(before[2] || '');
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('splitRss1Title', () => {
  // The pattern as first written, run on the whole title.
  const ORIGINAL = /\.?\s*\(arXiv:([^\s)]+)[^)]*\)\s*$/;
  const original = (written: string) => {
    const m = ORIGINAL.exec(written);
    return m
      ? { title: written.slice(0, m.index).trimEnd(), idFromTitle: m[1] ?? null }
      : { title: written, idFromTitle: null };
  };

  it.each([
    ['Learning Rate Warmup. (arXiv:2312.12001v1 [cs.LG])', 'Learning Rate Warmup', '2312.12001v1'],
    ['Tom & Jerry. (arXiv:2312.11876v1 [cs.CV] CROSS LISTED)', 'Tom & Jerry', '2312.11876v1'],
    ['Do Transformers Dream?. (arXiv:2312.12222v1 [cs.LG])', 'Do Transformers Dream?', '2312.12222v1'],
    [
      'Ends With A Period.. (arXiv:math/0601001v2 [math.ST] UPDATED)',
      'Ends With A Period.',
      'math/0601001v2',
    ],
    ['A Plain Title', 'A Plain Title', null],
    ['Cites (arXiv:1234.5678) In The Middle', 'Cites (arXiv:1234.5678) In The Middle', null],
  ])('%s', (written, title, id) => {
    expect(splitRss1Title(written)).toEqual({ title, idFromTitle: id });
  });

  it('splits as the original pattern did, on any title', () => {
    const titleish = fc
      .array(
        fc.constantFrom(' ', '.', '(', ')', '(arXiv:', '2401.12345v1', ' [cs.LG]', ' UPDATED', 'Title', '?'),
        {
          maxLength: 14,
        },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(titleish, (written) => {
        expect(splitRss1Title(written)).toEqual(original(written));
      }),
      { numRuns: 5000 },
    );
  });
});
