import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';

import type { Paper, PaperId, SearchRequest, SearchResponse, StatsResponse } from '@paperwire/schema';
import { PaperSchema, mergePapers, normalizeTitle, recordSighting } from '@paperwire/schema';
import Database from 'better-sqlite3';

import type { SearchIndex, SightingResult, UpsertResult } from './port.js';
import { paperTermWeights, queryTerms } from './query.js';
import type { QueryTerms } from './query.js';
import { mergeBatch } from './upsert.js';

/**
 * Each entry moves the file from schema version i to i + 1 (`PRAGMA user_version`). Entries
 * are never edited once released; a change is a new entry.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE papers (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL,
    title_norm TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    published_at TEXT,
    upvotes INTEGER,
    has_code INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX papers_by_first_seen ON papers (first_seen_at DESC, id);
  CREATE VIRTUAL TABLE papers_fts USING fts5(title, abstract, authors, tokenize = 'unicode61 remove_diacritics 2');
  CREATE VIRTUAL TABLE papers_vocab USING fts5vocab(papers_fts, row);
  `,
];

/** bm25 column weights (title, abstract, authors): a word in the title says far more. */
const SEARCH_WEIGHTS = '10.0, 1.0, 2.0';
const SIMILAR_WEIGHTS = '3.0, 1.0, 0.0';
/** How many of a paper's most distinctive words make up its "similar" query. */
const SIMILAR_TERMS = 16;
const BUSY_TIMEOUT_MS = 5000;
/** Longer "words" are not typos of anything (and would make the distance costly). */
const MAX_TYPO_WORD = 40;
/** Bounds the expression a misspelt word expands to. */
const MAX_TYPO_CANDIDATES = 24;

interface PaperRow {
  seq: number;
  doc: string;
}

export interface SqliteIndexOptions {
  /** The database file; its directory is created when missing. */
  path: string;
}

export function createSqliteIndex(opts: SqliteIndexOptions): SearchIndex {
  return new SqliteSearchIndex(resolve(opts.path));
}

/**
 * The embedded engine: one SQLite file (WAL) that several processes may read and write at
 * once. Every read-merge-write runs inside `BEGIN IMMEDIATE`, so two writers merging
 * sightings of the same paper are serialized by SQLite itself.
 */
