import { readdirSync, readFileSync } from 'node:fs';

import { FORMATS, PaperSchema, type Format } from '@paperwire/schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ParseError, parsePage, type ParseContext, type ParseResult } from './index.js';
import { entries, expectedPaper, PAGE_FORMATS, renderPage, type PageFormat } from './testing/pages.js';

const ctx: ParseContext = {
  url: 'https://example.org/page',
  sourceName: 'property',
  capturedAt: '2025-11-03T12:00:00.000Z',
  contentType: null,
  formatHint: null,
};

const FORMAT_OF: Record<PageFormat, Format> = {
  'hf-json': 'hf-json',
  'hf-html': 'hf-html',
  'arxiv-atom': 'arxiv-atom',
  'arxiv-rss': 'arxiv-rss',
  'arxiv-rss-1.0': 'arxiv-rss',
};

const encoder = new TextEncoder();

/** Parses, and holds the outcome to the contract: valid papers, or a ParseError. Never anything else. */
function outcome(body: Uint8Array | string, hint: Format | null = null): ParseResult | ParseError {
  let result: ParseResult;
  try {
    result = parsePage(body, { ...ctx, formatHint: hint });
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  }
  expect(result.papers.length).toBeGreaterThan(0);
  for (const paper of result.papers) expect(PaperSchema.safeParse(paper).success).toBe(true);
  return result;
}

function papersOf(body: string): ParseResult['papers'] {
  return parsePage(body, ctx).papers;
}

