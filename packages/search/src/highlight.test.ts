import { describe, expect, it } from 'vitest';

import { escapeHtml, markWords, placeholdersToMarks } from './highlight.js';

describe('escapeHtml', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe('placeholdersToMarks', () => {
  it('escapes the text and turns placeholders into marks', () => {
    expect(placeholdersToMarks('<b>\uE000Proto\uE001</b> & co', '\uE000', '\uE001')).toBe(
      '&lt;b&gt;<mark>Proto</mark>&lt;/b&gt; &amp; co',
    );
  });

  it('keeps marks balanced whatever placeholders the text held', () => {
    expect(placeholdersToMarks('a\uE001b\uE000c\uE000d', '\uE000', '\uE001')).toBe('ab<mark>cd</mark>');
  });
});

describe('markWords', () => {
  const isMatch = (word: string) => word === 'prototype' || word === 'naive';

  it('marks matching words, whatever their case and accents, and escapes the rest', () => {
    expect(markWords('<script>Prototype</script> Naïve "prototypes"', isMatch)).toBe(
      '&lt;script&gt;<mark>Prototype</mark>&lt;/script&gt; <mark>Naïve</mark> &quot;prototypes&quot;',
    );
  });

  it('marks words in the form the index holds them', () => {
    const held = new Set(['한국어', 'が', 'fine', 'x2']);
    expect(markWords('한국어 모델, ﬁne x² ガ が', (word) => held.has(word))).toBe(
      '<mark>한국어</mark> 모델, <mark>ﬁne</mark> <mark>x²</mark> ガ <mark>が</mark>',
    );
  });

  it('crops long text to the window with the most matches, marking the cuts', () => {
    const words = Array.from({ length: 100 }, (_, i) => (i === 60 || i === 63 ? 'prototype' : `w${i}`));
    const cropped = markWords(words.join(' ') + '.', isMatch, 10);
    expect(cropped.startsWith('…')).toBe(true);
    expect(cropped.endsWith('…')).toBe(true);
    expect(cropped.match(/<mark>prototype<\/mark>/g)).toHaveLength(2);
    expect(
      cropped
        .replace(/<\/?mark>/g, '')
        .replace(/…/g, '')
        .split(' '),
    ).toHaveLength(10);
  });

  it('keeps short text whole and crops text without a match from its start', () => {
    expect(markWords('one prototype.', isMatch, 10)).toBe('one <mark>prototype</mark>.');
    expect(markWords('a b c d e f', isMatch, 3)).toBe('a b c…');
  });
});