class SqliteSearchIndex implements SearchIndex {
  readonly engine = 'sqlite' as const;
  readonly #path: string;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(path: string) {
    this.#path = path;
    mkdirSync(dirname(path), { recursive: true });
    try {
      this.#db = new Database(path);
      // The busy timeout comes first: switching to WAL needs a lock another process may hold.
      this.#db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = NORMAL');
      this.#migrate();
    } catch (error) {
      throw new Error(`cannot open the sqlite index at ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async ensureSettings(): Promise<void> {
    this.#migrate();
  }

  async upsert(papers: Paper[]): Promise<UpsertResult> {
    const incoming = mergeBatch(papers.map((p) => PaperSchema.parse(p)));
    const result: UpsertResult = { created: 0, updated: 0, unchanged: 0 };
    this.#db
      .transaction(() => {
        for (const paper of incoming) {
          const row = this.#row(paper.id);
          if (!row) {
            this.#insert(paper);
            result.created += 1;
            continue;
          }
          const stored = JSON.parse(row.doc) as Paper;
          const merged = mergePapers(stored, paper);
          if (isDeepStrictEqual(merged, stored)) {
            result.unchanged += 1;
          } else {
            this.#update(row.seq, stored, merged);
            result.updated += 1;
          }
        }
      })
      .immediate();
    return result;
  }

  async recordSightings(ids: PaperId[], url: string, capturedAt: string): Promise<SightingResult> {
    const result: SightingResult = { updated: 0, missing: [] };
    this.#db
      .transaction(() => {
        for (const id of new Set(ids)) {
          const row = this.#row(id);
          if (!row) {
            result.missing.push(id);
            continue;
          }
          const stored = JSON.parse(row.doc) as Paper;
          const seen = recordSighting(stored, url, capturedAt);
          if (isDeepStrictEqual(seen, stored)) continue;
          this.#update(row.seq, stored, seen);
          result.updated += 1;
        }
      })
      .immediate();
    return result;
  }

  async get(id: PaperId): Promise<Paper | null> {
    const row = this.#row(id);
    return row ? (JSON.parse(row.doc) as Paper) : null;
  }

  async search({ q, limit, offset }: SearchRequest): Promise<SearchResponse> {
    const started = performance.now();
    const query = queryTerms(q);
    const { hits, total } =
      query.terms.length === 0 ? this.#placeholder(limit, offset) : this.#match(query, limit, offset);
    return {
      hits,
      total,
      limit,
      offset,
      query: q,
      processingTimeMs: Math.round(performance.now() - started),
    };
  }

  async similar(id: PaperId, limit: number): Promise<Paper[]> {
    const row = this.#row(id);
    if (!row) return [];
    const paper = JSON.parse(row.doc) as Paper;
    const papers = this.#count();
    const scored: { term: string; score: number }[] = [];
    for (const [term, weight] of paperTermWeights(paper.title, paper.abstract)) {
      const documents = this.#documentFrequency(term);
      // A word no other paper has cannot lead to one.
      if (documents < 2) continue;
      scored.push({ term, score: weight * Math.log(papers / documents) });
    }
    scored.sort((a, b) => b.score - a.score || (a.term < b.term ? -1 : 1));
    const terms = scored.slice(0, SIMILAR_TERMS).map((s) => ftsString(s.term));
    if (terms.length === 0) return [];
    const rows = this.#statement<[string, number, number], { doc: string }>(
      `SELECT p.doc FROM papers_fts JOIN papers p ON p.seq = papers_fts.rowid
         WHERE papers_fts MATCH ? AND papers_fts.rowid != ?
         ORDER BY bm25(papers_fts, ${SIMILAR_WEIGHTS}), p.first_seen_at DESC, p.id
         LIMIT ?`,
    ).all(terms.join(' OR '), row.seq, limit);
    return rows.map((r) => JSON.parse(r.doc) as Paper);
  }

  async delete(ids: PaperId[]): Promise<void> {
    this.#db
      .transaction(() => {
        for (const id of ids) {
          const row = this.#row(id);
          if (!row) continue;
          this.#statement('DELETE FROM papers_fts WHERE rowid = ?').run(row.seq);
          this.#statement('DELETE FROM papers WHERE seq = ?').run(row.seq);
        }
      })
      .immediate();
  }

  async stats(): Promise<StatsResponse> {
    return { papers: this.#count() };
  }

  async ping(): Promise<void> {
    if (!this.#db.open) throw new Error(`the sqlite index at ${this.#path} is closed`);
    this.#statement('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #migrate(): void {
    this.#db
      .transaction(() => {
        const version = this.#db.pragma('user_version', { simple: true }) as number;
        if (version > MIGRATIONS.length) {
          throw new Error(
            `schema version ${version} is newer than this program knows (${MIGRATIONS.length}); upgrade paperwire`,
          );
        }
        for (const migration of MIGRATIONS.slice(version)) this.#db.exec(migration);
        if (version !== MIGRATIONS.length) this.#db.pragma(`user_version = ${MIGRATIONS.length}`);
      })
      .immediate();
  }

  #statement<P extends unknown[] | object = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement as unknown as Database.Statement<P, R>;
  }

  #row(id: string): PaperRow | undefined {
    return this.#statement<[string], PaperRow>('SELECT seq, doc FROM papers WHERE id = ?').get(id);
  }

