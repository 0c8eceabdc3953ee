import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { decodeEntities, decodeEntitiesByRegex, decodeEntitiesByScan } from './entities.js';
import { collapseWhitespace, htmlToText } from './text.js';

/** Text rich in references, near-references and the characters around them. */
const referenceSoup = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '&amp;',
        '&lt;',
        '&gt;',
        '&quot;',
        '&apos;',
        '&#39;',
        '&#x27;',
        '&#X41;',
        '&#233;',
        '&#x1F600;',
        '&#128512;',
        '&#0;',
        '&#xD800;',
        '&#x110000;',
        '&#123456789;',
        '&nbsp;',
        '&eacute;',
        '&Eacute;',
        '&alpha;',
        '&notanentity;',
        '&amp',
        '&;',
        '&#;',
        '&#x;',
        '&amp;lt;',
        '&&amp;',
        '&a;',
        `&${'a'.repeat(40)};`,
        '&',
        ';',
        '#',
        'x',
        ' ',
        '\uD83D',
        'é',
      ),
      fc.string({ maxLength: 5 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

describe('decodeEntities', () => {
  it.each([
    ['&quot;a&quot; &amp; &lt;b&gt; &#39;c&#x27; &#233;', '"a" & <b> \'c\' é'],
    ['&amp;lt; stays &lt; after one decoding', '&lt; stays < after one decoding'],
    ['&nbsp;&mdash;&hellip;&alpha;&Omega;', '\u00a0—…αΩ'],
    ['&unknown; &amp &#xZZ; & ;', '&unknown; &amp &#xZZ; & ;'],
    ['&#0; &#xD800; &#x110000;', '\uFFFD \uFFFD \uFFFD'],
    ['&#x1F600;', '😀'],
  ])('%s', (input, expected) => {
    expect(decodeEntities(input)).toBe(expected);
    expect(decodeEntitiesByScan(input)).toBe(expected);
  });

  it('decodes the same by scan as by regular expression, on any text', () => {
    fc.assert(
      fc.property(fc.oneof(referenceSoup, fc.string({ unit: 'binary', maxLength: 60 })), (s) => {
        expect(decodeEntitiesByScan(s)).toBe(decodeEntitiesByRegex(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('decodes long text by scan', () => {
    const long = `${'&quot;x&quot;, '.repeat(500)}&amp;lt;`;
    expect(decodeEntities(long)).toBe(`${'"x", '.repeat(500)}&lt;`);
  });
});

describe('collapseWhitespace', () => {
  const spaces = fc.constantFrom(
    ' ',
    '  ',
    '\n',
    '\r\n',
    '\t',
    '\u00a0',
    '\u2003',
    '\u2028',
    '\ufeff',
    '\u3000',
    '\v',
    '\f',
  );
  const spaced = fc
    .array(fc.oneof(spaces, fc.string({ maxLength: 4 })), { maxLength: 30 })
    .map((parts) => parts.join(''));

  it('is `\\s+` → one space, trimmed, on any text', () => {
    fc.assert(
      fc.property(fc.oneof(spaced, fc.string({ unit: 'binary', maxLength: 40 })), (s) => {
        expect(collapseWhitespace(s)).toBe(s.replace(/\s+/g, ' ').trim());
      }),
      { numRuns: 3000 },
    );
  });

  it('treats every code unit JavaScript calls whitespace as whitespace', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      expect(collapseWhitespace(`a${ch}${ch}b`), `U+${c.toString(16)}`).toBe(
        `a${ch}${ch}b`.replace(/\s+/g, ' '),
      );
    }
  });
});

describe('htmlToText', () => {
  it.each([
    ['<p>An abstract.</p><p>Second  paragraph.</p>', 'An abstract. Second paragraph.'],
    ['<a href="http://arxiv.org/find/x">A. One</a>, <a href="y">B. Two</a>', 'A. One, B. Two'],
    ['We make it <em>slightly</em> easier.', 'We make it slightly easier.'],
    ['$a &lt; b$ and a < b stay; &amp;lt; decodes once', '$a < b$ and a < b stay; &lt; decodes once'],
    ['line<br/>break', 'line break'],
    ['no markup', 'no markup'],
  ])('%s', (html, expected) => {
    expect(htmlToText(html)).toBe(expected);
  });
});
