import { FORMATS, PaperSchema } from '@paperwire/schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { isValidPaper } from './validate.js';

const dateTime = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

const source = fc.record({
  name: fc.string({ minLength: 1, maxLength: 8 }),
  url: fc.string({ minLength: 1, maxLength: 20 }),
  format: fc.constantFrom(...FORMATS),
  capturedAt: dateTime,
  upvotes: fc.option(fc.nat(), { nil: null }),
});

const validPaper = fc.record({
  id: fc.oneof(fc.stringMatching(/^arxiv-[0-9]{4}_[0-9]{5}$/), fc.stringMatching(/^title-[0-9a-f]{24}$/)),
  title: fc.string({ minLength: 1, maxLength: 30 }),
  abstract: fc.string({ maxLength: 60 }),
  authors: fc.array(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: 4 }),
  authorCount: fc.option(fc.nat(), { nil: null }),
  publishedAt: fc.option(
    dateTime.map((d) => d.slice(0, 10)),
    { nil: null },
  ),
  upvotes: fc.option(fc.nat(), { nil: null }),
  codeUrls: fc.array(fc.webUrl(), { maxLength: 3 }),
  arxivId: fc.option(fc.string({ minLength: 1, maxLength: 12 }), { nil: null }),
  sources: fc.array(source, { minLength: 1, maxLength: 3 }),
  firstSeenAt: dateTime,
  lastSeenAt: dateTime,
});

/** Values that sit on the edges of what the schema accepts. */
const edgy = fc.oneof(
  fc.constantFrom<unknown>(
    undefined,
    null,
    '',
    ' ',
    'x',
    0,
    -0,
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    2 ** 53,
    2 ** 53 - 1,
    true,
    [],
    {},
    [''],
    [1],
    ['x'],
    [null],
    'https://github.com/a/b',
    'javascript:alert(1)',
    'mailto:a@b.c',
    'https://',
    'github.com/a/b',
    'not a url',
    '2024-02-29',
    '2023-02-29',
    '2024-13-01',
    '2024-1-01',
    '2025-11-03T00:00:00.000Z',
    '2025-11-03T00:00:00Z',
    '2025-11-03T00:00Z',
    '2025-11-03T00:00:00+01:00',
    '2025-11-03T24:00:00.000Z',
    'arxiv-2401_12345',
    'title-0123456789abcdef01234567',
    'arxiv-',
    'paper-1',
    'arxiv-2401.12345',
    `arxiv-${'a'.repeat(505)}`,
    `arxiv-${'a'.repeat(506)}`,
    'hf-text',
    'pdf',
    new Date('2025-11-03T00:00:00.000Z'),
  ),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
);

const TOP_KEYS = Object.keys(PaperSchema.shape);
const SOURCE_KEYS = Object.keys(PaperSchema.shape.sources.element.shape);

type Mutation = (paper: Record<string, unknown>) => void;

/** The first source of a paper being broken, unless an earlier mutation already replaced them. */
function firstSource(p: Record<string, unknown>): Record<string, unknown> | undefined {
  const first: unknown = Array.isArray(p.sources) ? p.sources[0] : undefined;
  return typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : undefined;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.constantFrom(...TOP_KEYS), edgy).map(([key, value]): Mutation => (p) => {
    p[key] = value;
  }),
  fc.constantFrom(...TOP_KEYS).map((key): Mutation => (p) => {
    delete p[key];
  }),
  fc.tuple(fc.constantFrom(...SOURCE_KEYS), edgy).map(([key, value]): Mutation => (p) => {
    const first = firstSource(p);
    if (first) first[key] = value;
  }),
  fc.constantFrom(...SOURCE_KEYS).map((key): Mutation => (p) => {
    const first = firstSource(p);
    if (first) delete first[key];
  }),
  fc.tuple(fc.constantFrom('authors', 'codeUrls', 'sources'), edgy).map(([key, value]): Mutation => (p) => {
    const list = p[key];
    if (Array.isArray(list)) list.push(value);
  }),
  edgy.map((value): Mutation => (p) => {
    p.extra = value;
  }),
  fc.constant<Mutation>((p) => {
    p.sources = [];
  }),
);

describe('isValidPaper', () => {
  it('accepts every valid paper', () => {
    fc.assert(
      fc.property(validPaper, (paper) => {
        expect(PaperSchema.safeParse(paper).success).toBe(true);
        expect(isValidPaper(paper)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same verdict as PaperSchema on broken papers', () => {
    fc.assert(
      fc.property(validPaper, fc.array(mutation, { minLength: 1, maxLength: 3 }), (paper, mutations) => {
        const broken = structuredClone(paper) as Record<string, unknown>;
        for (const mutate of mutations) mutate(broken);
        expect(isValidPaper(broken)).toBe(PaperSchema.safeParse(broken).success);
      }),
      { numRuns: 5000 },
    );
  });

  it('gives the same verdict on values that are not papers at all', () => {
    fc.assert(
      fc.property(fc.oneof(edgy, fc.anything()), (value) => {
        expect(isValidPaper(value)).toBe(PaperSchema.safeParse(value).success);
      }),
      { numRuns: 1000 },
    );
  });
});
