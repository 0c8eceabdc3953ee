import fc from 'fast-check';

/**
 * Arbitrary digest pages for property tests: papers rendered the way each source prints them,
 * with the offset where each entry ends (so a test can cut a page after its k-th entry).
 */
export interface PageEntry {
  /** Without version. */
  arxivId: string;
  version: number;
  /** Words joined by single spaces: exactly what a parser should give back. */
  title: string;
  abstract: string;
  authors: string[];
  /** `YYYY-MM-DD`. */
  publishedAt: string;
  upvotes: number | null;
  /** `https://github.com/<owner>/<repo>`, linked from the page when present. */
  repo: string | null;
}

export type PageFormat = 'hf-json' | 'hf-html' | 'arxiv-atom' | 'arxiv-rss' | 'arxiv-rss-1.0';
export const PAGE_FORMATS: readonly PageFormat[] = [
  'hf-json',
  'hf-html',
  'arxiv-atom',
  'arxiv-rss',
  'arxiv-rss-1.0',
];

export interface RenderedPage {
  text: string;
  /** Offset just after each entry, in page order. */
  entryEnds: number[];
  /** Offset at which the list is complete: a page cut before it is detectably cut. */
  listEnd: number;
}

/** The date an RSS 1.0 listing puts on its channel, which its items take. */
export const RSS1_CHANNEL_DATE = '2023-12-20';

const WORDS = [
  'learning',
  'Sparse',
  'graph',
  'Transformers',
  'at',
  'scale',
  'R&D',
  '&',
  '<3',
  'a<b',
  'x>0',
  '"quoted"',
  "don't",
  '$\\alpha$',
  '$\\mathcal{O}(n)$',
  '$k$-NN',
  'naïve',
  'Schrödinger',
  'Ünal',
  '≤',
  '→',
  'GPT-4',
  '(v2)',
  'e.g.',
  'ε-greedy',
  '50%',
  'a/b',
  '#1',
];

const word = fc.constantFrom(...WORDS);
const text = (min: number, max: number) =>
  fc.array(word, { minLength: min, maxLength: max }).map((w) => w.join(' '));
const name = fc
  .tuple(
    fc.constantFrom('Alice', 'Bo', 'Élodie', 'José', 'Søren', 'Zoë', 'Wei', "D'Arcy", 'Anne-Marie'),
    fc.constantFrom('Anderson', 'Müller', 'Østergaard', 'Li', "O'Neil", 'García', 'van der Berg'),
  )
  .map(([first, last]) => `${first} ${last}`);

const arxivId = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 7, max: 25 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 99999 }),
      )
      .map(
        ([yy, mm, n]) =>
          `${String(yy).padStart(2, '0')}${String(mm).padStart(2, '0')}.${String(n).padStart(5, '0')}`,
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('hep-th', 'math', 'cond-mat', 'astro-ph'), fc.integer({ min: 1, max: 9999999 }))
      .map(([archive, n]) => `${archive}/${String(n).padStart(7, '0')}`),
  },
);

const entry: fc.Arbitrary<PageEntry> = fc.record({
  arxivId,
  version: fc.integer({ min: 1, max: 9 }),
  title: text(1, 12),
  abstract: text(0, 40),
  authors: fc.array(name, { maxLength: 6 }),
  publishedAt: fc
    .date({
      min: new Date('1995-01-01T00:00:00Z'),
      max: new Date('2025-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10)),
  upvotes: fc.option(fc.nat({ max: 5000 }), { nil: null }),
  repo: fc.option(
    fc
      .tuple(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,8}$/), fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/))
      .filter(
        ([owner]) => !['orgs', 'topics', 'about', 'search', 'new', 'site'].includes(owner.toLowerCase()),
      )
      .map(([owner, repo]) => `https://github.com/${owner}/${repo}`),
    { nil: null },
  ),
});

