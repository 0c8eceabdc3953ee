import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';

import type {
  Paper,
  PaperId,
  SearchFacet,
  SearchHit,
  SearchRequest,
  SearchResponse,
  SearchSort,
  StatsResponse,
} from '@paperwire/schema';
import { FACETS, PaperSchema, authorKey, recordSighting } from '@paperwire/schema';
import Database from 'better-sqlite3';

import type { CheckedFilters } from './filters.js';
import { checkFilters, yearOf } from './filters.js';
import { CROP_WORDS, markWords } from './highlight.js';
import { aliasKeys, planUpsert, recordKeys } from './identity.js';
import type { Resolved, SearchIndex, SightingResult, UpsertResult } from './port.js';
import { paperTermWeights, queryTerms } from './query.js';
import type { QueryTerms } from './query.js';
import { typoBudget, typoCost } from './typos.js';
import { mergeBatch } from './upsert.js';
import { indexForm, searchWords } from './words.js';

type Migration = { sql: string; then?: (index: SqliteSearchIndex) => void };

/**
 * Each entry moves the file from schema version i to i + 1 (`PRAGMA user_version`). Entries
 * are never edited once released; a change is a new entry.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    sql: `
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
  },
  {
    // Filters and facets (year, author keys, source names), identity aliases, and the words
    // indexed by everything but their first letter (typos on the first letter).
    sql: `
  ALTER TABLE papers ADD COLUMN year INTEGER;
  CREATE INDEX papers_by_published ON papers (published_at);
  CREATE INDEX papers_by_upvotes ON papers (upvotes);
  CREATE TABLE paper_authors (key TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key, seq)) STRICT, WITHOUT ROWID;
  CREATE INDEX paper_authors_by_seq ON paper_authors (seq);
  CREATE TABLE paper_sources (name TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (name, seq)) STRICT, WITHOUT ROWID;
  CREATE INDEX paper_sources_by_seq ON paper_sources (seq);
  CREATE TABLE aliases (id TEXT PRIMARY KEY, target TEXT NOT NULL) STRICT, WITHOUT ROWID;
  CREATE INDEX aliases_by_target ON aliases (target);
  CREATE TABLE vocab_tails (tail TEXT NOT NULL, word TEXT NOT NULL, PRIMARY KEY (tail, word)) STRICT, WITHOUT ROWID;
  `,
    then: (index) => index.backfillVersion2(),
  },
  {
    // Text is indexed in NFKC form and titles compared in `searchWords` form (`words.ts`).
    sql: `
  DROP TABLE papers_vocab;
  DROP TABLE papers_fts;
  DELETE FROM vocab_tails;
  CREATE VIRTUAL TABLE papers_fts USING fts5(title, abstract, authors, tokenize = 'unicode61 remove_diacritics 2');
  CREATE VIRTUAL TABLE papers_vocab USING fts5vocab(papers_fts, row);
  `,
    then: (index) => index.reindexText(),
  },
];

/** bm25 column weights (title, abstract, authors): a word in the title says far more. */
const SEARCH_WEIGHTS = '10.0, 1.0, 2.0';
const SIMILAR_WEIGHTS = '3.0, 1.0, 0.0';
/** How many of a paper's most distinctive words make up its "similar" query. */
const SIMILAR_TERMS = 16;
const BUSY_TIMEOUT_MS = 5000;
/** Bounds the expression a misspelt word expands to (closest words first). */
const MAX_TYPO_CANDIDATES = 30;
/** Bounds the words one probe for a first-letter typo may bring. */
const MAX_PREFIX_PROBE = 50;
const LAST_CHAR = '\u{10FFFF}';

interface PaperRow {
  seq: number;
  doc: string;
}