  #count(): number {
    return this.#statement<[], { n: number }>('SELECT count(*) AS n FROM papers').get()?.n ?? 0;
  }

  /** `paper` is canonical (see `mergeBatch`), so storing it as given keeps upserts idempotent. */
  #insert(paper: Paper): void {
    const info = this.#statement(
      `INSERT INTO papers (id, doc, title_norm, first_seen_at, published_at, upvotes, has_code)
         VALUES (@id, @doc, @titleNorm, @firstSeenAt, @publishedAt, @upvotes, @hasCode)`,
    ).run(columns(paper));
    this.#writeText(Number(info.lastInsertRowid), paper);
  }

  #update(seq: number, stored: Paper, paper: Paper): void {
    this.#statement(
      `UPDATE papers SET doc = @doc, title_norm = @titleNorm, first_seen_at = @firstSeenAt,
           published_at = @publishedAt, upvotes = @upvotes, has_code = @hasCode
         WHERE seq = @seq`,
    ).run({ ...columns(paper), seq });
    const textChanged =
      stored.title !== paper.title ||
      stored.abstract !== paper.abstract ||
      !isDeepStrictEqual(stored.authors, paper.authors);
    if (textChanged) {
      this.#statement('DELETE FROM papers_fts WHERE rowid = ?').run(seq);
      this.#writeText(seq, paper);
    }
  }

  #writeText(seq: number, paper: Paper): void {
    this.#statement('INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (?, ?, ?, ?)').run(
      seq,
      paper.title,
      paper.abstract,
      paper.authors.join(', '),
    );
  }

  #documentFrequency(term: string): number {
    return (
      this.#statement<[string], { doc: number }>('SELECT doc FROM papers_vocab WHERE term = ?').get(term)
        ?.doc ?? 0
    );
  }

  #placeholder(limit: number, offset: number): { hits: Paper[]; total: number } {
    const rows = this.#statement<[number, number], { doc: string }>(
      'SELECT doc FROM papers ORDER BY first_seen_at DESC, id LIMIT ? OFFSET ?',
    ).all(limit, offset);
    return { hits: rows.map((r) => JSON.parse(r.doc) as Paper), total: this.#count() };
  }

  /**
   * All words required; when that finds nothing, any word (as Meilisearch drops words until
   * something matches). A word the index has never seen is replaced by the indexed words one
   * or two typos away.
   */
  #match(query: QueryTerms, limit: number, offset: number): { hits: Paper[]; total: number } {
    const alternatives = query.terms.map((term, i) =>
      this.#alternatives(term, query.lastIsPrefix && i === query.terms.length - 1),
    );
    let expression = alternatives.join(' AND ');
    let total = this.#matchCount(expression);
    if (total === 0 && alternatives.length > 1) {
      expression = alternatives.join(' OR ');
      total = this.#matchCount(expression);
    }
    if (total === 0) return { hits: [], total };
    const phrase = query.terms.join(' ');
    const rows = this.#statement<
      { match: string; phrase: string; phraseEnd: string; limit: number; offset: number },
      { doc: string }
    >(
      `SELECT p.doc FROM papers_fts JOIN papers p ON p.seq = papers_fts.rowid
         WHERE papers_fts MATCH @match
         ORDER BY
           CASE
             WHEN p.title_norm = @phrase THEN 0
             WHEN instr(' ' || p.title_norm || ' ', ' ' || @phrase || @phraseEnd) > 0 THEN 1
             ELSE 2
           END,
           bm25(papers_fts, ${SEARCH_WEIGHTS}),
           p.first_seen_at DESC,
           p.id
         LIMIT @limit OFFSET @offset`,
    ).all({ match: expression, phrase, phraseEnd: query.lastIsPrefix ? '' : ' ', limit, offset });
    return { hits: rows.map((r) => JSON.parse(r.doc) as Paper), total };
  }

  #matchCount(expression: string): number {
    return (
      this.#statement<[string], { n: number }>(
        'SELECT count(*) AS n FROM papers_fts WHERE papers_fts MATCH ?',
      ).get(expression)?.n ?? 0
    );
  }

  /** The FTS5 expression for one query word: itself, or the indexed words it may be a typo of. */
  #alternatives(term: string, prefix: boolean): string {
    const exact = ftsString(term) + (prefix ? '*' : '');
    const maxTypos = term.length > MAX_TYPO_WORD ? 0 : term.length >= 9 ? 2 : term.length >= 5 ? 1 : 0;
    if (maxTypos === 0 || this.#known(term, prefix)) return exact;
    const candidates = this.#statement<[string, string], { term: string }>(
      'SELECT term FROM papers_vocab WHERE term >= ? AND term < ?',
    )
      .all(term[0]!, `${term[0]!}\u{10FFFF}`)
      .map((r) => r.term)
      .filter((candidate) => withinTypos(term, candidate, maxTypos, prefix))
      .slice(0, MAX_TYPO_CANDIDATES);
    if (candidates.length === 0) return exact;
    return `(${[exact, ...candidates.map(ftsString)].join(' OR ')})`;
  }

  #known(term: string, prefix: boolean): boolean {
    if (!prefix) return this.#documentFrequency(term) > 0;
    const row = this.#statement<[string, string], { term: string }>(
      'SELECT term FROM papers_vocab WHERE term >= ? AND term < ? LIMIT 1',
    ).get(term, `${term}\u{10FFFF}`);
    return row !== undefined;
  }
}

function columns(paper: Paper) {
  return {
    id: paper.id,
    doc: JSON.stringify(paper),
    titleNorm: normalizeTitle(paper.title),
    firstSeenAt: paper.firstSeenAt,
    publishedAt: paper.publishedAt,
    upvotes: paper.upvotes,
    hasCode: paper.codeUrls.length > 0 ? 1 : 0,
  };
}

/** An FTS5 string literal: the word is matched as text, whatever characters it holds. */
function ftsString(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

/**
 * Whether `candidate` is at most `maxTypos` edits (insert, delete, substitute, swap of two
 * neighbours) from `term`; with `prefix`, from some prefix of `candidate`.
 */
export function withinTypos(term: string, candidate: string, maxTypos: number, prefix = false): boolean {
  if (
    prefix ? candidate.length < term.length - maxTypos : Math.abs(term.length - candidate.length) > maxTypos
  )
    return false;
  const a = [...term];
  const b = [...(prefix ? [...candidate].slice(0, a.length + maxTypos) : candidate)];
  // Optimal string alignment distance, row by row.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, before[j - 2]! + 1);
      current.push(d);
    }
    before = previous;
    previous = current;
  }
  const distances = prefix ? previous.slice(Math.max(0, a.length - maxTypos)) : [previous[b.length]!];
  return Math.min(...distances) <= maxTypos;
}