/** Papers with distinct arXiv ids, so none of them merge. */
export const entries = (minLength: number, maxLength: number): fc.Arbitrary<PageEntry[]> =>
  fc.uniqueArray(entry, { minLength, maxLength, selector: (e) => e.arxivId });

export function renderPage(format: PageFormat, list: readonly PageEntry[]): RenderedPage {
  switch (format) {
    case 'hf-json':
      return renderJoined(
        '[',
        list.map((e) => JSON.stringify(dailyEntry(e))),
        ',',
        ']',
        1,
      );
    case 'hf-html': {
      const head =
        '<!doctype html>\n<html><head><title>Daily Papers</title><script>var a = "<div>";</script></head>\n<body>\n' +
        '<div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="' +
        escapeAttribute('{"dailyPapers":[');
      const propsTail = escapeAttribute('],"dateString":"2025-11-03","sort":"trending"}');
      return renderJoined(
        head,
        list.map((e) => escapeAttribute(JSON.stringify(dailyEntry(e)))),
        escapeAttribute(','),
        `${propsTail}"></div>\n</body></html>\n`,
        propsTail.length + 1,
      );
    }
    case 'arxiv-atom':
      return renderJoined(
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n  <title type="html">ArXiv Query: search_query=all:x</title>\n  <id>http://arxiv.org/api/q</id>\n',
        list.map(atomEntry),
        '\n',
        '\n</feed>\n',
      );
    case 'arxiv-rss':
      return renderJoined(
        '<?xml version=\'1.0\' encoding=\'UTF-8\'?>\n<rss xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" version="2.0">\n  <channel>\n    <title>cs.LG updates on arXiv.org</title>\n    <link>http://rss.arxiv.org/rss/cs.LG</link>\n',
        list.map(rss2Item),
        '\n',
        '\n  </channel>\n</rss>\n',
      );
    case 'arxiv-rss-1.0':
      return renderJoined(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF xmlns="http://purl.org/rss/1.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/">\n' +
          `<channel rdf:about="http://arxiv.org/">\n<title>cs.LG updates on arXiv.org</title>\n<dc:date>${RSS1_CHANNEL_DATE}T20:30:00-05:00</dc:date>\n</channel>\n`,
        list.map(rss1Item),
        '\n',
        '\n</rdf:RDF>\n',
      );
  }
}

/** What a parser should read back from an entry of `format`. */
export function expectedPaper(format: PageFormat, e: PageEntry) {
  const hf = format === 'hf-json' || format === 'hf-html';
  const abstract =
    format === 'arxiv-rss-1.0'
      ? rss1Abstract(e)
      : !hf && e.repo !== null
        ? joinWords(e.abstract, `Code: ${e.repo}.`)
        : e.abstract;
  return {
    title: e.title,
    abstract,
    authors: e.authors,
    authorCount: e.authors.length > 0 ? e.authors.length : null,
    publishedAt: format === 'arxiv-rss-1.0' ? RSS1_CHANNEL_DATE : e.publishedAt,
    upvotes: hf ? e.upvotes : null,
    codeUrls: e.repo === null ? [] : [e.repo],
    arxivId: e.arxivId,
  };
}

/**
 * `head`, the entries joined by `separator`, then `tail`, whose first `closing` characters
 * complete the list (by default all of it but a final newline: an XML document's end tag).
 */
function renderJoined(
  head: string,
  parts: string[],
  separator: string,
  tail: string,
  closing = tail.length - 1,
): RenderedPage {
  let text = head;
  const entryEnds: number[] = [];
  parts.forEach((part, i) => {
    text += (i === 0 ? '' : separator) + part;
    entryEnds.push(text.length);
  });
  return { text: text + tail, entryEnds, listEnd: text.length + closing };
}

