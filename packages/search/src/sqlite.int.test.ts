import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Paper, SearchRequest } from '@paperwire/schema';
import { canonicalPaper, mergePapers, mergePapersAs } from '@paperwire/schema';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createSqliteIndex, type SqliteSearchIndex } from './sqlite.js';
import { describeSearchIndexContract } from './testing/contract.js';
import { identitySightings } from './testing/contract-identity.js';
import { searchWords } from './words.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WRITER = fileURLToPath(new URL('./testing/upsert-process.ts', import.meta.url));

describeSearchIndexContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'paperwire-sqlite-'));
  const index = createSqliteIndex({ path: join(dir, 'papers.sqlite') });
  return {
    index,
    cleanup: async () => {
      await index.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

/** A small deterministic generator, so a failure can be replayed exactly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function generateSightings(seed: number, count: number, ids: string[]): Paper[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const pages = [
    'https://huggingface.co/papers',
    'https://huggingface.co/papers?date=2025-11-02',
    'file:///a.txt',
  ];
  const repos = ['https://github.com/a/x', 'https://github.com/b/y', 'https://github.com/c/z'];
  return Array.from({ length: count }, () => {
    const capturedAt = new Date(Date.UTC(2025, 10, 1, Math.floor(next() * 72))).toISOString();
    const upvotes = next() < 0.3 ? null : Math.floor(next() * 40);
    const authors = pick([[], ['Ada'], ['Ada', 'Bob'], ['Ada', 'Bob', 'Cy']]);
    return canonicalPaper({
      id: pick(ids),
      title: pick(['Prototype Learning', 'Prototype learning']),
      abstract: pick(['', 'Short.', 'A longer abstract about prototypes.']),
      authors,
      authorCount: next() < 0.5 ? null : authors.length + Math.floor(next() * 3),
      publishedAt: pick([null, '2025-10-01', '2025-09-15']),
      upvotes,
      codeUrls: repos.filter(() => next() < 0.3),
      arxivId: null,
      sources: [{ name: 'hf', url: pick(pages), format: 'hf-text', capturedAt, upvotes }],
      firstSeenAt: capturedAt,
      lastSeenAt: capturedAt,
    });
  });
}

/** Papers of one made-up arXiv month, `arxiv-<month>_<i>`, with the title and abstract given. */
function paperOf(month: string): (i: number, title: string, abstract: string) => Paper {
  const base = generateSightings(5, 1, ['arxiv-2501_00001'])[0]!;
  return (i, title, abstract) =>
    canonicalPaper({ ...base, id: `arxiv-${month}_${String(i).padStart(5, '0')}`, title, abstract });
}

interface Writer {
  ready: Promise<void>;
  exited: Promise<void>;
}

/**
 * Writes `papers` to a new index file at `path`, then runs `check` with the file opened twice:
 * ranking 10 candidates, and ranking every match (the full ranking to compare with).
 */
async function withBoundedAndExact(
  path: string,
  papers: Paper[],
  check: (bounded: SqliteSearchIndex, exact: SqliteSearchIndex) => Promise<void>,
): Promise<void> {
  const writer = createSqliteIndex({ path });
  try {
    await writer.upsert(papers);
  } finally {
    await writer.close();
  }
  const bounded = createSqliteIndex({ path, candidates: 10 });
  const exact = createSqliteIndex({ path, candidates: 1_000_000 });
  try {
    await check(bounded, exact);
  } finally {
    await bounded.close();
    await exact.close();
  }
}

function startWriter(args: string[]): Writer {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', WRITER, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('ready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`writer exited (${code}) before it was ready: ${stderr}`)));
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`writer exited with ${code}: ${stderr.slice(-2000)}`)),
    );
  });
  ready.catch(() => undefined);
  return { ready, exited };
}

