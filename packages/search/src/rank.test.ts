import type { Paper } from '@paperwire/schema';
import { canonicalPaper, paperIdFromArxiv } from '@paperwire/schema';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Alternative, TermMatch } from './rank.js';
import { COLUMN_WEIGHTS, Ranker, byRelevance, bySort } from './rank.js';
import { documentSize, fts5Totals } from './sqlite.js';
import { readHfFixture } from './testing/hf-fixture.js';
import { indexForm, searchWords } from './words.js';

const WEIGHTS = COLUMN_WEIGHTS.map((w) => w.toFixed(1)).join(', ');

describe('Ranker', () => {
  const papers = [
    ...readHfFixture(),
    canonicalPaper({
      ...readHfFixture()[0]!,
      id: paperIdFromArxiv('2401.00001'),
      arxivId: '2401.00001',
      title: 'Eﬃcient ﬁne-tuning: x² scaling of 한국어 models',
      authors: ['Émile Borel', 'Model Maker'],
    }),
  ];
  const db = new Database(':memory:');
  beforeAll(() => {
    db.exec(`CREATE VIRTUAL TABLE t USING fts5(title, abstract, authors, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');
             CREATE VIRTUAL TABLE t_vocab USING fts5vocab(t, row);`);
    const insert = db.prepare('INSERT INTO t (rowid, title, abstract, authors) VALUES (?, ?, ?, ?)');
    papers.forEach((p, i) =>
      insert.run(i + 1, indexForm(p.title), indexForm(p.abstract), indexForm(p.authors.join(', '))),
    );
  });
  afterAll(() => db.close());

  const documents = (word: string, prefix: boolean): number =>
    db
      .prepare<[string], { n: number }>('SELECT count(*) AS n FROM t WHERE t MATCH ?')
      .get(`"${word}"${prefix ? '*' : ''}`)!.n;
  const alternative = (word: string, prefix: boolean, cost: number): Alternative => ({
    word,
    prefix,
    cost,
    documents: documents(word, prefix),
  });
  const fts = (a: Alternative): string => `"${a.word}"${a.prefix ? '*' : ''}`;

  it('reads the index totals bm25 uses from the averages record', () => {
    const block = db.prepare<[], { block: Buffer }>('SELECT block FROM t_data WHERE id = 1').get()!.block;
    const words = db.prepare<[], { n: number }>('SELECT sum(cnt) AS n FROM t_vocab').get()!.n;
    expect(fts5Totals(block)).toEqual({ papers: papers.length, words });
    expect(fts5Totals(undefined)).toEqual({ papers: 0, words: 0 });
  });

  it.each([
    [
      [
        ['category', false, 0],
        ['cat', true, 0],
      ],
    ],
    [
      [
        ['discovery', false, 0],
        ['discover', false, 1],
        ['generalized', true, 0],
      ],
    ],
    [
      [['learning', false, 0]],
      [
        ['prototypes', false, 0],
        ['prototype', false, 1],
      ],
    ],
    [[['fine', false, 0]], [['x2', false, 0]], [['한국어', false, 0]], [['emile', true, 0]]],
    [
      [
        ['model', true, 0],
        ['models', false, 0],
      ],
      [['the', false, 0]],
    ],
  ] as [string, boolean, number][][][])('gives FTS5 bm25 of every matching paper for %j', (...spec) => {
    const terms: TermMatch[] = spec.map((alternatives) => ({
      term: alternatives[0]![0],
      prefix: alternatives[0]![1],
      alternatives: alternatives.map(([word, prefix, cost]) => alternative(word, prefix, cost)),
    }));
    const block = db.prepare<[], { block: Buffer }>('SELECT block FROM t_data WHERE id = 1').get()!.block;
    const ranker = new Ranker(terms, false, fts5Totals(block));
    const expression = terms.map((t) => `(${t.alternatives.map(fts).join(' OR ')})`).join(' OR ');
    const rows = db
      .prepare<[string], { rowid: number; score: number }>(
        `SELECT rowid, bm25(t, ${WEIGHTS}) AS score FROM t WHERE t MATCH ?`,
      )
      .all(expression);
    expect(rows.length).toBeGreaterThan(0);
    const size = db.prepare<[number], { sz: string }>('SELECT hex(sz) AS sz FROM t_docsize WHERE id = ?');
    for (const { rowid, score } of rows) {
      const keys = ranker.keys(papers[rowid - 1]!);
      expect(keys.score).toBeCloseTo(score, 12);
      // Given FTS5's count of the paper's words, the text is searched, not read word by word.
      const length = documentSize(size.get(rowid)!.sz);
      expect(ranker.keys(papers[rowid - 1]!, length)).toEqual(keys);
    }
  });

  it('counts words matched in a row, typos, the title phrase and the fields of the matches', () => {
    const paper = papers.at(-1)!;
    const terms: TermMatch[] = [
      { term: 'efficient', prefix: false, alternatives: [alternative('efficient', false, 0)] },
      {
        term: 'fime',
        prefix: false,
        alternatives: [alternative('fime', false, 0), alternative('fine', false, 1)],
      },
      { term: 'borel', prefix: false, alternatives: [alternative('borel', false, 0)] },
      { term: 'zzz', prefix: false, alternatives: [alternative('zzz', false, 0)] },
      { term: 'model', prefix: false, alternatives: [alternative('model', false, 0)] },
    ];
    const keys = new Ranker(terms, false, { papers: 100, words: 10_000 }).keys(paper);
    expect(keys).toMatchObject({ words: 3, typos: 1, phrase: 2, titleTerms: 2, authorTerms: 1 });
    const title = searchWords(paper.title);
    const whole = new Ranker(
      title.map((word) => ({ term: word, prefix: false, alternatives: [alternative(word, false, 0)] })),
      false,
      { papers: 100, words: 10_000 },
    ).keys(paper);
    expect(whole).toMatchObject({ words: title.length, typos: 0, phrase: 0 });
    const start = title.slice(0, 2);
    const phrase = new Ranker(
      start.map((word, i) => ({
        term: word,
        prefix: i === 1,
        alternatives: [alternative(word, i === 1, 0)],
      })),
      true,
      { papers: 100, words: 10_000 },
    ).keys(paper);
    expect(phrase.phrase).toBe(1);
  });

  it('orders by the keys, then newest, then id; an explicit sort first, unknown values last', () => {
    const paper = (id: string, firstSeenAt: string, upvotes: number | null): Paper => ({
      ...papers[0]!,
      id,
      firstSeenAt,
      upvotes,
    });
    const keys = { words: 1, typos: 0, phrase: 2, titleTerms: 0, authorTerms: 0, score: -1 };
    const a = { paper: paper('arxiv-1', '2025-11-01T00:00:00.000Z', null), keys };
    const b = { paper: paper('arxiv-2', '2025-11-02T00:00:00.000Z', 3), keys };
    const c = { paper: paper('arxiv-3', '2025-11-02T00:00:00.000Z', 3), keys: { ...keys, score: -2 } };
    const d = { paper: paper('arxiv-0', '2025-11-02T00:00:00.000Z', 3), keys };
    expect([a, b, c, d].sort(byRelevance).map((r) => r.paper.id)).toEqual([
      'arxiv-3',
      'arxiv-0',
      'arxiv-2',
      'arxiv-1',
    ]);
    expect([c, a, b, d].sort(bySort('upvotes:desc')).map((r) => r.paper.id)).toEqual([
      'arxiv-3',
      'arxiv-0',
      'arxiv-2',
      'arxiv-1',
    ]);
  });
});