function dailyEntry(e: PageEntry): unknown {
  return {
    paper: {
      id: e.arxivId,
      authors: e.authors.map((n, i) => ({ _id: `a${i}`, name: n, hidden: false })),
      publishedAt: `${e.publishedAt}T17:59:58.000Z`,
      title: wrap(e.title),
      summary: wrap(e.abstract),
      upvotes: e.upvotes,
      ...(e.repo === null ? {} : { githubRepo: e.repo }),
    },
    publishedAt: '2025-11-03T00:41:12.345Z',
    title: e.title,
    numComments: 0,
  };
}

function atomEntry(e: PageEntry): string {
  const id = `${e.arxivId}v${e.version}`;
  const abstract = e.repo === null ? e.abstract : joinWords(e.abstract, `Code: ${e.repo}.`);
  return (
    '  <entry>\n' +
    `    <id>http://arxiv.org/abs/${id}</id>\n` +
    `    <published>${e.publishedAt}T13:46:39-04:00</published>\n` +
    `    <title>${escapeXml(wrap(e.title))}</title>\n` +
    `    <summary>  ${escapeXml(wrap(abstract))}\n</summary>\n` +
    e.authors.map((n) => `    <author>\n      <name>${escapeXml(n)}</name>\n    </author>\n`).join('') +
    `    <link href="http://arxiv.org/abs/${id}" rel="alternate" type="text/html"/>\n` +
    '    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.LG"/>\n' +
    '  </entry>'
  );
}

function rss2Item(e: PageEntry): string {
  const [y, m, d] = e.publishedAt.split('-').map(Number) as [number, number, number];
  const date = `${DAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]}, ${String(d).padStart(2, '0')} ${MONTHS[m - 1]} ${y} 00:00:00 -0500`;
  const abstract = e.repo === null ? e.abstract : joinWords(e.abstract, `Code: ${e.repo}.`);
  return (
    '    <item>\n' +
    `      <title>${escapeXml(e.title)}</title>\n` +
    `      <link>https://arxiv.org/abs/${e.arxivId}</link>\n` +
    `      <description>arXiv:${e.arxivId}v${e.version} Announce Type: new \nAbstract: ${escapeXml(abstract)}</description>\n` +
    `      <guid isPermaLink="false">oai:arXiv.org:${e.arxivId}v${e.version}</guid>\n` +
    `      <pubDate>${date}</pubDate>\n` +
    `      <dc:creator>${escapeXml(e.authors.join(', '))}</dc:creator>\n` +
    '    </item>'
  );
}

function rss1Item(e: PageEntry): string {
  const link = e.repo === null ? '' : ` Code: <a href="${e.repo}">this https URL</a>.`;
  const html = `<p>${escapeHtml(wrap(e.abstract))}${link}</p>`;
  const creators = e.authors
    .map((n) => `<a href="http://arxiv.org/find/cs/1/au:+x/0/1/0/all/0/1">${escapeHtml(n)}</a>`)
    .join(', ');
  return (
    `<item rdf:about="http://arxiv.org/abs/${e.arxivId}">\n` +
    `<title>${escapeXml(`${e.title}. (arXiv:${e.arxivId}v${e.version} [cs.LG])`)}</title>\n` +
    `<link>http://arxiv.org/abs/${e.arxivId}</link>\n` +
    `<description rdf:parseType="Literal">${escapeXml(html)}</description>\n` +
    `<dc:creator> ${escapeXml(creators)}</dc:creator>\n` +
    '</item>'
  );
}

/** RSS 1.0 shows a linked repository as "this https URL", so that is the abstract's text. */
export function rss1Abstract(e: PageEntry): string {
  return e.repo === null ? e.abstract : joinWords(e.abstract, 'Code: this https URL.');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function joinWords(a: string, b: string): string {
  return a === '' ? b : `${a} ${b}`;
}

/** Hard-wraps text as sources do: a line break (and indent) instead of some spaces. */
function wrap(s: string): string {
  let count = 0;
  return s.replace(/ /g, () => (++count % 5 === 0 ? '\n  ' : ' '));
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
