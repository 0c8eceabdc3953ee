import type { SynthPaper } from './corpus.js';

/**
 * Renders synthetic papers the way each source prints them, so the benchmark parses pages
 * shaped like real ones: arXiv's hard-wrapped, indented Atom; RSS with escaped HTML; the
 * entity-escaped JSON of a papers page's `data-props`; compact API JSON; the plain-text copy.
 */
export type Rendition = 'hf-text' | 'hf-json' | 'hf-html' | 'arxiv-atom' | 'arxiv-rss' | 'arxiv-rss-1.0';

export const RENDITIONS: readonly Rendition[] = [
  'hf-text',
  'hf-json',
  'hf-html',
  'arxiv-atom',
  'arxiv-rss',
  'arxiv-rss-1.0',
];

export function render(rendition: Rendition, papers: readonly SynthPaper[]): string {
  switch (rendition) {
    case 'hf-text':
      return renderHfText(papers);
    case 'hf-json':
      return JSON.stringify(papers.map(dailyEntry));
    case 'hf-html':
      return renderHfHtml(papers);
    case 'arxiv-atom':
      return renderAtom(papers);
    case 'arxiv-rss':
      return renderRss2(papers);
    case 'arxiv-rss-1.0':
      return renderRss1(papers);
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function renderHfText(papers: readonly SynthPaper[]): string {
  const parts = ['New\n\nGet trending papers in your email inbox!\n\nDaily Papers\n\nNov 3\n\n'];
  for (const p of papers) {
    const [y, m, d] = p.publishedAt.split('-').map(Number) as [number, number, number];
    const votes = p.upvotes === null ? '' : ` ${p.upvotes}`;
    parts.push(
      `${wrap(p.title, 70, '\n')}\n\n${p.abstract}\n\n  • ${p.authors.length} author${p.authors.length === 1 ? '' : 's'}\n·\n${MONTHS[m - 1]} ${d}, ${y}${votes}\n\n`,
    );
  }
  return parts.join('');
}

function dailyEntry(p: SynthPaper): unknown {
  const id = p.arxivIdWithVersion.replace(/v\d+$/, '');
  return {
    paper: {
      id,
      authors: p.authors.map((name, i) => ({ _id: `${id}-${i}`, name, hidden: false })),
      publishedAt: `${p.publishedAt}T17:59:58.000Z`,
      submittedOnDailyAt: '2025-11-03T00:41:12.345Z',
      title: p.title,
      summary: wrap(p.abstract, 90, '\n'),
      upvotes: p.upvotes,
      discussionId: `disc-${id}`,
      ...(p.githubRepo === null ? {} : { githubRepo: p.githubRepo }),
      ai_keywords: ['benchmark', 'parsing'],
    },
    publishedAt: '2025-11-03T00:41:12.345Z',
    title: p.title,
    summary: p.abstract,
    numComments: p.upvotes === null ? 0 : p.upvotes % 7,
    submittedBy: { _id: 'u1', fullname: 'AK', name: 'akhaliq', type: 'user' },
    isAuthorParticipating: false,
  };
}

function renderHfHtml(papers: readonly SynthPaper[]): string {
  const props = { dailyPapers: papers.map(dailyEntry), dateString: '2025-11-03', sort: 'trending' };
  return (
    '<!doctype html>\n<html class=""><head><meta charset="utf-8"><title>Daily Papers - Hugging Face</title>\n' +
    '<script>window.hubConfig = {"features":{"signupDisabled":false}}; if (a < b && c > d) {}</script>\n' +
    '</head><body><div class="flex min-h-dvh flex-col">\n' +
    `<div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="${escapeAttribute(JSON.stringify(props))}">` +
    '<section class="container"><h1>Daily Papers</h1></section></div>\n' +
    '<footer><a href="/papers?date=2025-11-02">Previous</a></footer></div></body></html>\n'
  );
}

function renderAtom(papers: readonly SynthPaper[]): string {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n' +
      '  <link href="http://arxiv.org/api/query?search_query%3Dall%3Alearning" rel="self" type="application/atom+xml"/>\n' +
      '  <title type="html">ArXiv Query: search_query=all:learning&amp;id_list=&amp;start=0</title>\n' +
      '  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>\n  <updated>2025-11-03T00:00:00-05:00</updated>\n' +
      `  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${papers.length}</opensearch:totalResults>\n`,
  ];
  for (const p of papers) {
    const authors = p.authors.map(
      (name) => `    <author>\n      <name>${escapeXml(name)}</name>\n    </author>\n`,
    );
    parts.push(
      '  <entry>\n' +
        `    <id>http://arxiv.org/abs/${p.arxivIdWithVersion}</id>\n` +
        `    <updated>${p.publishedAt}T18:00:00Z</updated>\n` +
        `    <published>${p.publishedAt}T13:46:39-04:00</published>\n` +
        `    <title>${escapeXml(wrap(p.title, 80, '\n  '))}</title>\n` +
        `    <summary>  ${escapeXml(wrap(p.abstract, 80, '\n'))}\n</summary>\n` +
        authors.join('') +
        (p.githubRepo === null
          ? ''
          : `    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">12 pages; code at ${p.githubRepo}</arxiv:comment>\n`) +
        `    <link href="http://arxiv.org/abs/${p.arxivIdWithVersion}" rel="alternate" type="text/html"/>\n` +
        `    <link title="pdf" href="http://arxiv.org/pdf/${p.arxivIdWithVersion}" rel="related" type="application/pdf"/>\n` +
        `    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="${p.category}" scheme="http://arxiv.org/schemas/atom"/>\n` +
        `    <category term="${p.category}" scheme="http://arxiv.org/schemas/atom"/>\n` +
        '  </entry>\n',
    );
  }
  parts.push('</feed>\n');
  return parts.join('');
}

const ANNOUNCE_TYPES = ['new', 'cross', 'replace', 'replace-cross'];

function renderRss2(papers: readonly SynthPaper[]): string {
  const date = 'Mon, 03 Nov 2025 00:00:00 -0500';
  const parts = [
    "<?xml version='1.0' encoding='UTF-8'?>\n" +
      '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">\n' +
      '  <channel>\n    <title>cs.LG updates on arXiv.org</title>\n    <link>http://rss.arxiv.org/rss/cs.LG</link>\n' +
      '    <description>cs.LG updates on the arXiv.org e-print archive.</description>\n' +
      `    <language>en-us</language>\n    <lastBuildDate>${date}</lastBuildDate>\n    <pubDate>${date}</pubDate>\n`,
  ];
  papers.forEach((p, i) => {
    const id = p.arxivIdWithVersion.replace(/v\d+$/, '');
    const type = ANNOUNCE_TYPES[i % ANNOUNCE_TYPES.length]!;
    parts.push(
      '    <item>\n' +
        `      <title>${escapeXml(p.title)}</title>\n` +
        `      <link>https://arxiv.org/abs/${id}</link>\n` +
        `      <description>arXiv:${p.arxivIdWithVersion} Announce Type: ${type} \nAbstract: ${escapeXml(p.abstract)}</description>\n` +
        `      <guid isPermaLink="false">oai:arXiv.org:${p.arxivIdWithVersion}</guid>\n` +
        `      <category>${p.category}</category>\n      <pubDate>${date}</pubDate>\n` +
        `      <arxiv:announce_type>${type}</arxiv:announce_type>\n` +
        '      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>\n' +
        `      <dc:creator>${escapeXml(p.authors.join(', '))}</dc:creator>\n` +
        '    </item>\n',
    );
  });
  parts.push('  </channel>\n</rss>\n');
  return parts.join('');
}

function renderRss1(papers: readonly SynthPaper[]): string {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>\n\n' +
      '<rdf:RDF xmlns="http://purl.org/rss/1.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:syn="http://purl.org/rss/1.0/modules/syndication/">\n\n' +
      '<channel rdf:about="http://arxiv.org/">\n<title>cs.LG updates on arXiv.org</title>\n<link>http://arxiv.org/</link>\n' +
      '<description rdf:parseType="Literal">Computer Science -- Learning (cs.LG) updates on the arXiv.org e-print archive</description>\n' +
      '<dc:language>en-us</dc:language>\n<dc:date>2023-12-20T20:30:00-05:00</dc:date>\n<items>\n <rdf:Seq>\n',
  ];
  for (const p of papers)
    parts.push(
      `  <rdf:li rdf:resource="http://arxiv.org/abs/${p.arxivIdWithVersion.replace(/v\d+$/, '')}" />\n`,
    );
  parts.push(' </rdf:Seq>\n</items>\n</channel>\n');
  papers.forEach((p, i) => {
    const id = p.arxivIdWithVersion.replace(/v\d+$/, '');
    const marker = i % 5 === 3 ? ' CROSS LISTED' : i % 5 === 4 ? ' UPDATED' : '';
    const creators = p.authors
      .map(
        (name) =>
          `<a href="http://arxiv.org/find/cs/1/au:+${encodeURIComponent(name)}/0/1/0/all/0/1">${escapeHtml(name)}</a>`,
      )
      .join(', ');
    parts.push(
      `<item rdf:about="http://arxiv.org/abs/${id}">\n` +
        `<title>${escapeXml(`${p.title}. (arXiv:${p.arxivIdWithVersion} [${p.category}]${marker})`)}</title>\n` +
        `<link>http://arxiv.org/abs/${id}</link>\n` +
        `<description rdf:parseType="Literal">${escapeXml(`<p>${escapeHtml(wrap(p.abstract, 80, '\n'))}</p>`)}</description>\n` +
        `<dc:creator> ${escapeXml(creators)}</dc:creator>\n` +
        '</item>\n',
    );
  });
  parts.push('</rdf:RDF>\n');
  return parts.join('');
}

/** Breaks `text` at spaces so no line is much longer than `width`, joining lines with `joiner`. */
function wrap(text: string, width: number, joiner: string): string {
  if (text.length <= width) return text;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join(joiner);
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function escapeAttribute(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
