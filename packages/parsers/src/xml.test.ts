import { describe, expect, it } from 'vitest';

import { attribute, childElements, firstChild, parseXml, rootElementName, textContent } from './xml.js';

describe('parseXml', () => {
  it('reads elements, prefixed names, attributes, references, CDATA and comments', () => {
    const doc = parseXml(
      '<?xml version="1.0"?>\n<!DOCTYPE feed [ <!ENTITY x "y"> ]>\n<!-- a <comment> -->\n' +
        '<feed xmlns="urn:a" a=\'1\' b="x &amp; y" bare c=d>' +
        '<arxiv:comment xmlns:arxiv="urn:b">Code &lt;here&gt;</arxiv:comment>' +
        '<title><![CDATA[A <b>bold</b> & raw]]> title</title><empty/></feed>',
    );
    expect(doc.truncated).toBe(false);
    const feed = doc.root!;
    expect([feed.name, feed.local, feed.closed]).toEqual(['feed', 'feed', true]);
    expect(Object.fromEntries(feed.attrs)).toEqual({ xmlns: 'urn:a', a: '1', b: 'x & y', bare: '', c: 'd' });
    expect(childElements(feed).map((e) => e.name)).toEqual(['arxiv:comment', 'title', 'empty']);
    expect(textContent(firstChild(feed, 'comment')!)).toBe('Code <here>');
    expect(textContent(firstChild(feed, 'title')!)).toBe('A <b>bold</b> & raw title');
    expect(firstChild(feed, 'empty')!.closed).toBe(true);
    expect(attribute(firstChild(feed, 'comment')!, 'arxiv')).toBe('urn:b');
  });

  it('gives the text of nested elements in document order', () => {
    const root = parseXml('<d>a <b>b <i>c</i></b> d</d>').root!;
    expect(textContent(root)).toBe('a b c d');
  });

  it('marks what a cut document left open', () => {
    const doc = parseXml('<feed><entry><title>One</title></entry><entry><title>Tw');
    expect(doc.truncated).toBe(true);
    const [first, second] = childElements(doc.root!);
    expect([doc.root!.closed, first!.closed, second!.closed]).toEqual([false, true, false]);
    for (const cut of [
      '<feed><entry',
      '<feed><!-- x',
      '<feed><![CDATA[x',
      '<feed a="x',
      '<feed></fe',
      '<feed><?pi',
    ])
      expect(parseXml(cut).truncated).toBe(true);
  });

  it('closes elements an outer end tag ends, ignores end tags that match nothing, keeps a stray <', () => {
    const doc = parseXml('<feed><entry><title>x</entry></nothing><t>a < b</t></feed>');
    const [entry, t] = childElements(doc.root!);
    expect([entry!.closed, firstChild(entry!, 'title')!.closed]).toEqual([true, false]);
    expect(textContent(t!)).toBe('a < b');
    expect(doc.root!.closed).toBe(true);
  });

  it('handles nesting deeper than the call stack', () => {
    const deep = 100_000;
    const doc = parseXml(`<a>${'<b>'.repeat(deep)}x${'</b>'.repeat(deep)}</a>`);
    expect(textContent(doc.root!)).toBe('x');
  });
});

describe('rootElementName', () => {
  it.each([
    ['<?xml version="1.0"?>\n<!-- c -->\n<feed xmlns="x">', 'feed'],
    ['<?xml version=\'1.0\'?><rss version="2.0">', 'rss'],
    ['\uFEFF  <rdf:RDF\n xmlns:rdf="x">', 'RDF'],
    ['<!doctype html>\n<html lang="en">', 'html'],
    ['[{"a":1}]', null],
    ['plain text', null],
    ['<?xml version="1.0"', null],
  ])('%j → %s', (text, name) => {
    expect(rootElementName(text)).toBe(name);
  });
});