/** What one query word matches: indexed words grouped by typo count. */
interface TermMatch {
  term: string;
  prefix: boolean;
  /** FTS5 expressions (quoted words, a prefix with `*`) by typo count 0, 1, 2. */
  byCost: [string[], string[], string[]];
  /** The misspelt indexed words this term matches (for highlighting). */
  typoWords: Set<string>;
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
 * sightings of the same paper (under either of its ids) are serialized by SQLite itself.
 *
 * Ranking approximates Meilisearch's rules in order: words (how many query words, from the
 * first, a paper matches), typo (fewest typos), proximity (the query as a phrase of the
 * title), attribute (query words in the title, then the authors), then bm25; ties go to the
 * newest paper, then the id. Highlights mark whole words; abstracts are cropped to
 * `CROP_WORDS` words around the matches.
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
      // Per connection: the ranked matches of the search being answered.
      this.#db.exec(`CREATE TEMP TABLE IF NOT EXISTS search_result (
        seq INTEGER PRIMARY KEY, words INTEGER NOT NULL, typos INTEGER NOT NULL, phrase INTEGER NOT NULL,
        title_terms INTEGER NOT NULL, author_terms INTEGER NOT NULL, score REAL NOT NULL)`);
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
    return this.#db.transaction(() => this.#upsertCanonical(incoming)).immediate();
  }

  async recordSightings(ids: PaperId[], url: string, capturedAt: string): Promise<SightingResult> {
    const result: SightingResult = { updated: 0, missing: [] };
    this.#db
      .transaction(() => {
        const seen = new Set<string>();
        for (const id of new Set(ids)) {
          // A title id merged into an arXiv record is a sighting of that record.
          const row = this.#row(id) ?? this.#row(this.#alias(id) ?? '');
          if (!row) {
            result.missing.push(id);
            continue;
          }
          if (seen.has(String(row.seq))) continue;
          seen.add(String(row.seq));
          const stored = JSON.parse(row.doc) as Paper;
          const sighted = recordSighting(stored, url, capturedAt);
          if (isDeepStrictEqual(sighted, stored)) continue;
          this.#update(row.seq, stored, sighted);
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

  async resolve(id: PaperId): Promise<Resolved> {
    const row = this.#row(id);
    if (row) return { paper: JSON.parse(row.doc) as Paper };
    const target = this.#alias(id);
    return target ? { movedTo: target } : null;
  }

  async aliasTargets(ids: PaperId[]): Promise<Map<PaperId, PaperId>> {
    const targets = new Map<PaperId, PaperId>();
    for (const id of new Set(ids)) {
      const target = this.#alias(id);
      if (target) targets.set(id, target);
    }
    return targets;
  }

  async facets(): Promise<Record<SearchFacet, Record<string, number>>> {
    return this.#db.transaction(() => this.#facetCounts('papers p', '1', {}, FACETS))() as Record<
      SearchFacet,
      Record<string, number>
    >;
  }

  async search(request: SearchRequest): Promise<SearchResponse> {
    const started = performance.now();
    const { q, limit, offset } = request;
    const filters = checkFilters(request.filters);
    const query = queryTerms(q);
    const matches = query.terms.map((term, i) =>
      this.#termMatch(term, query.lastIsPrefix && i === query.terms.length - 1),
    );
    const params: Record<string, unknown> = {};
    const where = filterWhere(filters, params);
    // One snapshot for the count, the page and the facets.
    const answer = this.#db.transaction(() => {
      let from = 'papers p';
      let fromWhere = where;
      let relevance = 'p.first_seen_at DESC, p.id';
      if (matches.length > 0) {
        this.#rank(matches, query, where, params);
        from = 'temp.search_result r JOIN papers p ON p.seq = r.seq';
        fromWhere = '1';
        relevance =
          'r.words DESC, r.typos, r.phrase, r.title_terms DESC, r.author_terms DESC, r.score, p.first_seen_at DESC, p.id';
      }
      const total =
        this.#db
          .prepare<[Record<string, unknown>], { n: number }>(
            `SELECT count(*) AS n FROM ${from} WHERE ${fromWhere}`,
          )
          .get(params)?.n ?? 0;
      const rows = this.#db
        .prepare<[Record<string, unknown>], { doc: string }>(
          `SELECT p.doc FROM ${from} WHERE ${fromWhere}
             ORDER BY ${sortKeys(request.sort ?? 'relevance')}${relevance} LIMIT @limit OFFSET @offset`,
        )
        .all({ ...params, limit, offset });
      const facets = request.facets?.length
        ? this.#facetCounts(from, fromWhere, params, request.facets)
        : undefined;
      return { total, rows, facets };
    })();
    let hits: SearchHit[] = answer.rows.map((r) => JSON.parse(r.doc) as Paper);
    if (request.highlight) {
      const isMatch = matcher(matches);
      hits = hits.map((hit) => ({
        ...hit,
        _formatted: {
          title: markWords(hit.title, isMatch),
          abstract: markWords(hit.abstract, isMatch, CROP_WORDS),
        },
      }));
    }
    return {
      hits,
      total: answer.total,
      limit,
      offset,
      query: q,
      processingTimeMs: Math.round(performance.now() - started),
      ...(answer.facets ? { facetDistribution: answer.facets } : {}),
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
          this.#deleteRow(row.seq);
          // Title ids that named this paper now name nothing.
          this.#statement('DELETE FROM aliases WHERE target = ?').run(id);
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

  /**
   * Schema version 2 on a file written by version 1: derived columns and rows for every paper,
   * the first-letter word index, and one record per paper where a title record and an arXiv
   * record of it were both stored.
   */
  backfillVersion2(): void {
    const rows = this.#db.prepare<[], PaperRow>('SELECT seq, doc FROM papers ORDER BY seq').all();
    for (const row of rows) {
      const paper = JSON.parse(row.doc) as Paper;
      this.#statement('UPDATE papers SET year = ? WHERE seq = ?').run(yearOf(paper.publishedAt), row.seq);
      this.#writeDerived(row.seq, paper);
    }
    const words = this.#db.prepare<[], { term: string }>('SELECT term FROM papers_vocab').all();
    for (const { term } of words) this.#addWord(term);
    for (const row of rows) {
      const paper = JSON.parse(row.doc) as Paper;
      if (!paper.id.startsWith('title-')) this.#upsertCanonical([paper]);
    }
  }

  /** Every paper's text indexed again, after the full-text table was made anew. */
  reindexText(): void {
    for (const row of this.#db.prepare<[], PaperRow>('SELECT seq, doc FROM papers ORDER BY seq').all()) {
      const paper = JSON.parse(row.doc) as Paper;
      this.#statement('UPDATE papers SET title_norm = ? WHERE seq = ?').run(
        columns(paper).titleNorm,
        row.seq,
      );
      this.#writeText(row.seq, paper);
    }
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
        for (const migration of MIGRATIONS.slice(version)) {
          this.#db.exec(migration.sql);
          migration.then?.(this);
        }
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

  #alias(id: string): PaperId | undefined {
    return this.#statement<[string], { target: string }>('SELECT target FROM aliases WHERE id = ?').get(id)
      ?.target;
  }

  #count(): number {
    return this.#statement<[], { n: number }>('SELECT count(*) AS n FROM papers').get()?.n ?? 0;
  }

  /** Runs inside a write transaction; `incoming` is canonical with distinct ids. */
  #upsertCanonical(incoming: Paper[]): UpsertResult {
    const aliases = new Map<PaperId, PaperId>();
    for (const id of aliasKeys(incoming)) {
      const target = this.#alias(id);
      if (target) aliases.set(id, target);
    }
    const rows = new Map<PaperId, PaperRow>();
    const stored = new Map<PaperId, Paper>();
    for (const id of recordKeys(incoming, aliases)) {
      const row = this.#row(id);
      if (!row) continue;
      rows.set(id, row);
      stored.set(id, JSON.parse(row.doc) as Paper);
    }
    const plan = planUpsert(incoming, { aliases, stored });
    for (const [id, target] of plan.aliases)
      this.#statement('INSERT OR IGNORE INTO aliases (id, target) VALUES (?, ?)').run(id, target);
    for (const id of plan.deletes) this.#deleteRow(rows.get(id)!.seq);
    for (const paper of plan.writes) {
      const row = rows.get(paper.id);
      if (row) this.#update(row.seq, stored.get(paper.id)!, paper);
      else this.#insert(paper);
    }
    return plan.result;
  }

  /** `paper` is canonical (see `mergeBatch`), so storing it as given keeps upserts idempotent. */
  #insert(paper: Paper): void {
    const info = this.#statement(
      `INSERT INTO papers (id, doc, title_norm, first_seen_at, published_at, upvotes, has_code, year)
         VALUES (@id, @doc, @titleNorm, @firstSeenAt, @publishedAt, @upvotes, @hasCode, @year)`,
    ).run(columns(paper));
    const seq = Number(info.lastInsertRowid);
    this.#writeText(seq, paper);
    this.#writeDerived(seq, paper);
  }

  #update(seq: number, stored: Paper, paper: Paper): void {
    this.#statement(
      `UPDATE papers SET doc = @doc, title_norm = @titleNorm, first_seen_at = @firstSeenAt,
           published_at = @publishedAt, upvotes = @upvotes, has_code = @hasCode, year = @year
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
    if (
      !isDeepStrictEqual(stored.authors, paper.authors) ||
      !isDeepStrictEqual(stored.sources, paper.sources)
    )
      this.#writeDerived(seq, paper);
  }

  #deleteRow(seq: number): void {
    this.#statement('DELETE FROM papers_fts WHERE rowid = ?').run(seq);
    this.#statement('DELETE FROM paper_authors WHERE seq = ?').run(seq);
    this.#statement('DELETE FROM paper_sources WHERE seq = ?').run(seq);
    this.#statement('DELETE FROM papers WHERE seq = ?').run(seq);
  }

  #writeText(seq: number, paper: Paper): void {
    const authors = paper.authors.join(', ');
    this.#statement('INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (?, ?, ?, ?)').run(
      seq,
      indexForm(paper.title),
      indexForm(paper.abstract),
      indexForm(authors),
    );
    // Words of replaced or deleted texts stay: a word that no paper holds matches nothing.
    for (const word of new Set(searchWords(`${paper.title} ${paper.abstract} ${authors}`)))
      this.#addWord(word);
  }

  #addWord(word: string): void {
    const chars = [...word];
    if (chars.length < 2) return;
    this.#statement('INSERT OR IGNORE INTO vocab_tails (tail, word) VALUES (?, ?)').run(
      chars.slice(1).join(''),
      word,
    );
  }

  /** The rows filters and facets use: author keys and source names. */
  #writeDerived(seq: number, paper: Paper): void {
    this.#statement('DELETE FROM paper_authors WHERE seq = ?').run(seq);
    this.#statement('DELETE FROM paper_sources WHERE seq = ?').run(seq);
    for (const key of new Set(paper.authors.map(authorKey)))
      if (key !== '') this.#statement('INSERT INTO paper_authors (key, seq) VALUES (?, ?)').run(key, seq);
    for (const name of new Set(paper.sources.map((s) => s.name)))
      this.#statement('INSERT INTO paper_sources (name, seq) VALUES (?, ?)').run(name, seq);
  }

  #documentFrequency(term: string): number {
    return (
      this.#statement<[string], { doc: number }>('SELECT doc FROM papers_vocab WHERE term = ?').get(term)
        ?.doc ?? 0
    );
  }

  /**
   * Fills `temp.search_result` with every paper that matches the first query word and passes
   * the filters, with its ranking keys. As Meilisearch's default matching strategy ("last"),
   * papers matching all words come first, then those missing the last word, and so on.
   */
  #rank(matches: TermMatch[], query: QueryTerms, where: string, params: Record<string, unknown>): void {
    const parts: string[] = [];
    matches.forEach((match, i) => {
      match.byCost.forEach((alternatives, cost) => {
        if (alternatives.length === 0) return;
        params[`c${i}_${cost}`] = alternatives.join(' OR ');
        parts.push(
          `SELECT rowid AS seq, ${i} AS term, ${cost} AS cost, 0 AS field FROM papers_fts WHERE papers_fts MATCH @c${i}_${cost}`,
        );
      });
      const any = match.byCost.flat().join(' OR ');
      params[`t${i}`] = `{title} : (${any})`;
      params[`a${i}`] = `{authors} : (${any})`;
      parts.push(`SELECT rowid, ${i}, NULL, 2 FROM papers_fts WHERE papers_fts MATCH @t${i}`);
      parts.push(`SELECT rowid, ${i}, NULL, 1 FROM papers_fts WHERE papers_fts MATCH @a${i}`);
    });
    params.anyTerm = matches.map((m) => `(${m.byCost.flat().join(' OR ')})`).join(' OR ');
    params.phrase = query.terms.join(' ');
    params.phraseEnd = query.lastIsPrefix ? '' : ' ';
    // Query words matched in a row from the first: the number of low bits set in the mask.
    const words = [
      'CASE',
      ...matches.map((_, i) => `WHEN mask & ${2 ** (i + 1) - 1} <> ${2 ** (i + 1) - 1} THEN ${i}`),
      `ELSE ${matches.length} END`,
    ].join(' ');
    this.#statement('DELETE FROM temp.search_result').run();
    this.#db
      .prepare(
        `INSERT INTO temp.search_result (seq, words, typos, phrase, title_terms, author_terms, score)
         WITH raw (seq, term, cost, field) AS (${parts.join(' UNION ALL ')}),
         per_term AS (
           SELECT seq, term, min(cost) AS cost, max(field = 2) AS in_title, max(field = 1) AS in_authors
           FROM raw GROUP BY seq, term
         ),
         doc_words AS (
           SELECT seq, ${words} AS words FROM (SELECT seq, sum(1 << term) AS mask FROM per_term GROUP BY seq)
         ),
         scored AS (
           SELECT t.seq, w.words,
             sum(CASE WHEN t.term < w.words THEN t.cost ELSE 0 END) AS typos,
             sum(CASE WHEN t.term < w.words THEN t.in_title ELSE 0 END) AS title_terms,
             sum(CASE WHEN t.term < w.words THEN t.in_authors ELSE 0 END) AS author_terms
           FROM per_term t JOIN doc_words w ON w.seq = t.seq
           WHERE w.words > 0
           GROUP BY t.seq, w.words
         ),
         bm AS (
           SELECT rowid AS seq, bm25(papers_fts, ${SEARCH_WEIGHTS}) AS score FROM papers_fts
           WHERE papers_fts MATCH @anyTerm
         )
         SELECT s.seq, s.words, s.typos,
           CASE
             WHEN p.title_norm = @phrase THEN 0
             WHEN instr(' ' || p.title_norm || ' ', ' ' || @phrase || @phraseEnd) > 0 THEN 1
             ELSE 2
           END,
           s.title_terms, s.author_terms, bm.score
         FROM scored s JOIN papers p ON p.seq = s.seq JOIN bm ON bm.seq = s.seq
         WHERE ${where}`,
      )
      .run(params);
  }

  #facetCounts(
    from: string,
    where: string,
    params: Record<string, unknown>,
    facets: readonly SearchFacet[],
  ): Partial<Record<SearchFacet, Record<string, number>>> {
    const queries: Record<SearchFacet, string> = {
      year: `SELECT p.year AS value, count(*) AS n FROM ${from} WHERE ${where} AND p.year IS NOT NULL
               GROUP BY p.year ORDER BY p.year`,
      hasCode: `SELECT CASE p.has_code WHEN 1 THEN 'true' ELSE 'false' END AS value, count(*) AS n
                  FROM ${from} WHERE ${where} GROUP BY p.has_code ORDER BY value`,
      source: `SELECT s.name AS value, count(*) AS n FROM ${from} JOIN paper_sources s ON s.seq = p.seq
                 WHERE ${where} GROUP BY s.name ORDER BY s.name`,
    };
    const counts: Partial<Record<SearchFacet, Record<string, number>>> = {};
    for (const facet of new Set(facets)) {
      const rows = this.#db
        .prepare<[Record<string, unknown>], { value: string | number; n: number }>(queries[facet])
        .all(params);
      counts[facet] = Object.fromEntries(rows.map((r) => [String(r.value), r.n]));
    }
    return counts;
  }

  /** The indexed words one query word matches, as Meilisearch's typo rules allow (`typos.ts`). */
  #termMatch(term: string, prefix: boolean): TermMatch {
    const match: TermMatch = {
      term,
      prefix,
      byCost: [[ftsString(term) + (prefix ? '*' : '')], [], []],
      typoWords: new Set(),
    };
    const budget = typoBudget(term);
    if (budget === 0) return match;
    const costs = new Map<string, number>();
    const consider = (word: string): void => {
      if (costs.has(word) || (prefix ? word.startsWith(term) : word === term)) return;
      const cost = typoCost(term, word, budget, prefix);
      if (cost !== null && cost > 0) costs.set(word, cost);
    };
    const first = [...term][0]!;
    for (const { term: word } of this.#statement<[string, string], { term: string }>(
      'SELECT term FROM papers_vocab WHERE term >= ? AND term < ?',
    ).all(first, first + LAST_CHAR))
      consider(word);
    if (budget >= 2) for (const word of this.#firstLetterTypos(term, prefix)) consider(word);
    const ranked = [...costs]
      .map(([word, cost]) => ({ word, cost, documents: this.#documentFrequency(word) }))
      .filter((c) => c.documents > 0)
      .sort((a, b) => a.cost - b.cost || b.documents - a.documents || (a.word < b.word ? -1 : 1))
      .slice(0, MAX_TYPO_CANDIDATES);
    for (const { word, cost } of ranked) {
      match.byCost[cost as 1 | 2].push(ftsString(word));
      match.typoWords.add(word);
    }
    return match;
  }

  /**
   * Indexed words one edit away from `term` where that edit touches the first letter (which
   * costs two typos): the first letter deleted, swapped with the second, replaced, or preceded
   * by another letter. Found through the words indexed without their first letter.
   */
  #firstLetterTypos(term: string, prefix: boolean): string[] {
    const chars = [...term];
    const rest = chars.slice(1).join('');
    const swapped = [chars[1]!, chars[0]!, ...chars.slice(2)].join('');
    const found: string[] = [];
    if (prefix) {
      const startingWith = (start: string) =>
        this.#statement<[string, string, number], { term: string }>(
          'SELECT term FROM papers_vocab WHERE term >= ? AND term < ? LIMIT ?',
        ).all(start, start + LAST_CHAR, MAX_PREFIX_PROBE);
      const tailStartingWith = (start: string) =>
        this.#statement<[string, string, number], { word: string }>(
          'SELECT word FROM vocab_tails WHERE tail >= ? AND tail < ? LIMIT ?',
        ).all(start, start + LAST_CHAR, MAX_PREFIX_PROBE);
      for (const probe of [rest, swapped]) found.push(...startingWith(probe).map((r) => r.term));
      // A replaced first letter (the tail starts with the rest), or a letter put before it.
      for (const tail of [rest, term]) found.push(...tailStartingWith(tail).map((r) => r.word));
    } else {
      found.push(rest, swapped);
      const byTail = this.#statement<[string, number], { word: string }>(
        'SELECT word FROM vocab_tails WHERE tail = ? LIMIT ?',
      );
      for (const tail of [rest, term]) found.push(...byTail.all(tail, MAX_PREFIX_PROBE).map((r) => r.word));
    }
    return found;
  }
}

