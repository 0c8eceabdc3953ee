import { readFileSync } from 'node:fs';

import { FORMATS, PaperSchema, type Format } from '@paperwire/schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { invalidUtf8Offset } from './decode.js';
import {
  FORMAT_PARSERS,
  ParseError,
  decodeBody,
  detectFormat,
  parsePage,
  type ParseContext,
} from './index.js';

const FIXTURE = new URL('../../../infra/digests/hf-daily-papers-2025-11-03.txt', import.meta.url);
const fixtureBytes = readFileSync(FIXTURE);
const fixtureText = fixtureBytes.toString('utf8');

const ctx: ParseContext = {
  url: 'file:///digests/hf-daily-papers-2025-11-03.txt',
  sourceName: 'hf-archive',
  capturedAt: '2025-11-03T00:00:00.000Z',
  contentType: null,
  formatHint: null,
};

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Runs `fn` and returns the ParseError it throws; fails if it throws anything else or nothing. */
function parseErrorOf(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  }
  throw new Error('expected a ParseError, nothing was thrown');
}

describe('detectFormat', () => {
  it('recognizes the hf-text listing with or without a content type', () => {
    expect(detectFormat(fixtureText, null, null)).toBe('hf-text');
    expect(detectFormat(fixtureText, 'text/plain; charset=utf-8', null)).toBe('hf-text');
  });

  it('lets the hint win', () => {
    expect(detectFormat('anything at all', null, 'hf-text')).toBe('hf-text');
  });

  it('refuses a hint for a format it cannot parse, naming the ones it can', () => {
    // Every format of the schema has a parser now; a hint from a newer producer may not.
    const hint = 'pdf' as Format;
    const error = parseErrorOf(() => detectFormat(fixtureText, null, hint));
    expect(error.code).toBe('unknown-format');
    expect(error.format).toBe('pdf');
    expect(error.message).toContain('hf-text, hf-html, hf-json, arxiv-atom, arxiv-rss');
  });

  it('has a parser for every format of the schema', () => {
    expect(FORMAT_PARSERS.map((p) => p.format).sort()).toEqual([...FORMATS].sort());
  });

  it('names the formats tried and shows the start of the page, escaped', () => {
    const html = '<!doctype html>\n<html><head><title>Daily Papers</title></head>\t<body>' + 'x'.repeat(200);
    const error = parseErrorOf(() => detectFormat(html, 'text/html', null));
    expect(error.code).toBe('unknown-format');
    expect(error.format).toBeNull();
    expect(error.message).toContain('tried hf-text, hf-html, hf-json, arxiv-atom, arxiv-rss');
    expect(error.message).toContain('content-type text/html');
    expect(error.message).toContain(
      '"<!doctype html>\\n<html><head><title>Daily Papers</title></head>\\t<body>xxxx',
    );
    expect(error.message.length).toBeLessThan(300);
  });

  it('says "empty" for a blank page', () => {
    expect(parseErrorOf(() => detectFormat(' \n\t\n', null, null)).code).toBe('empty');
  });
});

describe('decodeBody', () => {
  it('decodes UTF-8 and drops a BOM', () => {
    expect(decodeBody(utf8('\uFEFFNov 3 · Ünïcödé'))).toBe('Nov 3 · Ünïcödé');
    expect(decodeBody(new Uint8Array())).toBe('');
  });

  it('refuses binary content, showing its first bytes', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
    const error = parseErrorOf(() => decodeBody(png));
    expect(error.code).toBe('unknown-format');
    expect(error.message).toContain('NUL byte at offset 8');
    expect(error.message).toContain('89 50 4e 47 0d 0a 1a 0a 00');
    expect(error.message).toContain('"\\x89PNG\\x0d\\x0a\\x1a\\x0a\\x00');
  });

  it('refuses invalid UTF-8, saying where', () => {
    const latin1 = new Uint8Array([...utf8('caf'), 0xe9, ...utf8(' au lait')]);
    const error = parseErrorOf(() => decodeBody(latin1));
    expect(error.code).toBe('unknown-format');
    expect(error.message).toContain('not valid UTF-8 (first invalid byte at offset 3)');
    expect(error.message).toContain('63 61 66 e9 20');
  });

  it('locates invalid UTF-8 exactly as the decoder judges it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        let valid = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          valid = false;
        }
        expect(invalidUtf8Offset(bytes) === -1).toBe(valid);
      }),
      { numRuns: 2000 },
    );
    expect(invalidUtf8Offset(new Uint8Array([0x61, 0xed, 0xa0, 0x80]))).toBe(1); // a surrogate
    expect(invalidUtf8Offset(new Uint8Array([0xc0, 0xaf]))).toBe(0); // overlong "/"
    expect(invalidUtf8Offset(new Uint8Array([0x61, 0xe2, 0x82]))).toBe(1); // truncated "€"
  });
});