/** A small seeded generator, so a transformation's random choices replay with its fast-check seed. */
function chooser(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const SPACES = ['', ' ', '\n', '\n    ', '\t', '\r\n  '];

/** Whitespace between two tags (never inside text) swapped for other whitespace. */
function respace(xml: string, pick: (n: number) => number): string {
  return xml.replace(/>\s*</g, () => `>${SPACES[pick(SPACES.length)]}<`);
}

/** The attributes of every start tag in another order. */
function shuffleAttributes(markup: string, pick: (n: number) => number): string {
  return markup.replace(
    /<([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))+)(\s*\/?)>/g,
    (_, name: string, attrs: string, end: string) => {
      const list = attrs.match(/[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*')/g) ?? [];
      for (let i = list.length - 1; i > 0; i--) {
        const j = pick(i + 1);
        [list[i], list[j]] = [list[j]!, list[i]!];
      }
      return `<${name} ${list.join(' ')}${end}>`;
    },
  );
}

const UNKNOWN_ELEMENT =
  '<ext:note xmlns:ext="urn:example:ext" level="2">unknown &amp; ignored <ext:title>not a title</ext:title><title>nested title</title></ext:note>';

/** Elements no format knows, inside every entry or item and at feed level. */
function addUnknownElements(xml: string): string {
  return xml
    .replace(/(<(?:entry|item)\b[^>]*>)/g, `$1${UNKNOWN_ELEMENT}`)
    .replace(/(<\/(?:entry|item)>)/g, `${UNKNOWN_ELEMENT}$1`)
    .replace(/(<(?:feed|channel)\b[^>]*>)/g, `$1${UNKNOWN_ELEMENT}`);
}

/** The same JSON value with keys in another order and fields no format knows added. */
function reshapeJson(value: unknown, pick: (n: number) => number, depth = 0): unknown {
  if (Array.isArray(value)) return value.map((v) => reshapeJson(v, pick, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = pick(i + 1);
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  const out: Record<string, unknown> = {};
  if (depth <= 3) out.x_unknown_field = { nested: [1, 'two', null], title: 'not a title' };
  for (const key of keys) out[key] = reshapeJson((value as Record<string, unknown>)[key], pick, depth + 1);
  return out;
}

function reindent(json: unknown, pick: (n: number) => number): string {
  return JSON.stringify(json, null, [0, 1, 2, '\t'][pick(4)]);
}

/** The harmless rewrites of a page of `format`: what a source may change without changing its papers. */
function harmlessRewrite(format: PageFormat, text: string, pick: (n: number) => number): string {
  switch (format) {
    case 'hf-json':
      return reindent(reshapeJson(JSON.parse(text), pick), pick);
    case 'hf-html': {
      const m = /data-props="([^"]*)"/.exec(text)!;
      const props = JSON.parse(
        m[1]!
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&amp;/g, '&'),
      );
      const attr = reindent(reshapeJson(props, pick), pick)
        .replace(/&/g, '&amp;')
        .replace(/"/g, '&quot;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;');
      const page =
        text.slice(0, m.index) + `data-props="${attr}" data-extra="1"` + text.slice(m.index + m[0].length);
      return shuffleAttributes(respace(page, pick), pick);
    }
    default:
      return addUnknownElements(shuffleAttributes(respace(text, pick), pick));
  }
}

const TRUNCATION_WARNING = /cut download\?/;

describe.each(PAGE_FORMATS)('%s pages', (format) => {
  it('read back the papers they were given, in order, without warnings', () => {
    fc.assert(
      fc.property(entries(1, 8), (list) => {
        const { text } = renderPage(format, list);
        const result = parsePage(text, ctx);
        expect(result.format).toBe(FORMAT_OF[format]);
        expect(result.warnings).toEqual([]);
        expect(
          result.papers.map((p) => ({
            title: p.title,
            abstract: p.abstract,
            authors: p.authors,
            authorCount: p.authorCount,
            publishedAt: p.publishedAt,
            upvotes: p.upvotes,
            codeUrls: p.codeUrls,
            arxivId: p.arxivId,
          })),
        ).toEqual(list.map((e) => expectedPaper(format, e)));
      }),
      { numRuns: 150 },
    );
  });

  it('cut after the k-th complete entry give exactly those k papers and say the page was cut', () => {
    fc.assert(
      fc.property(entries(1, 6), fc.nat(), fc.nat(), fc.boolean(), (list, kSeed, extraSeed, asBytes) => {
        const { text, entryEnds, listEnd } = renderPage(format, list);
        const full = papersOf(text);
        const k = 1 + (kSeed % list.length);
        // Anything up to (not including) the end of the next entry, or of the list.
        const limit = k < list.length ? entryEnds[k]! : listEnd;
        const cut = entryEnds[k - 1]! + (extraSeed % (limit - entryEnds[k - 1]!));
        const page = text.slice(0, cut);
        const result = parsePage(asBytes ? encoder.encode(page) : page, ctx);
        expect(result.papers).toEqual(full.slice(0, k));
        expect(result.warnings.some((w) => TRUNCATION_WARNING.test(w))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('cut inside the bytes of the next entry, even mid-character, still give the k papers before it', () => {
    fc.assert(
      fc.property(entries(2, 5), fc.nat(), fc.nat(), (list, kSeed, extraSeed) => {
        const { text, entryEnds } = renderPage(format, list);
        const bytes = encoder.encode(text);
        const byteEnd = (chars: number) => encoder.encode(text.slice(0, chars)).length;
        const k = 1 + (kSeed % (list.length - 1));
        const from = byteEnd(entryEnds[k - 1]!);
        const cut = from + (extraSeed % (byteEnd(entryEnds[k]!) - from));
        const result = parsePage(bytes.subarray(0, cut), ctx);
        expect(result.papers).toEqual(papersOf(text).slice(0, k));
        expect(result.warnings.some((w) => TRUNCATION_WARNING.test(w))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('give the same papers after harmless changes (whitespace, attribute order, key order, unknown fields)', () => {
    fc.assert(
      fc.property(entries(1, 5), fc.integer(), (list, seed) => {
        const { text } = renderPage(format, list);
        const rewritten = harmlessRewrite(format, text, chooser(seed));
        expect(papersOf(rewritten)).toEqual(papersOf(text));
      }),
      { numRuns: 150 },
    );
  });

  it('give valid papers or a ParseError for cut, flipped and spliced pages', () => {
    fc.assert(
      fc.property(
        entries(1, 4),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.boolean(),
        (list, flips, cutSeed, withHint) => {
          const bytes = encoder.encode(renderPage(format, list).text);
          const mutated = bytes.slice(0, 1 + (cutSeed % bytes.length));
          for (const [at, value] of flips) mutated[at % mutated.length] = value;
          outcome(mutated, withHint ? FORMAT_OF[format] : null);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('any parser on any input', () => {
  const hints: (Format | null)[] = [null, ...FORMATS];

  it('gives valid papers or a ParseError for arbitrary text, whatever the hint', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 400 }),
          fc.string({ maxLength: 400, unit: 'binary' }),
          fc.constantFrom(
            '<',
            '<feed',
            '<rss><channel><item>',
            '[',
            '{"dailyPapers":[',
            '<div data-target="DailyPapers" data-props="',
          ),
          fc
            .tuple(
              fc.constantFrom(
                '<feed>',
                '<rss><channel>',
                '<rdf:RDF>',
                '[',
                '<div data-target="DailyPapers" data-props="[',
              ),
              fc.string({ maxLength: 300 }),
            )
            .map(([head, rest]) => head + rest),
        ),
        fc.constantFrom(...hints),
        (text, hint) => {
          outcome(text, hint);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('takes linear time on input built to make patterns backtrack (a slow path would time out)', () => {
    const n = 200_000;
    const spaces = ' '.repeat(n);
    const pages: [string, Format][] = [
      [`T\n\n1 authors${spaces}x\n`, 'hf-text'],
      [`T\n\n1 authors ·${spaces}x\n`, 'hf-text'],
      [`T\n\n1 authors\n·\nJul 17${spaces}x\n`, 'hf-text'],
      [
        `<rdf:RDF><item><title>t</title><description>${'&lt;p'.repeat(n)}</description></item></rdf:RDF>`,
        'arxiv-rss',
      ],
      [`<rdf:RDF><item><title>${'(arXiv:x '.repeat(n / 4)}</title></item></rdf:RDF>`, 'arxiv-rss'],
      [`<feed>${'<a>'.repeat(n / 2)}${'</b>'.repeat(n / 2)}</feed>`, 'arxiv-atom'],
      [
        `<div>${'<script>x</script>'.repeat(n / 8)}<div data-target="DailyPapers" data-props="[]"></div>`,
        'hf-html',
      ],
      [`[{"paper":{"id":"1","title":"t","summary":"${'https://github.com/a'.repeat(n / 8)}"}}]`, 'hf-json'],
    ];
    for (const [page, hint] of pages) {
      outcome(page, hint);
      outcome(page, null);
    }
  });

  it('does not hang or overflow on deeply nested or huge-but-bounded input', () => {
    const deep = 200_000;
    for (const hint of hints) {
      outcome(`<feed>${'<entry><title>'.repeat(deep)}x`, hint);
      outcome(`${'['.repeat(deep)}`, hint);
      outcome(`<div data-target="DailyPapers" data-props="${'&quot;'.repeat(deep)}`, hint);
      outcome(`<rss><channel>${'<item>'.repeat(deep)}`, hint);
      outcome('&'.repeat(deep), hint);
    }
  });
});

describe('fixtures under mutation', () => {
  const FIXTURES = new URL('../fixtures/', import.meta.url);
  const files = readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(new URL(`${d.name}/`, FIXTURES))
        .filter((f) => !f.endsWith('.md') && !f.endsWith('.golden.json'))
        .map((f) => new URL(`${d.name}/${f}`, FIXTURES)),
    );
  files.push(new URL('../../../infra/digests/hf-daily-papers-2025-11-03.txt', import.meta.url));

  it.each(files.map((url) => [url.pathname.split('/').slice(-2).join('/'), url] as const))(
    '%s: truncations and byte flips give valid papers or a ParseError',
    (_, url) => {
      const bytes = new Uint8Array(readFileSync(url));
      fc.assert(
        fc.property(
          fc.nat(),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
          (cutSeed, flips) => {
            const mutated = bytes.slice(0, 1 + (cutSeed % bytes.length));
            for (const [at, value] of flips) mutated[at % mutated.length] = value;
            outcome(mutated);
          },
        ),
        { numRuns: 150 },
      );
    },
  );
});

describe('hf-text pages cut inside an entry', () => {
  const text = readFileSync(
    new URL('../../../infra/digests/hf-daily-papers-2025-11-03.txt', import.meta.url),
    'utf8',
  );
  const full = papersOf(text);

  it('keep the k entries before the cut and say the rest was cut', () => {
    // Plain text has no end marker: a page cut exactly between two entries looks complete, and
    // one cut inside an entry's trailer looks like an entry without a date. The cut is
    // detectable (and the property holds) when it falls in the next entry's title or abstract.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: full.length - 1 }), fc.nat(), (k, extraSeed) => {
        const next = full[k]!;
        const start = text.indexOf(`\n${next.title}\n`) + 1;
        const abstractEnd = text.indexOf(next.abstract.slice(-20), start) + 20;
        expect(start).toBeGreaterThan(0);
        const cut = start + 1 + (extraSeed % (abstractEnd - start - 1));
        const result = parsePage(text.slice(0, cut), ctx);
        expect(result.papers).toEqual(full.slice(0, k));
        expect(result.warnings).toEqual([expect.stringMatching(/after the last complete entry.*cut entry/)]);
      }),
      { numRuns: 100 },
    );
  });
});