function columns(paper: Paper) {
  return {
    id: paper.id,
    doc: JSON.stringify(paper),
    titleNorm: searchWords(paper.title).join(' '),
    firstSeenAt: paper.firstSeenAt,
    publishedAt: paper.publishedAt,
    upvotes: paper.upvotes,
    hasCode: paper.codeUrls.length > 0 ? 1 : 0,
    year: yearOf(paper.publishedAt),
  };
}

/** SQL conditions on `papers p` for the filters; values go in as parameters (named `f…`). */
function filterWhere(filters: CheckedFilters, params: Record<string, unknown>): string {
  const conditions: string[] = [];
  const add = (condition: string, name: string, value: unknown): void => {
    conditions.push(condition);
    params[name] = value;
  };
  if (filters.from !== undefined) add('p.published_at >= @fFrom', 'fFrom', filters.from);
  if (filters.to !== undefined) add('p.published_at <= @fTo', 'fTo', filters.to);
  if (filters.since !== undefined) add('p.first_seen_at >= @fSince', 'fSince', filters.since);
  if (filters.hasCode !== undefined) add('p.has_code = @fHasCode', 'fHasCode', filters.hasCode ? 1 : 0);
  if (filters.minUpvotes !== undefined) add('p.upvotes >= @fMinUpvotes', 'fMinUpvotes', filters.minUpvotes);
  if (filters.years !== undefined)
    add('p.year IN (SELECT value FROM json_each(@fYears))', 'fYears', JSON.stringify(filters.years));
  if (filters.authors !== undefined)
    add(
      'EXISTS (SELECT 1 FROM paper_authors a WHERE a.seq = p.seq AND a.key IN (SELECT value FROM json_each(@fAuthors)))',
      'fAuthors',
      JSON.stringify(filters.authors),
    );
  if (filters.sources !== undefined)
    add(
      'EXISTS (SELECT 1 FROM paper_sources s WHERE s.seq = p.seq AND s.name IN (SELECT value FROM json_each(@fSources)))',
      'fSources',
      JSON.stringify(filters.sources),
    );
  return conditions.length > 0 ? conditions.join(' AND ') : '1';
}

/** ORDER BY keys of an explicit sort, before the relevance keys; unknown values sort last either way. */
function sortKeys(sort: SearchSort): string {
  switch (sort) {
    case 'relevance':
      return '';
    case 'publishedAt:desc':
      return 'p.published_at IS NULL, p.published_at DESC, ';
    case 'publishedAt:asc':
      return 'p.published_at IS NULL, p.published_at ASC, ';
    case 'firstSeenAt:desc':
      return 'p.first_seen_at DESC, ';
    case 'upvotes:desc':
      return 'p.upvotes IS NULL, p.upvotes DESC, ';
  }
}

/** Whether a normalized word of a text is one the query matched. */
function matcher(matches: TermMatch[]): (word: string) => boolean {
  return (word) =>
    matches.some((m) => word === m.term || (m.prefix && word.startsWith(m.term)) || m.typoWords.has(word));
}

/** An FTS5 string literal: the word is matched as text, whatever characters it holds. */
function ftsString(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}