describe('parsePage', () => {
  it('gives identical output for the same input, as bytes, as a string or with a BOM', () => {
    const first = parsePage(fixtureBytes, ctx);
    expect(parsePage(fixtureBytes, ctx)).toEqual(first);
    expect(parsePage(fixtureText, ctx)).toEqual(first);
    expect(parsePage(new Uint8Array([0xef, 0xbb, 0xbf, ...fixtureBytes]), ctx)).toEqual(first);
    expect(JSON.stringify(parsePage(fixtureBytes, ctx))).toBe(JSON.stringify(first));
  });

  it('records the page as the source of every paper', () => {
    const { papers } = parsePage(fixtureBytes, { ...ctx, formatHint: 'hf-text' });
    for (const p of papers) {
      expect(p.sources).toEqual([
        {
          name: 'hf-archive',
          url: ctx.url,
          format: 'hf-text',
          capturedAt: ctx.capturedAt,
          upvotes: p.upvotes,
        },
      ]);
      expect([p.firstSeenAt, p.lastSeenAt]).toEqual([ctx.capturedAt, ctx.capturedAt]);
    }
  });

  it('resolves yearless dates against the capture time across a year boundary', () => {
    const page =
      'Daily Papers\n\nJan 5\n\nLate\n\nAbstract.\n\n  • 2 authors\n·\nDec 30\n\nEarly\n\nAbstract.\n\n  • 2 authors\n·\nJan 5 4\n';
    const { papers } = parsePage(page, { ...ctx, capturedAt: '2026-01-05T10:00:00.000Z' });
    expect(papers.map((p) => [p.title, p.publishedAt, p.upvotes])).toEqual([
      ['Late', '2025-12-30', null],
      ['Early', '2026-01-05', 4],
    ]);
  });

  it('merges a paper listed twice on one page, with a warning', () => {
    const entry = (upvotes: string) => `Same Paper\n\nAbstract.\n\n  • 3 authors\n·\nJul 17${upvotes}\n\n`;
    const { papers, warnings } = parsePage(entry('') + entry(' 5'), ctx);
    expect(papers).toHaveLength(1);
    expect(papers[0]?.upvotes).toBe(5);
    expect(warnings).toEqual(['"Same Paper" appears 2 times on the page; merged into one paper']);
  });

  it('says "empty" for an empty body, a blank page and a header without papers', () => {
    expect(parseErrorOf(() => parsePage(new Uint8Array(), ctx)).code).toBe('empty');
    expect(parseErrorOf(() => parsePage('\n\n  \n', { ...ctx, formatHint: 'hf-text' })).code).toBe('empty');
    const header = parseErrorOf(() => parsePage('New\n\nDaily Papers\n\nNov 3\n', ctx));
    expect([header.code, header.format]).toEqual(['empty', 'hf-text']);
  });

  it('says "empty", with the reason, when the only entry is cut', () => {
    const error = parseErrorOf(() =>
      parsePage('Daily Papers\n\nNov 3\n\nA Title\n\nAn abstract cut sh', ctx),
    );
    expect(error.code).toBe('empty');
    expect(error.message).toContain('"A Title"');
  });

  it('throws only ParseError for garbage', () => {
    expect(parseErrorOf(() => parsePage(new Uint8Array([0xff, 0xfe, 0x00, 0x01, 0x02]), ctx)).code).toBe(
      'unknown-format',
    );
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 200 })), (body) => {
        let result;
        try {
          result = parsePage(body, ctx);
        } catch (error) {
          expect(error).toBeInstanceOf(ParseError);
          return;
        }
        for (const p of result.papers) expect(PaperSchema.safeParse(p).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a capture time that is not an ISO datetime in UTC', () => {
    expect(() => parsePage(fixtureBytes, { ...ctx, capturedAt: '2025-11-03' })).toThrow(RangeError);
  });
});

describe('parsePage on a body cut mid-character', () => {
  it('drops the partial character, says so, and still reads the page', () => {
    const page = utf8(
      '[{"paper":{"id":"2401.12345","title":"Schrödinger"}},{"paper":{"id":"2401.12346","title":"Zoë',
    );
    const cut = page.subarray(0, page.length - 1); // inside the two bytes of "ë"
    const result = parsePage(cut, ctx);
    expect(result.papers.map((p) => p.title)).toEqual(['Schrödinger']);
    expect(result.warnings[0]).toBe(
      'body ends inside a UTF-8 character (cut download?); dropped its last 1 byte',
    );
  });

  it('still refuses a body with an invalid byte before its end', () => {
    const page = new Uint8Array([...utf8('[{"paper":{"title":"caf'), 0xe9, ...utf8(' au lait"}}]')]);
    expect(parseErrorOf(() => parsePage(page, ctx)).code).toBe('unknown-format');
    expect(parseErrorOf(() => parsePage(new Uint8Array([...utf8('[1,'), 0xff]), ctx)).code).toBe(
      'unknown-format',
    );
  });
});
