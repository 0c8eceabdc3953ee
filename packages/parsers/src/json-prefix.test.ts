import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { isJsonFailure, parseJsonRecovering } from './json-prefix.js';

describe('parseJsonRecovering', () => {
  it('parses a complete document as JSON.parse does', () => {
    expect(parseJsonRecovering('[1, {"a": [2]}]', 1)).toEqual({ value: [1, { a: [2] }], cutAt: null });
  });

  it('keeps the complete elements of a cut top-level array, never half an element', () => {
    const text = '[{"a":1,"b":[1,2]},{"a":2},{"a":3,"b":[4';
    expect(parseJsonRecovering(text, 1)).toEqual({ value: [{ a: 1, b: [1, 2] }, { a: 2 }], cutAt: 26 });
    expect(parseJsonRecovering('[{"a":1},{"a":"x\\"y', 1)).toEqual({ value: [{ a: 1 }], cutAt: 8 });
    expect(parseJsonRecovering('[{"a":1}', 1)).toEqual({ value: [{ a: 1 }], cutAt: 8 });
    expect(parseJsonRecovering('[', 1)).toEqual({ value: [], cutAt: 1 });
  });

  it('keeps the complete entries of a list inside a cut object', () => {
    const text = '{"x":true,"dailyPapers":[{"p":{"id":1}},{"p":{"id":2}},{"p":{"id"';
    expect(parseJsonRecovering(text, 2)).toEqual({
      value: { x: true, dailyPapers: [{ p: { id: 1 } }, { p: { id: 2 } }] },
      cutAt: 54,
    });
  });

  it('fails a complete but invalid document, and one invalid before its cut', () => {
    expect(isJsonFailure(parseJsonRecovering('[1,,2]', 1))).toBe(true);
    expect(isJsonFailure(parseJsonRecovering('{"a":1}}', 1))).toBe(true);
    expect(isJsonFailure(parseJsonRecovering('[nope, {"a":1}, {"b"', 1))).toBe(true);
    expect(isJsonFailure(parseJsonRecovering('', 1))).toBe(true);
  });

  it('recovers exactly the elements before the cut of any array of objects', () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 3 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.nat(),
        fc.nat(),
        (list, kSeed, extraSeed) => {
          const parts = list.map((e) => JSON.stringify(e));
          const k = kSeed % parts.length;
          const head = `[${parts.slice(0, k).join(',')}`;
          const next = `${k === 0 ? '' : ','}${parts[k]}`;
          // Cut anywhere before the next element is complete.
          const text = head + next.slice(0, extraSeed % next.length);
          const recovered = parseJsonRecovering(text, 1);
          const expected: unknown = JSON.parse(`[${parts.slice(0, k).join(',')}]`);
          expect(recovered).toEqual({ value: expected, cutAt: expect.any(Number) });
        },
      ),
      { numRuns: 1000 },
    );
  });
});
