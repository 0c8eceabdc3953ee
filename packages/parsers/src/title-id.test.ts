import { paperIdFromTitle } from '@paperwire/schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { titlePaperId } from './title-id.js';

describe('titlePaperId', () => {
  it('gives the id paperIdFromTitle gives, for ASCII and any other title', () => {
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
          expect(titlePaperId(title)).toBe(paperIdFromTitle(title));
        },
      ),
      { numRuns: 5000 },
    );
  });
});
