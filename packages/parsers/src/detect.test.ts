import { readdirSync, readFileSync } from 'node:fs';

import { FORMATS, type Format } from '@paperwire/schema';
import { describe, expect, it } from 'vitest';

import { ParseError, detectFormat, parsePage, type ParseContext } from './index.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);

/** Every fixture with the format its directory names; the hf-text one lives in infra/digests. */
const fixtures: [string, Format, string][] = [
  [
    'infra/digests/hf-daily-papers-2025-11-03.txt',
    'hf-text',
    readFileSync(new URL('../../../infra/digests/hf-daily-papers-2025-11-03.txt', import.meta.url), 'utf8'),
  ],
  ...readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(new URL(`${d.name}/`, FIXTURES))
        .filter((f) => !f.endsWith('.md') && !f.endsWith('.golden.json'))
        .map((f): [string, Format, string] => [
          `${d.name}/${f}`,
          d.name as Format,
          readFileSync(new URL(`${d.name}/${f}`, FIXTURES), 'utf8'),
        ]),
    ),
];

const CONTENT_TYPES = [
  'text/plain; charset=utf-8',
  'text/html; charset=utf-8',
  'application/json',
  'application/atom+xml',
  'application/rss+xml',
  'application/xml',
  'application/octet-stream',
];

describe('detectFormat on the fixtures', () => {
  it.each(fixtures)('%s is %s without a hint or content type', (_, format, text) => {
    expect(detectFormat(text, null, null)).toBe(format);
  });

  it.each(fixtures)('%s is still %s under any content type, right or wrong', (_, format, text) => {
    for (const type of CONTENT_TYPES) expect(detectFormat(text, type, null), type).toBe(format);
  });

  it.each(fixtures)('%s takes any hint given', (_, __, text) => {
    for (const hint of FORMATS) expect(detectFormat(text, 'text/html', hint)).toBe(hint);
  });
});

describe('a hint overrides detection in parsePage', () => {
  const ctx: ParseContext = {
    url: 'https://example.org/page',
    sourceName: 'detect',
    capturedAt: '2025-11-03T12:00:00.000Z',
    contentType: null,
    formatHint: null,
  };

  it.each(fixtures.filter(([path]) => !path.includes('error') && !path.includes('no-results')))(
    '%s parsed as each other format fails as that format, never as its own',
    (_, format, text) => {
      for (const hint of FORMATS.filter((f) => f !== format)) {
        let error: unknown;
        try {
          parsePage(text, { ...ctx, formatHint: hint });
        } catch (e) {
          error = e;
        }
        expect(error, `${format} parsed as ${hint}`).toBeInstanceOf(ParseError);
        expect((error as ParseError).format).toBe(hint);
        expect(['malformed', 'empty']).toContain((error as ParseError).code);
      }
    },
  );

  it('reads a JSON page served as text/html as JSON, and HTML served as JSON as HTML', () => {
    const json = fixtures.find(([, f]) => f === 'hf-json')![2];
    const html = fixtures.find(([, f]) => f === 'hf-html')![2];
    expect(parsePage(json, { ...ctx, contentType: 'text/html' }).format).toBe('hf-json');
    expect(parsePage(html, { ...ctx, contentType: 'application/json' }).format).toBe('hf-html');
  });
});

describe('detectFormat on pages no format claims', () => {
  it.each([
    ['an unrelated HTML page', '<!doctype html><html><body><p>Hello</p></body></html>', 'text/html'],
    ['an unrelated XML document', '<?xml version="1.0"?><note><to>x</to></note>', 'application/xml'],
    ['a number', '42', 'application/json'],
  ])('%s is an unknown format', (_, text, type) => {
    let error: unknown;
    try {
      detectFormat(text, type, null);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).code).toBe('unknown-format');
  });

  it('takes any JSON array or object for hf-json, the only JSON format', () => {
    expect(detectFormat('[]', null, null)).toBe('hf-json');
    expect(detectFormat('{"error":"Not Found"}', 'application/json', null)).toBe('hf-json');
  });
});