/** A file as schema version 1 (as released) wrote it, holding `stored`. */
function writeVersion1(path: string, stored: Paper[]): void {
  const raw = new Database(path);
  // Version 1 as released.
  raw.exec(`
    CREATE TABLE papers (
      seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, title_norm TEXT NOT NULL,
      first_seen_at TEXT NOT NULL, published_at TEXT, upvotes INTEGER, has_code INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX papers_by_first_seen ON papers (first_seen_at DESC, id);
    CREATE VIRTUAL TABLE papers_fts USING fts5(title, abstract, authors, tokenize = 'unicode61 remove_diacritics 2');
    CREATE VIRTUAL TABLE papers_vocab USING fts5vocab(papers_fts, row);
  `);
  for (const paper of stored) {
    const { lastInsertRowid } = raw
      .prepare(
        `INSERT INTO papers (id, doc, title_norm, first_seen_at, published_at, upvotes, has_code)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        paper.id,
        JSON.stringify(paper),
        paper.title.toLowerCase(),
        paper.firstSeenAt,
        paper.publishedAt,
        paper.upvotes,
        paper.codeUrls.length > 0 ? 1 : 0,
      );
    raw
      .prepare('INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (?, ?, ?, ?)')
      .run(lastInsertRowid, paper.title, paper.abstract, paper.authors.join(', '));
  }
  raw.pragma('user_version = 1');
  raw.close();
}

describe('sqlite index file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperwire-sqlite-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('merges overlapping sightings written by several processes at once exactly', async () => {
    const path = join(dir, 'index', 'papers.sqlite');
    const ids = [
      'arxiv-2501_00001',
      'arxiv-2501_00002',
      'arxiv-2501_00003',
      'title-0123456789abcdef01234567',
    ];
    const batches = [1, 2, 3, 4].map((seed) => generateSightings(seed, 150, ids));
    // The file and its schema exist before the race, as they would in a deployment.
    await createSqliteIndex({ path }).close();
    const goFile = join(dir, 'go');
    const writers = await Promise.all(
      batches.map(async (batch, i) => {
        const file = join(dir, `sightings-${i}.json`);
        await writeFile(file, JSON.stringify(batch));
        return startWriter([path, file, goFile]);
      }),
    );
    await Promise.all(writers.map((w) => w.ready));
    await writeFile(goFile, '');
    await Promise.all(writers.map((w) => w.exited));

    const index = createSqliteIndex({ path });
    try {
      const all = batches.flat();
      for (const id of ids) {
        const expected = all.filter((p) => p.id === id).reduce((a, b) => mergePapers(a, b));
        expect(await index.get(id)).toEqual(expected);
      }
      await expect(index.stats()).resolves.toEqual({ papers: ids.length });
      // The full-text index followed every rewrite: one row per paper, none stale.
      expect((await index.search({ q: 'prototype', limit: 10, offset: 0 })).total).toBe(ids.length);
    } finally {
      await index.close();
    }
  });

  it('commits upserts made together in one transaction, each with the result it has written alone', async () => {
    const ids = ['arxiv-2501_00001', 'arxiv-2501_00002', 'title-0123456789abcdef01234567'];
    const batches = [11, 12, 13, 14].map((seed) => generateSightings(seed, 20, ids));
    const together = createSqliteIndex({ path: join(dir, 'together.sqlite') });
    const alone = createSqliteIndex({ path: join(dir, 'alone.sqlite') });
    try {
      const before = together.version();
      const results = await Promise.all(batches.map((batch) => together.upsert(batch)));
      const [, writes] = together.version().split(':');
      expect(Number(writes) - Number(before.split(':')[1])).toBe(1);
      const expected = [];
      for (const batch of batches) expected.push(await alone.upsert(batch));
      expect(results).toEqual(expected);
      for (const id of ids) expect(await together.get(id)).toEqual(await alone.get(id));
    } finally {
      await together.close();
      await alone.close();
    }
  });

  it('commits upserts made turns apart within the commit window together, and at once when they hold enough papers', async () => {
    const [first, second] = [21, 22].map((seed, i) =>
      generateSightings(seed, 1, [`arxiv-2501_0000${i + 1}`]),
    );
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    const commits = async (opts: { commitWindowMs?: number; commitPapers?: number }, name: string) => {
      const index = createSqliteIndex({ path: join(dir, `${name}.sqlite`), ...opts });
      try {
        const writes = () => Number(index.version().split(':')[1]);
        const before = writes();
        const a = index.upsert(first!);
        await nextTurn();
        const b = index.upsert(second!);
        await Promise.all([a, b]);
        await expect(index.stats()).resolves.toEqual({ papers: 2 });
        return writes() - before;
      } finally {
        await index.close();
      }
    };
    expect(await commits({}, 'window')).toBe(1);
    expect(await commits({ commitWindowMs: 0 }, 'turn')).toBe(2);
    // A window longer than the test's timeout: only the papers waiting can make it commit.
    expect(await commits({ commitWindowMs: 600_000, commitPapers: 2 }, 'full')).toBe(1);
  });

  it('reopens an existing file with its papers', async () => {
    const path = join(dir, 'papers.sqlite');
    const paper = generateSightings(7, 1, ['arxiv-2501_00001'])[0]!;
    const first = createSqliteIndex({ path });
    await first.upsert([paper]);
    await first.close();
    const again = createSqliteIndex({ path });
    await expect(again.get(paper.id)).resolves.toEqual(paper);
    await again.close();
    await expect(again.ping()).rejects.toThrow(/closed/);
  });

  it('upgrades a file written by schema version 1: filters, facets, typos and one record per paper', async () => {
    const path = join(dir, 'papers.sqlite');
    const { titleOnly, hfJson, atom } = identitySightings(0);
    const stored = [titleOnly, mergePapers(hfJson, atom)];
    writeVersion1(path, stored);

    const index = createSqliteIndex({ path });
    try {
      await expect(index.stats()).resolves.toEqual({ papers: 1 });
      await expect(index.get(hfJson.id)).resolves.toEqual(
        mergePapersAs(hfJson.id, [titleOnly, hfJson, atom]),
      );
      await expect(index.resolve(titleOnly.id)).resolves.toEqual({ movedTo: hfJson.id });
      const filtered = await index.search({
        q: 'xegmentation anchroed',
        limit: 5,
        offset: 0,
        filters: { years: [2025], sources: ['arxiv'], authors: ['grace-hopper'], hasCode: true },
        facets: ['year', 'source'],
      });
      expect(filtered.hits.map((h) => h.id)).toEqual([hfJson.id]);
      expect(filtered.facetDistribution).toEqual({
        year: { '2025': 1 },
        source: { arxiv: 1, hf: 1, 'hf-api': 1 },
      });
    } finally {
      await index.close();
    }
  });

  it('upgrades a file written by schema version 6: every paper gets its trending score', async () => {
    const path = join(dir, 'papers.sqlite');
    const rising = (n: number, from: number, to: number, hours: number): Paper => {
      const paper = generateSightings(13, 1, [`arxiv-2501_0000${n}`])[0]!;
      const source = { ...paper.sources[0]!, upvotes: from };
      const later = new Date(Date.parse(source.capturedAt) + hours * 3_600_000).toISOString();
      return canonicalPaper({
        ...paper,
        id: `arxiv-2501_0000${n}`,
        upvotes: to,
        sources: [source, { ...source, capturedAt: later, upvotes: to }],
        lastSeenAt: later > paper.lastSeenAt ? later : paper.lastSeenAt,
      });
    };
    // 1: 1/h; 2: 20/h, captured at the same times; 3: no velocity.
    const papers = [rising(1, 0, 10, 10), rising(2, 0, 200, 10), rising(3, 5, 5, 10)];
    const written = createSqliteIndex({ path });
    await written.upsert(papers);
    await written.close();
    // As version 6 left it: no trending column.
    const raw = new Database(path);
    raw.exec(
      'DROP INDEX papers_by_trending; ALTER TABLE papers DROP COLUMN trending; DROP TABLE vocab_words;',
    );
    raw.pragma('user_version = 6');
    raw.close();

    const index = createSqliteIndex({ path });
    try {
      const trending = await index.search({ q: '', limit: 10, offset: 0, sort: 'trending' });
      expect(trending.hits.map((h) => h.id)).toEqual([
        'arxiv-2501_00002',
        'arxiv-2501_00001',
        'arxiv-2501_00003',
      ]);
      const check = new Database(path, { readonly: true });
      try {
        expect(check.pragma('user_version', { simple: true })).toBe(8);
        const plan = check
          .prepare(
            `EXPLAIN QUERY PLAN SELECT p.doc FROM papers p WHERE 1
               ORDER BY p.trending IS NULL, p.trending DESC, p.first_seen_at DESC, p.id LIMIT 10`,
          )
          .all() as { detail: string }[];
        expect(plan.map((row) => row.detail).join('\n')).toContain('papers_by_trending');
      } finally {
        check.close();
      }
    } finally {
      await index.close();
    }
  });

  it('finds words of every script, ligatures and superscripts, also in a file written before', async () => {
    const path = join(dir, 'papers.sqlite');
    const titles = [
      '한국어 대규모 언어 모델',
      '日本語のがくしゅう が 評価',
      'Eﬃcient ﬁne-tuning of transformers',
      'Scaling as x² with depth',
    ];
    const papers = titles.map((title, i) => ({
      ...generateSightings(11, 1, [`arxiv-2501_0000${i + 1}`])[0]!,
      title,
      abstract: '',
    }));
    writeVersion1(path, papers.slice(0, 2));
    const index = createSqliteIndex({ path });
    try {
      await index.upsert(papers.slice(2));
      const found = async (q: string) =>
        (await index.search({ q, limit: 10, offset: 0, highlight: true })).hits.map((h) => [
          h.id,
          h._formatted?.title,
        ]);
      expect(await found('한국어')).toEqual([[papers[0]!.id, '<mark>한국어</mark> 대규모 언어 모델']]);
      expect(await found('한국')).toEqual([[papers[0]!.id, '<mark>한국어</mark> 대규모 언어 모델']]);
      expect(await found('が ')).toEqual([[papers[1]!.id, '日本語のがくしゅう <mark>が</mark> 評価']]);
      expect(await found('fine tuning')).toEqual([
        [papers[2]!.id, 'Eﬃcient <mark>ﬁne</mark>-<mark>tuning</mark> of transformers'],
      ]);
      expect(await found('efficient')).toEqual([
        [papers[2]!.id, '<mark>Eﬃcient</mark> ﬁne-tuning of transformers'],
      ]);
      expect(await found('x2 ')).toEqual([[papers[3]!.id, 'Scaling as <mark>x²</mark> with depth']]);
      expect(await found('x²')).toEqual([[papers[3]!.id, 'Scaling as <mark>x²</mark> with depth']]);
      // The title phrase counts in their words too: the whole title is the best match.
      expect((await found('efficient fine tuning of transformers'))[0]?.[0]).toBe(papers[2]!.id);
    } finally {
      await index.close();
    }
  });

  it('finds misspellings of words another connection wrote after this one last searched', async () => {
    const path = join(dir, 'papers.sqlite');
    const writer = createSqliteIndex({ path });
    const [first, second, third] = generateSightings(21, 3, [
      'arxiv-2501_00001',
      'arxiv-2501_00002',
      'arxiv-2501_00003',
    ]);
    const titled = (paper: Paper, id: string, title: string): Paper => ({
      ...paper,
      id,
      title,
      abstract: '',
    });
    await writer.upsert([titled(first!, 'arxiv-2501_00001', 'Quokkaformer sees far')]);
    const reader = createSqliteIndex({ path, readonly: true });
    const ids = async (q: string) => (await reader.search({ q, limit: 10, offset: 0 })).hits.map((h) => h.id);
    try {
      expect(await ids('quokaformer')).toEqual(['arxiv-2501_00001']);
      expect(await ids('wombatnet')).toEqual([]);
      await writer.upsert([titled(second!, 'arxiv-2501_00002', 'Wombatnet digs deep')]);
      // One typo each: a deleted, then a swapped letter; the second word is being typed.
      expect(await ids('wombtnet')).toEqual(['arxiv-2501_00002']);
      expect(await ids('deep wobmatn')).toEqual(['arxiv-2501_00002']);
      // A word another writer added once the reader had read the list up to its end.
      const other = createSqliteIndex({ path });
      await other.upsert([titled(third!, 'arxiv-2501_00003', 'Numbatlike ants')]);
      await other.close();
      expect(await ids('numbatlke')).toEqual(['arxiv-2501_00003']);
      expect(await ids('quokaformer')).toEqual(['arxiv-2501_00001']);
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it('reads what writers add and change after it first read the file, as the file grows and is checkpointed', async () => {
    const path = join(dir, 'papers.sqlite');
    const writer = createSqliteIndex({ path });
    const [base] = generateSightings(31, 1, ['arxiv-2502_00000']);
    const paper = (n: number, title: string): Paper =>
      canonicalPaper({
        ...base!,
        id: `arxiv-2502_${String(n).padStart(5, '0')}`,
        title,
        abstract: `Pangolin burrows ${n} `.repeat(40),
      });
    await writer.upsert([paper(0, 'Aardvark field notes')]);
    const reader = createSqliteIndex({ path, readonly: true });
    const found = async (q: string) => {
      const response = await reader.search({ q, limit: 3, offset: 0 });
      return { total: response.total, first: response.hits[0]?.title };
    };
    try {
      expect(await found('aardvark')).toEqual({ total: 1, first: 'Aardvark field notes' });
      // Enough papers to grow the file many times over the pages the reader has read.
      for (let batch = 0; batch < 9; batch += 1)
        await writer.upsert(
          Array.from({ length: 100 }, (_, i) => paper(1 + batch * 100 + i, `Pangolin ${i}`)),
        );
      await writer.upsert([paper(0, 'Armadillo field notes')]);
      const raw = new Database(path);
      try {
        // Every page is now in the database file itself, none only in the WAL.
        expect(raw.pragma('wal_checkpoint(TRUNCATE)')).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
      } finally {
        raw.close();
      }
      expect(await found('pangolin')).toMatchObject({ total: 901 });
      expect(await found('aardvark')).toEqual({ total: 0, first: undefined });
      expect(await found('armadillo')).toEqual({ total: 1, first: 'Armadillo field notes' });
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it('finds every word a word being typed starts, whether it starts a few or too many to name', async () => {
    const path = join(dir, 'papers.sqlite');
    const index = createSqliteIndex({ path });
    // 70 words starting "zorbl" (more than a search names one by one), 3 starting "quagm".
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const many = Array.from(
      { length: 70 },
      (_, i) => `zorbl${letters[Math.floor(i / 26)]}${letters[i % 26]}`,
    );
    const few = ['quagmire', 'quagmires', 'quagmoid'];
    const words = [...many, ...few];
    const papers = generateSightings(
      25,
      words.length,
      words.map((_, i) => `arxiv-2502_${String(i + 1).padStart(5, '0')}`),
    ).map((paper, i) => ({
      ...paper,
      id: `arxiv-2502_${String(i + 1).padStart(5, '0')}`,
      title: `${words[i]} study`,
      abstract: '',
    }));
    try {
      await index.upsert(papers);
      const found = async (q: string) => {
        const answer = await index.search({ q, limit: 100, offset: 0 });
        return { total: answer.total, titles: answer.hits.map((h) => h.title.split(' ')[0]).sort() };
      };
      expect(await found('zorbl')).toEqual({ total: 70, titles: [...many].sort() });
      expect(await found('quagm')).toEqual({ total: 3, titles: [...few].sort() });
      // As a phrase of the title, and with a word before it.
      expect(await found('quagmir')).toEqual({ total: 2, titles: ['quagmire', 'quagmires'] });
      expect((await index.search({ q: 'quagmires stu', limit: 10, offset: 0 })).hits[0]?.title).toBe(
        'quagmires study',
      );
      // Papers with both words come first; the others hold the first word only.
      const both = await index.search({ q: 'study quagmi', limit: 3, offset: 0 });
      expect(both.hits.map((h) => h.title.split(' ')[0]).sort()).toEqual([...few].sort());
    } finally {
      await index.close();
    }
  });

  it('upgrades a file written by schema version 7: the words written before are found misspelt', async () => {
    const path = join(dir, 'papers.sqlite');
    const paper = { ...generateSightings(23, 1, ['arxiv-2501_00001'])[0]!, id: 'arxiv-2501_00001' };
    const written = createSqliteIndex({ path });
    await written.upsert([{ ...paper, title: 'Capybaranet swims', abstract: '' }]);
    await written.close();
    // As version 7 left it: no word list in order.
    const raw = new Database(path);
    raw.exec('DROP TABLE vocab_words;');
    raw.pragma('user_version = 7');
    raw.close();

    const index = createSqliteIndex({ path });
    try {
      const found = await index.search({ q: 'capybarnet', limit: 10, offset: 0 });
      expect(found.hits.map((h) => h.id)).toEqual(['arxiv-2501_00001']);
    } finally {
      await index.close();
    }
  });

  it('keeps whole-index facets only until this or another process changes the data', async () => {
    const path = join(dir, 'papers.sqlite');
    const reader = createSqliteIndex({ path });
    const writer = createSqliteIndex({ path });
    try {
      const [first, second] = generateSightings(9, 2, ['arxiv-2501_00001', 'arxiv-2501_00002']);
      await reader.upsert([{ ...first!, id: 'arxiv-2501_00001' }]);
      const before = await reader.facets();
      expect(before.source).toEqual({ hf: 1 });
      await writer.upsert([{ ...second!, id: 'arxiv-2501_00002' }]);
      expect((await reader.facets()).source).toEqual({ hf: 2 });
      await reader.delete(['arxiv-2501_00002']);
      expect((await reader.facets()).source).toEqual({ hf: 1 });
      expect((await writer.facets()).source).toEqual({ hf: 1 });
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it('ranks a bounded set of candidates for a query matching many papers, and counts every match', async () => {
    const path = join(dir, 'papers.sqlite');
    const next = random(3);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const words = ['learning', 'graph', 'vision', 'sparse', 'kernel', 'agents', 'memory', 'robust'];
    const filler = (n: number) => Array.from({ length: n }, () => pick(words)).join(' ');
    const base = generateSightings(5, 1, ['arxiv-2501_00001'])[0]!;
    const papers: Paper[] = Array.from({ length: 400 }, (_, i) =>
      canonicalPaper({
        ...base,
        id: `arxiv-2502_${String(i).padStart(5, '0')}`,
        title: `${filler(3)}${i % 3 === 0 ? ' model' : ''} ${filler(2)}`,
        abstract: `${filler(20)} ${'model '.repeat(1 + (i % 4))}${i % 5 === 0 ? 'modle ' : ''}${filler(20)}`,
        authors: [`${pick(['Ada', 'Alan', 'Grace'])} ${pick(['Lovelace', 'Turing', 'Hopper'])}`],
        upvotes: i,
        sources: base.sources.map((source) => ({ ...source, upvotes: i })),
        publishedAt: `${2020 + (i % 6)}-01-01`,
        codeUrls: i % 2 === 0 ? [`https://github.com/a/${i}`] : [],
      }),
    );
    const titledQuery = canonicalPaper({
      ...papers[7]!,
      id: 'arxiv-2502_90001',
      title: 'Model',
      abstract: filler(120),
    });
    const byAuthor = canonicalPaper({
      ...papers[9]!,
      id: 'arxiv-2502_90002',
      title: 'Sparse model kernels',
      authors: ['Modeline Turing'],
    });
    await withBoundedAndExact(path, [...papers, titledQuery, byAuthor], async (bounded, exact) => {
      const requests: SearchRequest[] = [
        { q: 'model', limit: 10, offset: 0, facets: ['year', 'hasCode', 'source'] },
        { q: 'model ', limit: 5, offset: 0 },
        { q: 'mod', limit: 10, offset: 20 },
        { q: 'models learning', limit: 10, offset: 0, filters: { hasCode: true } },
        { q: 'model', limit: 10, offset: 30, sort: 'upvotes:desc' },
        { q: 'model', limit: 10, offset: 0, sort: 'publishedAt:asc', filters: { years: [2021, 2022] } },
      ];
      for (const request of requests) {
        const what = JSON.stringify(request);
        const approximate = await bounded.search(request);
        const full = await exact.search(request);
        expect(approximate.total, what).toBe(full.total);
        expect(approximate.total, what).toBeGreaterThan(40);
        expect(approximate.facetDistribution, what).toEqual(full.facetDistribution);
        const ids = approximate.hits.map((h) => h.id);
        expect(new Set(ids).size, what).toBe(Math.min(request.limit, full.total - request.offset));
        for (const hit of approximate.hits)
          expect(searchWords(`${hit.title} ${hit.abstract}`).join(' '), what).toMatch(/\bmod/);
        // An explicit sort is strict: the page holds the full ranking's values, in its order
        // (which of many papers with the value at the page's edge it holds may differ).
        const sortValue = (h: Paper) => (request.sort === 'upvotes:desc' ? h.upvotes : h.publishedAt);
        if (request.sort) expect(approximate.hits.map(sortValue), what).toEqual(full.hits.map(sortValue));
        if (request.sort === 'upvotes:desc') expect(ids, what).toEqual(full.hits.map((h) => h.id));
      }
      // The title that is the query, then the title phrase with the word (a prefix) in an author
      // name, whatever bm25 makes of them.
      expect((await bounded.search({ q: 'model', limit: 2, offset: 0 })).hits.map((h) => h.id)).toEqual([
        titledQuery.id,
        byAuthor.id,
      ]);
      expect((await bounded.search({ q: 'model ', limit: 1, offset: 0 })).hits[0]?.id).toBe(titledQuery.id);
      // Past the sets that rank first, the best of the next are chosen by bm25 and then ranked
      // fully: the first hits are the full ranking's, the rest close to it.
      for (const q of ['model', 'model ', 'mode', 'models learning', 'modle']) {
        const approximate = (await bounded.search({ q, limit: 10, offset: 0 })).hits.map((h) => h.id);
        const full = (await exact.search({ q, limit: 10, offset: 0 })).hits.map((h) => h.id);
        expect(approximate[0], q).toBe(full[0]);
        expect(approximate.filter((id) => full.includes(id)).length, q).toBeGreaterThanOrEqual(5);
      }
    });
  });

  it('ranks first the papers with every word in the title, at any alternative, when their tier is too small for the page', async () => {
    const path = join(dir, 'papers.sqlite');
    const paper = paperOf('2503');
    // Many papers hold both words often (a high bm25), few in the title: the tier of the words as
    // typed holds two, and three more hold a misspelling of one in the title (as many title words).
    const papers = [
      ...Array.from({ length: 300 }, (_, i) =>
        paper(i, `Kernel study ${i}`, `${'graph memory '.repeat(6)}${i % 50 === 0 ? 'vision' : 'plain'}`),
      ),
      paper(1001, 'Graph memory', `graph memory ${'filler '.repeat(150)}`),
      paper(1002, 'Sparse graph with memory', `graph memory ${'filler '.repeat(150)}`),
      paper(1003, 'Graph memroy', `graph memory ${'filler '.repeat(150)}`),
      paper(1004, 'A graph of memroy cells', `graph memory vision ${'filler '.repeat(150)}`),
      paper(1005, 'Memroy graph', `graph memory ${'filler '.repeat(150)}`),
    ];
    await withBoundedAndExact(path, papers, async (bounded, exact) => {
      const titled = ['1001', '1002', '1003', '1004', '1005'].map((n) => `arxiv-2503_0${n}`);
      for (const q of ['graph memory', 'graph memory ']) {
        const approximate = (await bounded.search({ q, limit: 10, offset: 0 })).hits.map((h) => h.id);
        const full = (await exact.search({ q, limit: 10, offset: 0 })).hits.map((h) => h.id);
        expect(approximate.slice(0, 5), q).toEqual(full.slice(0, 5));
        expect([...approximate.slice(0, 5)].sort(), q).toEqual(titled);
      }
      // Missing the last word: the group without "vision" has its title holders, and a paper that
      // holds "vision" is in the group before, once.
      const request: SearchRequest = { q: 'graph memory vision', limit: 20, offset: 0 };
      const approximate = (await bounded.search(request)).hits.map((h) => h.id);
      const full = (await exact.search(request)).hits.map((h) => h.id);
      expect(new Set(approximate).size).toBe(20);
      expect(approximate[0]).toBe(full[0]);
      const withoutVision = titled.filter((id) => id !== 'arxiv-2503_01004');
      const after = approximate.slice(approximate.findIndex((id) => withoutVision.includes(id)));
      expect([...after.slice(0, 4)].sort()).toEqual(withoutVision);
      expect(approximate.indexOf('arxiv-2503_01004')).toBeLessThan(approximate.indexOf(after[0]!));
    });
  });

  it('ranks next the papers with more of the words in the title, however low their bm25, and only those of the group', async () => {
    const path = join(dir, 'papers.sqlite');
    const base = generateSightings(5, 1, ['arxiv-2501_00001'])[0]!;
    const paper = (i: number, title: string, abstract: string, code = true): Paper =>
      canonicalPaper({
        ...base,
        id: `arxiv-2504_${String(i).padStart(5, '0')}`,
        title,
        abstract,
        codeUrls: code ? [`https://github.com/a/${i}`] : [],
      });
    // Short abstracts that repeat both words score best by bm25; one word in a long paper's
    // title scores less, yet ranks first. Papers with "graph" in the title but no "memory" are
    // not of the group, whatever their title.
    const papers = [
      ...Array.from({ length: 300 }, (_, i) => paper(i, `Kernel study ${i}`, 'graph memory '.repeat(6))),
      ...Array.from({ length: 700 }, (_, i) => paper(1000 + i, `Kernel notes ${i}`, 'plain text')),
      paper(2001, 'Graph study', `memory ${'filler '.repeat(150)}`),
      paper(2002, 'Graph notes', `memory ${'filler '.repeat(150)}`, false),
      paper(2003, 'Memory notes', `graph ${'filler '.repeat(150)}`),
      ...Array.from({ length: 5 }, (_, i) => paper(3000 + i, `Graph graph ${i}`, 'graph only')),
    ];
    await withBoundedAndExact(path, papers, async (bounded, exact) => {
      const titled = ['2001', '2002', '2003'].map((n) => `arxiv-2504_0${n}`);
      const cases: [SearchRequest, string[]][] = [
        [{ q: 'graph memory', limit: 10, offset: 0 }, titled],
        [{ q: 'graph memory', limit: 10, offset: 0, filters: { hasCode: true } }, [titled[0]!, titled[2]!]],
      ];
      for (const [request, first] of cases) {
        const what = JSON.stringify(request);
        const approximate = (await bounded.search(request)).hits;
        const full = (await exact.search(request)).hits.map((h) => h.id);
        expect([...approximate.slice(0, first.length).map((h) => h.id)].sort(), what).toEqual(first);
        expect(
          approximate.map((h) => h.id),
          what,
        ).toEqual(full);
        for (const hit of approximate) expect(`${hit.title} ${hit.abstract}`, what).toMatch(/memory/i);
      }
    });
  });

  it('looks for the best by bm25 of a group unless the papers with the most words in the title settle the page', async () => {
    const path = join(dir, 'papers.sqlite');
    const paper = paperOf('2505');
    // Two titles hold both words. Of those holding one, "Graph study" papers hold "graph" most
    // (the title postings' order), while "Graph notes" papers score better by bm25 for repeating
    // "memory": the papers with the title phrase do not fill the page, and bm25 decides the rest.
    const papers = [
      ...Array.from({ length: 300 }, (_, i) => paper(i, `Kernel study ${i}`, 'graph memory plain text')),
      ...Array.from({ length: 20 }, (_, i) =>
        paper(1000 + i, `Graph study ${i}`, 'graph graph graph memory plain'),
      ),
      ...Array.from({ length: 5 }, (_, i) => paper(2000 + i, `Graph notes ${i}`, 'memory '.repeat(6))),
      paper(3000, 'Graph memory one', 'plain text'),
      paper(3001, 'Graph memory two', 'plain text'),
    ];
    await withBoundedAndExact(path, papers, async (bounded, exact) => {
      for (const limit of [3, 5, 10]) {
        const request: SearchRequest = { q: 'graph memory', limit, offset: 0 };
        const approximate = (await bounded.search(request)).hits.map((h) => h.id);
        const full = (await exact.search(request)).hits.map((h) => h.id);
        expect(approximate, `limit ${limit}`).toEqual(full);
        expect([...full.slice(0, 2)].sort()).toEqual(['arxiv-2505_03000', 'arxiv-2505_03001']);
        expect(
          full.slice(2, 7).every((id) => id.startsWith('arxiv-2505_02')),
          `limit ${limit}`,
        ).toBe(true);
      }
    });
  });

  it('takes the papers of a title tier that hold a common misspelling in the title too', async () => {
    const path = join(dir, 'papers.sqlite');
    const paper = paperOf('2506');
    // "models" is a typo of "model" in more than 5,000 papers (`SMALL_SET`), under half of them:
    // of the tier of "model" in the title, the paper with "models" in its title too ranks first
    // by bm25, though its longer title puts it last in the order of the title postings.
    const papers = [
      ...Array.from({ length: 5_100 }, (_, i) => paper(i, `Kernel study ${i}`, 'models plain text')),
      ...Array.from({ length: 6_000 }, (_, i) => paper(10_000 + i, `Kernel notes ${i}`, 'plain text')),
      ...Array.from({ length: 200 }, (_, i) => paper(20_000 + i, `Model ${i}`, 'plain text')),
      paper(30_000, 'Model of models', 'plain text'),
    ];
    await withBoundedAndExact(path, papers, async (bounded, exact) => {
      // A word typed whole: "models" is its misspelling, not a word it starts.
      const request: SearchRequest = { q: 'model ', limit: 10, offset: 0 };
      const approximate = (await bounded.search(request)).hits.map((h) => h.id);
      const full = (await exact.search(request)).hits.map((h) => h.id);
      expect(full[0]).toBe('arxiv-2506_30000');
      expect(approximate[0]).toBe(full[0]);
      expect(approximate.every((id) => id.startsWith('arxiv-2506_2') || id === full[0])).toBe(true);
    });
  });

  it('counts totals exactly up to 1,000 matches and estimates them past it, saying so', async () => {
    const index = createSqliteIndex({ path: join(dir, 'papers.sqlite') });
    const base = generateSightings(5, 1, ['arxiv-2501_00001'])[0]!;
    const papers = Array.from({ length: 3000 }, (_, i) =>
      canonicalPaper({
        ...base,
        id: `arxiv-2503_${String(i).padStart(5, '0')}`,
        title: `Paper ${i}`,
        abstract: `a model of things${i % 10 === 0 ? ' and a modle' : ''}${i < 600 ? ' with prototypes' : ''}`,
        codeUrls: i % 2 === 0 ? [`https://github.com/a/${i}`] : [],
      }),
    );
    try {
      await index.upsert(papers);
      const search = (q: string, filters?: SearchRequest['filters']) =>
        index.search({ q, limit: 5, offset: 0, ...(filters ? { filters } : {}) });
      // A word as typed with no misspelt neighbours, no filters: its own count, exact.
      expect(await search('things')).toMatchObject({ total: 3000, totalEstimated: false });
      // Few matches: counted exactly, with filters too.
      expect(await search('prototypes', { hasCode: true })).toMatchObject({
        total: 300,
        totalEstimated: false,
      });
      // Its misspelling brings "model" (every paper): past the bound, estimated from the counts.
      expect(await search('modle')).toMatchObject({ total: 3000, totalEstimated: true });
      // Filtered past the bound: the share of a sample that passes the filters.
      const filtered = await search('things', { hasCode: true });
      expect(filtered.totalEstimated).toBe(true);
      expect(filtered.total).toBeGreaterThan(1000);
      expect(Math.abs(filtered.total - 1500)).toBeLessThan(150);
      expect(filtered.hits).toHaveLength(5);
    } finally {
      await index.close();
    }
  });

  it('refuses a file written by a newer schema version', async () => {
    const path = join(dir, 'papers.sqlite');
    await createSqliteIndex({ path }).close();
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => createSqliteIndex({ path })).toThrow(/papers\.sqlite.*schema version 99 is newer/);
  });
});
