import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  normalizeTitle,
  normalizeTitleUnicode,
  paperIdFromArxiv,
  paperIdFromTitle,
  parseArxivId,
} from './ids.js';

describe('normalizeTitle', () => {
  it('takes its ASCII shortcut only where the general form gives the same result', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({
            unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)),
            maxLength: 80,
          }),
          fc.string({ maxLength: 40 }),
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.constantFrom(
            'GLAD: Generalizable Tuning',
            'Schrödinger  Bridges',
            'ŒUVRE',
            'Ａｔｔｅｎｔｉｏｎ',
            '',
            ' \t\n',
          ),
        ),
        (title) => {
          expect(normalizeTitle(title)).toBe(normalizeTitleUnicode(title));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('ignores case, accents, punctuation and spacing', () => {
    expect(normalizeTitle('Only-IF:Revealing  the Decisive')).toBe('only if revealing the decisive');
    expect(normalizeTitle('Schrödinger Bridges')).toBe(normalizeTitle('schrodinger  bridges!'));
    expect(paperIdFromTitle('A  Title')).toBe(paperIdFromTitle('a title'));
    expect(paperIdFromTitle('A Title')).toMatch(/^title-[0-9a-f]{24}$/);
  });
});

describe('arXiv ids', () => {
  it('parses the forms sources print and maps them to document ids', () => {
    expect(parseArxivId('arXiv:2401.12345v2')).toEqual({ id: '2401.12345', version: 2 });
    expect(parseArxivId('http://arxiv.org/abs/hep-th/9901001v1')).toEqual({
      id: 'hep-th/9901001',
      version: 1,
    });
    expect(parseArxivId('not an id')).toBeNull();
    expect(paperIdFromArxiv('2401.12345')).toBe('arxiv-2401_12345');
    expect(paperIdFromArxiv('hep-th/9901001')).toBe('arxiv-hep-th_9901001');
  });
});
