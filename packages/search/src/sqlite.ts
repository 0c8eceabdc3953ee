import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';

import type {
  DayCount,
  DaysRequest,
  ListedPage,
  ListedRequest,
  Paper,
  PaperId,
  SearchFacet,
  SearchHit,
  SearchRequest,
  SearchResponse,
  SearchSort,
  StatsResponse,
} from '@paperwire/schema';
import {
  AUTHOR_FACET_SIZE,
  FACETS,
  PaperSchema,
  authorKey,
  authorNameIn,
  trendingScore,
} from '@paperwire/schema';
import Database from 'better-sqlite3';

import { SqliteDays } from './days.js';
import type { CheckedFilters } from './filters.js';
import { checkFilters, yearOf } from './filters.js';
import { CROP_WORDS, markWords } from './highlight.js';
import { aliasKeys, planUpsert, recordKeys } from './identity.js';
import { Lexicon } from './lexicon.js';
import type { Resolved, SearchIndex, UpsertResult } from './port.js';
import { paperTermWeights, queryTerms } from './query.js';
import type { Alternative, Candidate, IndexTotals, Ranked, TermMatch } from './rank.js';
import { COLUMN_WEIGHTS, Ranker, bySort, idf } from './rank.js';
import { authorWords, titlePostings } from './title-tier.js';
import { typoBudget, typoMatcher, wordLetterMask } from './typos.js';
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
  {
    // Search at scale: prefixes of up to three letters read one list instead of merging the lists
    // of thousands of words; filters, facets and candidate lookups by seq read a narrow index
    // instead of whole rows (a row holds the paper's JSON); placeholder sorts walk an index;
    // misspelt words find their neighbours in a plain word index.
    sql: `
  CREATE VIRTUAL TABLE papers_fts_next USING fts5(title, abstract, authors, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');
  INSERT INTO papers_fts_next (rowid, title, abstract, authors) SELECT rowid, title, abstract, authors FROM papers_fts;
  DROP TABLE papers_vocab;
  DROP TABLE papers_fts;
  ALTER TABLE papers_fts_next RENAME TO papers_fts;
  CREATE VIRTUAL TABLE papers_vocab USING fts5vocab(papers_fts, row);
  CREATE INDEX papers_columns ON papers (seq, first_seen_at, published_at, upvotes, has_code, year, id);
  CREATE INDEX papers_by_published_desc ON papers (published_at IS NULL, published_at DESC, first_seen_at DESC, id);
  CREATE INDEX papers_by_published_asc ON papers (published_at IS NULL, published_at, first_seen_at DESC, id);
  CREATE INDEX papers_by_upvotes_desc ON papers (upvotes IS NULL, upvotes DESC, first_seen_at DESC, id);
  CREATE INDEX vocab_tails_by_word ON vocab_tails (word);
  CREATE INDEX papers_by_title_norm ON papers (title_norm);
  `,
  },
  {
    // The full-text index keeps no copy of the text (the paper's JSON has it): contentless, with
    // deletes, a fifth of the file less.
    sql: `
  CREATE VIRTUAL TABLE papers_fts_next USING fts5(title, abstract, authors, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');
  INSERT INTO papers_fts_next (rowid, title, abstract, authors) SELECT rowid, title, abstract, authors FROM papers_fts;
  DROP TABLE papers_vocab;
  DROP TABLE papers_fts;
  ALTER TABLE papers_fts_next RENAME TO papers_fts;
  CREATE VIRTUAL TABLE papers_vocab USING fts5vocab(papers_fts, row);
  `,
  },
  {
    // The title tier (`title-tier.ts`): per title word, its papers by impact, with the word's
    // positions in the title; and the words of author names.
    sql: `
  CREATE TABLE title_postings (term TEXT NOT NULL, seq INTEGER NOT NULL, impact INTEGER NOT NULL, positions INTEGER NOT NULL, PRIMARY KEY (term, seq)) STRICT, WITHOUT ROWID;
  CREATE INDEX title_postings_by_impact ON title_postings (term, impact DESC);
  CREATE TABLE author_words (term TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (term, seq)) STRICT, WITHOUT ROWID;
  `,
    then: (index) => index.writeTitleTier(),
  },
  {
    // The trending sort (`trendingScore`): a time-independent score per paper, written with it,
    // and the index a placeholder search walks in its order.
    sql: `
  ALTER TABLE papers ADD COLUMN trending REAL;
  CREATE INDEX papers_by_trending ON papers (trending IS NULL, trending DESC, first_seen_at DESC, id);
  `,
    then: (index) => index.writeTrending(),
  },
  {
    // Misspellings are looked for among the words a connection holds in memory (`lexicon.ts`):
    // the words in the order they were added, which a connection follows from the last it read.
    sql: `
  CREATE TABLE vocab_words (id INTEGER PRIMARY KEY, word TEXT NOT NULL) STRICT;
  INSERT INTO vocab_words (word) SELECT word FROM vocab_tails ORDER BY word;
  `,
  },
];

/** The schema version that brought the title tier's tables. */
const TITLE_TIER_VERSION = 6;
/** The schema version that brought the trending column. */
const TRENDING_VERSION = 7;
/** The schema version that brought the word list in order (`vocab_words`). */
const WORD_LIST_VERSION = 8;
const SEARCH_WEIGHTS = COLUMN_WEIGHTS.map((w) => w.toFixed(1)).join(', ');
const SIMILAR_WEIGHTS = '3.0, 1.0, 0.0';
/** How many of a paper's most distinctive words make up its "similar" query. */
const SIMILAR_TERMS = 16;
const BUSY_TIMEOUT_MS = 5000;
/** The WAL file is cut back to this size once a checkpoint has copied it all. */
const WAL_KEPT_BYTES = 64 * 1024 * 1024;
/**
 * Page cache of a connection, in KiB (SQLite's default is 2 MiB): a write touches pages all over
 * the word and title indexes, which a small cache reads again and again.
 */
const CACHE_KIB = 64 * 1024;
/**
 * How much of the file a reader maps into memory (SQLite caps it at its build's maximum, 2 GiB
 * less 64 KiB here; the rest is read as usual). A search reads pages all over the full-text and
 * paper tables: mapped, they come from the OS page cache without a read() and a copy each, which
 * took about a tenth off a search's CPU time at 100,000 papers. The mapped pages are the OS's
 * file cache, shared by the readers and reclaimable, though they count in the process's RSS.
 */
const READER_MMAP_BYTES = 2 ** 31;
/** Bounds the expression a misspelt word expands to (closest words first). */
const MAX_TYPO_CANDIDATES = 30;
/** Bounds the words one probe for a first-letter typo may bring. */
const MAX_PREFIX_PROBE = 50;
const LAST_CHAR = '\u{10FFFF}';
/** Query words whose matches a connection keeps for its current data version, at most. */
const TERM_MATCHES_KEPT = 10_000;
/** Words whose counts of papers a connection keeps for its current data version, at most. */
const DOCUMENT_COUNTS_KEPT = 100_000;
/** Totals are counted exactly up to this many matches, and estimated past it (`#total`). */
const EXACT_TOTAL = 1000;
/** Matches a filtered estimate looks at, spread evenly over all of them. */
const ESTIMATE_SAMPLE = 2000;
/** See `SqliteIndexOptions.candidates`. */
const CANDIDATES = 300;
/** See `SqliteIndexOptions.commitWindowMs`. */
const COMMIT_WINDOW_MS = 50;
/** See `SqliteIndexOptions.commitPapers`. */
const COMMIT_PAPERS = 2000;
/**
 * Papers the rarest query word may be in for a group's set to be read whole to find the papers
 * with the most query words in the title (`#mostInTitle`).
 */
const SMALL_SET = 5000;
/** The title tier's candidates for a first page, at least (see `#titleTier`). */
const TIER_CANDIDATES = 100;
/** The longest prefixes the full-text index has prefix indexes for (`prefix = '1 2 3'`). */
const PREFIX_INDEX_LETTERS = 3;
/**
 * Most indexed words a longer word being typed may start to be searched as those words (and for
 * the title tier to read them all); past it, as a prefix.
 */
const MAX_PREFIX_WORDS = 64;
/** Rows filters and facets read by seq: the narrow index, not the rows with their JSON. */
const PAPER_COLUMNS = 'papers p INDEXED BY papers_columns';

interface PaperRow {
  seq: number;
  doc: string;
}

type Facets = Record<SearchFacet, Record<string, number>>;

/** What a connection keeps of its searches for one data version (`#keptAt`). */
interface KeptAtVersion {
  version: string;
  /** Query words' matches, by `*word` (being typed) or `=word`. */
  matches: Map<string, TermMatch>;
  /** Indexed words' counts of papers. */
  documents: Map<string, number>;
}

/** The papers a search looks at: FTS5 expressions and SQL conditions, with their parameters. */
interface Selection {
  /** Papers matching the first query word (every result matches it). */
  first: string;
  /** SQL conditions of the filters on `p`. */
  where: string;
  filtered: boolean;
  params: Record<string, unknown>;
  /** Papers in the index (`#papersAt` the search's data version). */
  papers: number;
}

export interface SqliteIndexOptions {
  /** The database file; its directory is created when missing. */
  path: string;
  /**
   * How many papers one search ranks fully, at least (offset + limit when more): every match
   * when there are no more, else the papers most likely to make the page by the ranking rules
   * and bm25, so past the first page of a query matching many papers the order is close to the
   * full ranking rather than equal to it. Totals count every match up to 1,000 and estimate past
   * it; facets count every match. Default 300. A query whose title tier fills the page (`#titleTier`) ranks the tier's best
   * `TIER_CANDIDATES` (or twice the page's end) instead.
   */
  candidates?: number;
  /**
   * Opens the file read-only, as a search reader beside the writers: no migration (the file must
   * exist at this program's schema version) and no writes. Its reads go through a memory map of
   * the file (`READER_MMAP_BYTES`).
   */
  readonly?: boolean;
  /**
   * How long an upsert waits for others to share its transaction (group commit), in ms; 0
   * commits those made in one event-loop turn. Default 50: an indexer's chunks reach the index
   * a few milliseconds apart, each after its own lock round trips to Redis, and one commit of
   * many chunks costs about half as much a paper as a commit each.
   */
  commitWindowMs?: number;
  /** Upserts waiting that hold this many papers commit without waiting longer. Default 2000. */
  commitPapers?: number;
}

export function createSqliteIndex(opts: SqliteIndexOptions): SqliteSearchIndex {
  return new SqliteSearchIndex(resolve(opts.path), opts.candidates ?? CANDIDATES, opts.readonly ?? false, {
    windowMs: opts.commitWindowMs ?? COMMIT_WINDOW_MS,
    papers: opts.commitPapers ?? COMMIT_PAPERS,
  });
}

/**
 * The embedded engine: one SQLite file (WAL) that several processes may read and write at
 * once. Every read-merge-write runs inside `BEGIN IMMEDIATE`, so two writers merging
 * sightings of the same paper (under either of its ids) are serialized by SQLite itself.
 *
 * Ranking approximates Meilisearch's rules in order: words (how many query words, from the
 * first, a paper matches), typo (fewest typos), proximity (the query as a phrase of the
 * title), attribute (query words in the title, then the authors), then bm25; ties go to the
 * newest paper, then the id. FTS5 counts the matches and picks the candidates (`#candidates`);
 * the keys are computed for the candidates only (`rank.ts`), so a search costs about the same
 * however many papers match. Whole-index facets are kept until the data changes. Highlights
 * mark whole words; abstracts are cropped to `CROP_WORDS` words around the matches.
 */
export class SqliteSearchIndex implements SearchIndex {
  readonly engine = 'sqlite' as const;
  readonly #path: string;
  readonly #readonly: boolean;
  readonly #candidateCount: number;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  /** The day queries (`days.ts`), prepared on first use. */
  #days: SqliteDays | undefined;
  /** Whole-index facet counts, each kept once asked until the data changes (`#dataVersion`). */
  #facetsCache: { version: string; facets: Partial<Facets> } | undefined;
  /** Write transactions of this connection (`PRAGMA data_version` counts those of others). */
  #writes = 0;
  /** The index's average paper length in words, for the impacts of the papers being written. */
  #averageLength: number | undefined;
  /** Whether the file has the title tier's tables yet (schema version 6), during migrations too. */
  #titleTierKept = false;
  /** Whether the file has the trending column yet (schema version 7), during migrations too. */
  #trendingKept = false;
  /** Whether the file has the word list in order yet (schema version 8), during migrations too. */
  #wordListKept = false;
  /** The indexed words, as read at `#lexiconVersion` (`#words`). */
  readonly #lexicon = new Lexicon();
  #lexiconVersion: string | undefined;
  /**
   * Words this connection knows are in `vocab_tails`: a paper's words are looked up here, not
   * written again one statement each (words are never removed, so what is known stays true).
   */
  readonly #knownWords = new Set<string>();
  /**
   * What query words matched (their misspellings and counts) at one data version, and the papers
   * holding each indexed word: finding a word's misspellings reads every indexed word with its
   * first letter, popular words come back query after query, FTS5 counts a word's papers by
   * reading its whole list, and the words misspellings bring are often the same common words.
   */
  #kept: KeptAtVersion | undefined;
  /** The papers counted at one data version (`#papersAt`). */
  #papersCount: { version: string; papers: number } | undefined;
  /** Upserts waiting for the transaction that writes them together (`upsert`). */
  readonly #pendingUpserts: {
    incoming: Paper[];
    resolve: (result: UpsertResult) => void;
    reject: (error: Error) => void;
  }[] = [];
  readonly #commit: { windowMs: number; papers: number };
  /** The commit of the waiting upserts, when one is due. */
  #commitDue: { now: boolean; cancel: () => void } | undefined;

  constructor(
    path: string,
    candidates: number,
    readonly: boolean,
    commit: { windowMs: number; papers: number },
  ) {
    this.#path = path;
    this.#commit = commit;
    this.#candidateCount = candidates;
    this.#readonly = readonly;
    try {
      if (readonly) {
        this.#db = new Database(path, { readonly: true, fileMustExist: true });
        this.#db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
        this.#db.pragma(`mmap_size = ${READER_MMAP_BYTES}`);
        const version = this.#db.pragma('user_version', { simple: true }) as number;
        if (version !== MIGRATIONS.length)
          throw new Error(
            `schema version ${version}, not ${MIGRATIONS.length}: a writer has not migrated it yet`,
          );
        this.#titleTierKept = true;
        this.#trendingKept = true;
        this.#wordListKept = true;
      } else {
        ensureIndexDir(dirname(path));
        this.#db = new Database(path);
        // The busy timeout comes first: switching to WAL needs a lock another process may hold.
        this.#db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
        this.#db.pragma('journal_mode = WAL');
        this.#db.pragma('synchronous = NORMAL');
        // A large group commit grows the WAL past the checkpoint's size; it shrinks back to this.
        this.#db.pragma(`journal_size_limit = ${WAL_KEPT_BYTES}`);
        this.#db.pragma(`cache_size = ${-CACHE_KIB}`);
        this.#migrate();
      }
    } catch (error) {
      throw new Error(`cannot open the sqlite index at ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** The database file. */
  get path(): string {
    return this.#path;
  }

  async ensureSettings(): Promise<void> {
    if (!this.#readonly) this.#migrate();
  }

  version(): string {
    return this.#dataVersion();
  }

  /**
   * Writes `papers` with the other upserts made within the commit window of the first one
   * waiting (`commitWindowMs`), in one transaction (group commit): each keeps its own merge and
   * result, as if written alone, and a commit's cost is shared. A worker writing several chunks
   * at once thus commits once for all. Upserts holding `commitPapers` papers commit at once.
   */
  upsert(papers: Paper[]): Promise<UpsertResult> {
    let incoming: Paper[];
    try {
      incoming = mergeBatch(papers.map((p) => PaperSchema.parse(p)));
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return new Promise((resolve, reject) => {
      this.#pendingUpserts.push({ incoming, resolve, reject });
      this.#scheduleCommit();
    });
  }

  /** Sets when the waiting upserts commit: after the window, or in the next turn once enough. */
  #scheduleCommit(): void {
    const papers = this.#pendingUpserts.reduce((n, write) => n + write.incoming.length, 0);
    const now = this.#commit.windowMs === 0 || papers >= this.#commit.papers;
    if (this.#commitDue && (this.#commitDue.now || !now)) return;
    this.#commitDue?.cancel();
    if (now) {
      const handle = setImmediate(() => this.#flushUpserts());
      this.#commitDue = { now, cancel: () => clearImmediate(handle) };
    } else {
      const handle = setTimeout(() => this.#flushUpserts(), this.#commit.windowMs);
      this.#commitDue = { now, cancel: () => clearTimeout(handle) };
    }
  }

  /**
   * Commits the upserts waiting for their transaction. One that fails does not fail the others:
   * then each is written in a transaction of its own, and only the failing ones are rejected.
   */
  #flushUpserts(): void {
    this.#commitDue?.cancel();
    this.#commitDue = undefined;
    const batch = this.#pendingUpserts.splice(0);
    if (batch.length === 0) return;
    if (!this.#db.open) {
      const closed = new Error(`the sqlite index at ${this.#path} is closed`);
      for (const write of batch) write.reject(closed);
      return;
    }
    if (batch.length > 1) {
      try {
        const results = this.#write(() => batch.map((write) => this.#upsertCanonical(write.incoming)));
        batch.forEach((write, i) => write.resolve(results[i]!));
        return;
      } catch {
        // Written one by one below, so the error reaches only the upserts it belongs to.
      }
    }
    for (const write of batch) {
      try {
        write.resolve(this.#write(() => this.#upsertCanonical(write.incoming)));
      } catch (error) {
        write.reject(error as Error);
      }
    }
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

  async facets(): Promise<Facets> {
    return this.#db.transaction(() => this.#wholeIndexFacets(FACETS) as Facets)();
  }

  async search(request: SearchRequest): Promise<SearchResponse> {
    const started = performance.now();
    const { q, limit, offset } = request;
    const sort = request.sort ?? 'relevance';
    const filters = checkFilters(request.filters);
    const query = queryTerms(q);
    // One snapshot for the words, the count, the page and the facets.
    const answer = this.#db.transaction(() => {
      const version = this.#dataVersion();
      const known = this.#keptAt(version).matches;
      const matches = query.terms.map((term, i) => {
        const prefix = query.lastIsPrefix && i === query.terms.length - 1;
        const key = `${prefix ? '*' : '='}${term}`;
        let match = known.get(key);
        if (!match) {
          match = this.#termMatch(term, prefix, version);
          if (known.size >= TERM_MATCHES_KEPT) known.clear();
          known.set(key, match);
        }
        return match;
      });
      const params: Record<string, unknown> = {};
      const where = filterWhere(filters, params);
      if (matches.length === 0)
        return {
          matches,
          totalEstimated: false,
          ...this.#listAll(request, where, params, this.#papersAt(version)),
        };
      const selection: Selection = {
        first: anyOf(matches[0]!),
        where,
        filtered: where !== '1',
        params,
        papers: this.#papersAt(version),
      };
      const counted = request.facets?.length ? this.#matchFacets(selection, request.facets) : undefined;
      const { total, totalEstimated } = counted
        ? { total: counted.total, totalEstimated: false }
        : this.#total(selection, matches[0]!.alternatives);
      const rank = this.#ranking(new Ranker(matches, query.lastIsPrefix, this.#totals()));
      const order = bySort(sort);
      const hits: Paper[] = [];
      const groups = this.#candidates(
        matches,
        query.lastIsPrefix,
        selection,
        total,
        sort,
        offset + limit,
        rank,
      );
      for (const group of groups) {
        const ranked = rank(group.seqs).sort(order);
        const from = Math.max(0, offset - group.start);
        const to = Math.max(0, offset + limit - group.start);
        hits.push(...ranked.slice(from, to).map((r) => r.paper));
      }
      return { matches, total, totalEstimated, hits, facets: counted?.facets };
    })();
    let hits: SearchHit[] = answer.hits;
    if (request.highlight) {
      const isMatch = matcher(answer.matches);
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
      totalEstimated: answer.totalEstimated,
      limit,
      offset,
      query: q,
      processingTimeMs: Math.round(performance.now() - started),
      ...(answer.facets ? { facetDistribution: answer.facets } : {}),
    };
  }

  async searchJson(request: SearchRequest): Promise<string> {
    return JSON.stringify(await this.search(request));
  }

  async days(request: DaysRequest): Promise<DayCount[]> {
    return (this.#days ??= new SqliteDays(this.#db)).days(request);
  }

  async listed(request: ListedRequest): Promise<ListedPage> {
    return (this.#days ??= new SqliteDays(this.#db)).listed(request);
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
    // Upserts asked for before this delete are written before it.
    this.#flushUpserts();
    this.#write(() => {
      for (const id of ids) {
        const row = this.#row(id);
        if (!row) continue;
        this.#deleteRow(row);
        // Title ids that named this paper now name nothing.
        this.#statement('DELETE FROM aliases WHERE target = ?').run(id);
      }
    });
  }

  async stats(): Promise<StatsResponse> {
    return { papers: this.#count() };
  }

  async ping(): Promise<void> {
    if (!this.#db.open) throw new Error(`the sqlite index at ${this.#path} is closed`);
    this.#statement('SELECT 1').get();
  }

  async close(): Promise<void> {
    this.#flushUpserts();
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

  /** The title tier's rows of every paper (schema version 6). */
  writeTitleTier(): void {
    for (const row of this.#db.prepare<[], PaperRow>('SELECT seq, doc FROM papers ORDER BY seq').all())
      this.#writeTitleTierRows(row.seq, JSON.parse(row.doc) as Paper);
  }

  /** The trending score of every paper (schema version 7). */
  writeTrending(): void {
    for (const row of this.#db.prepare<[], PaperRow>('SELECT seq, doc FROM papers ORDER BY seq').all())
      this.#writeTrending(row.seq, JSON.parse(row.doc) as Paper);
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
        this.#titleTierKept = version >= TITLE_TIER_VERSION;
        this.#trendingKept = version >= TRENDING_VERSION;
        this.#wordListKept = version >= WORD_LIST_VERSION;
        for (const [i, migration] of MIGRATIONS.slice(version).entries()) {
          this.#db.exec(migration.sql);
          // A migration may empty the word tables.
          this.#knownWords.clear();
          // Papers written by a migration's own step get title tier rows once the tables exist.
          if (version + i + 1 >= TITLE_TIER_VERSION) this.#titleTierKept = true;
          if (version + i + 1 >= TRENDING_VERSION) this.#trendingKept = true;
          if (version + i + 1 >= WORD_LIST_VERSION) this.#wordListKept = true;
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

  /** `#count()` at a data version: counting reads an index of every paper, so it is kept. */
  #papersAt(version: string): number {
    if (this.#papersCount?.version !== version) this.#papersCount = { version, papers: this.#count() };
    return this.#papersCount.papers;
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
    for (const id of plan.deletes) this.#deleteRow(rows.get(id)!);
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
      this.#deleteTitleTierRows(seq, stored);
      this.#writeText(seq, paper);
    }
    if (
      !isDeepStrictEqual(stored.authors, paper.authors) ||
      !isDeepStrictEqual(stored.sources, paper.sources)
    )
      this.#writeDerived(seq, paper);
  }

  #deleteRow({ seq, doc }: PaperRow): void {
    this.#deleteTitleTierRows(seq, JSON.parse(doc) as Paper);
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
    this.#writeTitleTierRows(seq, paper);
  }

  #writeTitleTierRows(seq: number, paper: Paper): void {
    if (!this.#titleTierKept) return;
    this.#averageLength ??= averageLength(this.#totals());
    for (const { term, impact, positions } of titlePostings(paper, this.#averageLength))
      this.#statement(
        'INSERT OR REPLACE INTO title_postings (term, seq, impact, positions) VALUES (?, ?, ?, ?)',
      ).run(term, seq, impact, positions);
    for (const term of authorWords(paper))
      this.#statement('INSERT OR IGNORE INTO author_words (term, seq) VALUES (?, ?)').run(term, seq);
  }

  #deleteTitleTierRows(seq: number, paper: Paper): void {
    if (!this.#titleTierKept) return;
    for (const term of new Set(searchWords(paper.title)))
      this.#statement('DELETE FROM title_postings WHERE term = ? AND seq = ?').run(term, seq);
    for (const term of authorWords(paper))
      this.#statement('DELETE FROM author_words WHERE term = ? AND seq = ?').run(term, seq);
  }

  #addWord(word: string): void {
    if (this.#knownWords.has(word)) return;
    this.#knownWords.add(word);
    const chars = [...word];
    if (chars.length < 2) return;
    const added = this.#statement('INSERT OR IGNORE INTO vocab_tails (tail, word) VALUES (?, ?)').run(
      chars.slice(1).join(''),
      word,
    ).changes;
    if (added > 0 && this.#wordListKept)
      this.#statement('INSERT INTO vocab_words (word) VALUES (?)').run(word);
  }

  /** The indexed words as of this connection's snapshot: those added since last read are read. */
  #words(version: string): Lexicon {
    if (this.#lexiconVersion !== version) {
      const added = this.#statement<[number], [number, string]>(
        'SELECT id, word FROM vocab_words WHERE id > ? ORDER BY id',
      ).raw();
      this.#lexicon.add(added.iterate(this.#lexicon.last) as Iterable<[number, string]>);
      this.#lexiconVersion = version;
    }
    return this.#lexicon;
  }

  /** The rows filters and facets use: author keys and source names; and the trending score. */
  #writeDerived(seq: number, paper: Paper): void {
    this.#statement('DELETE FROM paper_authors WHERE seq = ?').run(seq);
    this.#statement('DELETE FROM paper_sources WHERE seq = ?').run(seq);
    for (const key of new Set(paper.authors.map(authorKey)))
      if (key !== '') this.#statement('INSERT INTO paper_authors (key, seq) VALUES (?, ?)').run(key, seq);
    for (const name of new Set(paper.sources.map((s) => s.name)))
      this.#statement('INSERT INTO paper_sources (name, seq) VALUES (?, ?)').run(name, seq);
    // The score derives from the sources alone, and this runs whenever they change.
    this.#writeTrending(seq, paper);
  }

  #writeTrending(seq: number, paper: Paper): void {
    if (!this.#trendingKept) return;
    this.#statement('UPDATE papers SET trending = ? WHERE seq = ?').run(trendingScore(paper), seq);
  }

  /** Papers holding `term`; with `version`, counted once for that data version. */
  #documentFrequency(term: string, version?: string): number {
    const kept = version === undefined ? undefined : this.#keptAt(version).documents;
    const known = kept?.get(term);
    if (known !== undefined) return known;
    const documents =
      this.#statement<[string], { doc: number }>('SELECT doc FROM papers_vocab WHERE term = ?').get(term)
        ?.doc ?? 0;
    if (kept) {
      if (kept.size >= DOCUMENT_COUNTS_KEPT) kept.clear();
      kept.set(term, documents);
    }
    return documents;
  }

  /** A write transaction; cached counts see that the data changed. */
  #write<T>(change: () => T): T {
    // Impacts of one transaction's papers share the average length it started with.
    this.#averageLength = undefined;
    try {
      return this.#db.transaction(change).immediate();
    } catch (error) {
      // Words written by the transaction rolled back are not in the table after all.
      this.#knownWords.clear();
      throw error;
    } finally {
      this.#writes += 1;
    }
  }

  /** Changes whenever this connection or another one committed a change. */
  #dataVersion(): string {
    return `${this.#db.pragma('data_version', { simple: true }) as number}:${this.#writes}`;
  }

  #wholeIndexFacets(wanted: readonly SearchFacet[]): Partial<Facets> {
    const version = this.#dataVersion();
    if (this.#facetsCache?.version !== version) this.#facetsCache = { version, facets: {} };
    const cached = this.#facetsCache.facets;
    // Author counts cost a pass over every author of every paper: only when asked.
    const missing = [...new Set(wanted)].filter((f) => cached[f] === undefined);
    if (missing.length > 0) Object.assign(cached, this.#countFacets(PAPER_COLUMNS, '1', {}, missing).facets);
    return structuredClone(pick(cached as Facets, wanted));
  }

  /** An empty query: every paper that passes the filters, in the sort's order (indexes give it). */
  #listAll(
    request: SearchRequest,
    where: string,
    params: Record<string, unknown>,
    papers: number,
  ): { total: number; hits: Paper[]; facets: Partial<Facets> | undefined } {
    const filtered = where !== '1';
    let total: number;
    let facets: Partial<Facets> | undefined;
    if (request.facets?.length) {
      ({ total, facets } = filtered
        ? this.#countFacets(PAPER_COLUMNS, where, params, request.facets)
        : { total: papers, facets: this.#wholeIndexFacets(request.facets) });
    } else {
      total = filtered
        ? (this.#db
            .prepare<[Record<string, unknown>], { n: number }>(
              `SELECT count(*) AS n FROM ${PAPER_COLUMNS} WHERE ${where}`,
            )
            .get(params)?.n ?? 0)
        : papers;
    }
    const hits = this.#db
      .prepare<[Record<string, unknown>], { doc: string }>(
        `SELECT p.doc FROM papers p WHERE ${where}
           ORDER BY ${sortKeys(request.sort ?? 'relevance')}p.first_seen_at DESC, p.id LIMIT @limit OFFSET @offset`,
      )
      .all({ ...params, limit: request.limit, offset: request.offset })
      .map((r) => JSON.parse(r.doc) as Paper);
    return { total, hits, facets };
  }

  /**
   * How many papers match the first query word and pass the filters: the search's total. With
   * `atMost`, counting stops there: enough to tell whether a set fits, at a cost that does not
   * grow with the papers a common word matches.
   */
  #countMatches({ first, where, filtered, params }: Selection, atMost = Infinity): number {
    // SQLite's LIMIT -1 is no limit.
    const limit = Number.isFinite(atMost) ? Math.max(1, Math.ceil(atMost)) : -1;
    if (!filtered)
      return (
        this.#statement<[string, number], { n: number }>(
          'SELECT count(*) AS n FROM (SELECT 1 FROM papers_fts WHERE papers_fts MATCH ? LIMIT ?)',
        ).get(first, limit)?.n ?? 0
      );
    // Bounded, the matches are read in order and counting stops at the bound; whole, the
    // filters are checked on the set of matches.
    const sql = Number.isFinite(atMost)
      ? `SELECT count(*) AS n FROM (SELECT 1 FROM papers_fts f JOIN ${PAPER_COLUMNS} ON p.seq = f.rowid
           WHERE papers_fts MATCH @first AND ${where} LIMIT @limit)`
      : `SELECT count(*) AS n FROM (SELECT 1 FROM ${PAPER_COLUMNS}
           WHERE p.seq IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH @first) AND ${where} LIMIT @limit)`;
    return (
      this.#db.prepare<[Record<string, unknown>], { n: number }>(sql).get({ ...params, first, limit })?.n ?? 0
    );
  }

  /**
   * The search's total: how many papers match the first query word and pass the filters. Exact
   * up to `EXACT_TOTAL`, where counting stops; past it, estimated, as Meilisearch's
   * `estimatedTotalHits`: the papers holding any alternative of the word (its misspellings,
   * the words it starts), from each one's count as if they were independent, times the share of
   * an even sample of them that passes the filters. A word as typed with no filters is exact,
   * from its own count.
   */
  #total(selection: Selection, first: Alternative[]): { total: number; totalEstimated: boolean } {
    if (!selection.filtered && first.length === 1)
      return { total: first[0]!.documents, totalEstimated: false };
    const counted = this.#countMatches(selection, EXACT_TOTAL + 1);
    if (counted <= EXACT_TOTAL) return { total: counted, totalEstimated: false };
    const { papers } = selection;
    const none = first.reduce((p, a) => p * (1 - Math.min(1, a.documents / Math.max(1, papers))), 1);
    const unfiltered = Math.max(counted, Math.round(papers * (1 - none)));
    if (!selection.filtered) return { total: unfiltered, totalEstimated: true };
    const stride = Math.max(1, Math.floor(unfiltered / ESTIMATE_SAMPLE));
    const sample = this.#db
      .prepare<[Record<string, unknown>], { seen: number; kept: number | null }>(
        `SELECT count(*) AS seen, sum(CASE WHEN ${selection.where} THEN 1 ELSE 0 END) AS kept
           FROM papers_fts f JOIN ${PAPER_COLUMNS} ON p.seq = f.rowid
           WHERE papers_fts MATCH @first AND f.rowid % @stride = 0`,
      )
      .get({ ...selection.params, first: selection.first, stride });
    const share = sample && sample.seen > 0 ? (sample.kept ?? 0) / sample.seen : 1;
    return {
      total: Math.min(unfiltered, Math.max(counted, Math.round(share * unfiltered))),
      totalEstimated: true,
    };
  }

  /** Facet counts (and the total) over every match of a query. */
  #matchFacets(
    selection: Selection,
    facets: readonly SearchFacet[],
  ): { total: number; facets: Partial<Facets> } {
    const total = selection.filtered ? undefined : this.#countMatches(selection);
    // Every paper matches: the whole index's counts, which are kept between searches.
    if (total !== undefined && total === selection.papers)
      return { total, facets: this.#wholeIndexFacets(facets) };
    const matching = `p.seq IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH @first) AND ${selection.where}`;
    return this.#countFacets(
      PAPER_COLUMNS,
      matching,
      { ...selection.params, first: selection.first },
      facets,
    );
  }

  /**
   * Counts of `facets` over the papers `from … where` selects, and their number. Year and
   * hasCode come from one pass over the narrow index, which also counts the papers.
   */
  #countFacets(
    from: string,
    where: string,
    params: Record<string, unknown>,
    facets: readonly SearchFacet[],
  ): { total: number; facets: Partial<Facets> } {
    const rows = this.#db
      .prepare<[Record<string, unknown>], { year: number | null; hasCode: number; n: number }>(
        `SELECT p.year AS year, p.has_code AS hasCode, count(*) AS n FROM ${from} WHERE ${where}
           GROUP BY p.year, p.has_code`,
      )
      .all(params);
    const total = rows.reduce((sum, r) => sum + r.n, 0);
    const counts: Partial<Facets> = {};
    for (const facet of new Set(facets)) {
      const values = new Map<string, number>();
      if (facet === 'source') {
        const sources = this.#db
          .prepare<[Record<string, unknown>], { name: string; n: number }>(
            `SELECT s.name AS name, count(*) AS n FROM ${from} JOIN paper_sources s ON s.seq = p.seq
               WHERE ${where} GROUP BY s.name`,
          )
          .all(params);
        for (const { name, n } of sources) values.set(name, n);
      }
      if (facet === 'authors') {
        // The most frequent keys only, most frequent first (ties: the smaller key).
        const top =
          where === '1'
            ? `SELECT a.key AS key, count(*) AS n FROM paper_authors a GROUP BY a.key`
            : `SELECT a.key AS key, count(*) AS n FROM ${from} JOIN paper_authors a ON a.seq = p.seq
                 WHERE ${where} GROUP BY a.key`;
        const keys = this.#db
          .prepare<[Record<string, unknown>], { key: string; n: number }>(
            `${top} ORDER BY n DESC, key LIMIT ${AUTHOR_FACET_SIZE}`,
          )
          .all(params);
        for (const { key, n } of keys) values.set(this.#authorName(key), n);
        counts[facet] = Object.fromEntries(values);
        continue;
      }
      for (const r of rows) {
        const value =
          facet === 'year'
            ? r.year === null
              ? null
              : String(r.year)
            : facet === 'hasCode'
              ? String(r.hasCode === 1)
              : null;
        if (value !== null) values.set(value, (values.get(value) ?? 0) + r.n);
      }
      counts[facet] = Object.fromEntries([...values].sort(([a], [b]) => (a < b ? -1 : 1)));
    }
    return { total, facets: counts };
  }

  /** The name the authors facet gives a key: as the paper with the smallest id holding it spells it. */
  #authorName(key: string): string {
    const authors = this.#statement<[string], { authors: string }>(
      `SELECT p.doc -> '$.authors' AS authors FROM paper_authors a JOIN papers p ON p.seq = a.seq
         WHERE a.key = ? ORDER BY p.id LIMIT 1`,
    ).get(key)?.authors;
    return (authors && authorNameIn({ authors: JSON.parse(authors) as string[] }, key)) ?? key;
  }

  /** What bm25 needs of the whole index, from FTS5's own totals. */
  #totals(): IndexTotals {
    return fts5Totals(
      this.#statement<[], { block: Buffer }>('SELECT block FROM papers_fts_data WHERE id = 1').get()?.block,
    );
  }

  /**
   * The papers that can make the page [0, end) of a search, in groups that are ranked each on
   * their own: a group holds the papers of global positions [start, start + its size) in some
   * order. Every match when there are at most `#candidateCount` (or `end`); otherwise, for a
   * relevance order, in each group of papers matching the same number of query words that
   * reaches into the page, the sets that rank first (`nestedGroups`) as far as they fit whole,
   * the best by bm25 of the next one (unless the papers already chosen settle the group's page:
   * `settling`, which ranks them with `rank`), and titles that are the query; for an explicit
   * sort, the first by that sort (ties past them are not ranked).
   */
  #candidates(
    matches: TermMatch[],
    lastIsPrefix: boolean,
    selection: Selection,
    total: number,
    sort: SearchSort,
    end: number,
    rank: (seqs: number[]) => Ranked[],
  ): { start: number; seqs: number[] }[] {
    const most = Math.max(this.#candidateCount, end);
    if (total <= most) return [{ start: 0, seqs: this.#seqs(selection.first, selection) }];
    if (sort !== 'relevance') {
      const seqs = this.#db
        .prepare<[Record<string, unknown>], { seq: number }>(
          `SELECT p.seq AS seq FROM ${PAPER_COLUMNS}
             WHERE p.seq IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH @first) AND ${selection.where}
             ORDER BY ${sortKeys(sort)}p.first_seen_at DESC, p.id LIMIT @most`,
        )
        .all({ ...selection.params, first: selection.first, most })
        .map((r) => r.seq);
      return [{ start: 0, seqs }];
    }
    const tier = this.#titleTier(matches, selection, end);
    if (tier) return [{ start: 0, seqs: tier }];
    // As Meilisearch's matching strategy "last": papers with all words first, then those
    // missing the last word, and so on. `before` papers match more words than the group at hand.
    const groups: { start: number; seqs: number[] }[] = [];
    const kept = selection.filtered
      ? total / Math.max(1, this.#countMatches({ ...selection, filtered: false }))
      : 1;
    let before = 0;
    for (let words = matches.length; words >= 1 && before < end; words -= 1) {
      const all = matches
        .slice(0, words)
        .map((m) => `(${anyOf(m)})`)
        .join(' AND ');
      // Counted only as far as decides the page: past `end`, no later group is needed.
      const atLeast =
        words === 1
          ? total
          : this.#countMatches(
              { ...selection, first: all },
              before + Math.max(this.#candidateCount, end - before) + 1,
            );
      const size = atLeast - before;
      if (size > 0) {
        const missing = matches[words];
        const expression = missing ? `(${all}) NOT (${anyOf(missing)})` : all;
        const wanted = Math.max(this.#candidateCount, end - before);
        const group = matches.slice(0, words);
        // The group of all the words had its title tier tried first.
        const tier =
          size > wanted && missing ? this.#titleTier(group, selection, end - before, missing) : undefined;
        const ranked = (): number[] => {
          const holders = this.#titleHolders(group, missing, selection, wanted);
          return this.#bestOfNested(
            nestedGroups(group, missing, lastIsPrefix, holders !== undefined),
            group.length > 1
              ? (within: string, count: number) => this.#mostInTitle(group, within, selection, count)
              : undefined,
            size,
            kept,
            selection,
            wanted,
            holders ?? [],
            holders && settling(group, end - before, rank),
          );
        };
        const seqs = size <= wanted ? this.#seqs(expression, selection) : (tier ?? ranked());
        // Titles that are the query itself rank first, whatever bm25 makes of them.
        if (!missing && size > wanted) seqs.push(...this.#titled(matches, selection));
        groups.push({ start: before, seqs: [...new Set(seqs)] });
      }
      before = atLeast;
    }
    return groups;
  }

  /**
   * At least the `wanted` best papers of the last of `expressions`, which match ever larger sets
   * (the last one `size` papers) of papers ranked before the rest of the next set: the largest
   * set that fits whole, and the best of the next by the bm25 of the last, and of it the papers
   * with the most query words in the title (`byTitle`). Whether a set fits is judged from its
   * count without the filters times the share of papers the filters keep (`kept`), which is
   * cheap; a set taken whole that the filters keep more of than that is cut to its best.
   * `holders` are papers of the group known to rank before most (`#titleHolders`): always kept.
   * When the papers taken whole and those `byTitle` picks settle the page (`settles`), the best
   * by bm25 are not looked for: scoring a large set is what a search of common words costs.
   */
  #bestOfNested(
    expressions: string[],
    byTitle: ((within: string, count: number) => MostInTitle) | undefined,
    size: number,
    kept: number,
    selection: Selection,
    wanted: number,
    holders: number[],
    settles?: (whole: number[], others: number[], outside: number) => boolean,
  ): number[] {
    let whole: { expression: string } | { seqs: number[] } | undefined;
    const wholeSeqs = (): number[] => {
      if (whole === undefined) return [];
      if ('seqs' in whole) return whole.seqs;
      return selection.filtered
        ? this.#bestSeqs(scoring, whole.expression, selection, 4 * wanted)
        : this.#seqs(whole.expression, selection);
    };
    // The last set: every paper of the group, scored as the ranking scores them.
    const scoring = expressions.at(-1)!;
    for (const [i, expression] of expressions.entries()) {
      const last = i === expressions.length - 1;
      const estimate = last
        ? size
        : this.#countMatches({ ...selection, filtered: false, first: expression }, (wanted + 1) / kept) *
          kept;
      if (estimate <= wanted) {
        whole = { expression };
        continue;
      }
      const within = last ? undefined : expression;
      // Fewer: only the papers with the most words in the title stand out this way.
      const titled = byTitle?.(within ?? scoring, Math.ceil(wanted / 4));
      const taken = wholeSeqs();
      // A set cut to its best may leave out papers that rank before the others.
      const cut = whole !== undefined && 'expression' in whole && selection.filtered;
      const inTaken = new Set(taken);
      const others = [...new Set([...holders, ...(titled?.seqs ?? [])])].filter((seq) => !inTaken.has(seq));
      if (settles && !cut && settles(taken, others, titled?.outside ?? 0))
        return [...new Set([...taken, ...others])];
      const best = this.#bestSeqs(scoring, within, selection, wanted);
      if (best.length < wanted && !last) {
        whole = { seqs: best };
        continue;
      }
      return [...new Set([...holders, ...taken, ...best, ...(titled?.seqs ?? [])])];
    }
    return [...new Set([...holders, ...wholeSeqs()])];
  }

  /**
   * The papers that can make the page [0, end) of a group of matches when its title tier alone
   * fills it, or undefined when it may not (then the general path ranks the group). The group is
   * the papers holding every word of `matches`, and not `missing` (the next query word) when
   * given. Its tier is the papers holding every word, at its fewest typos (the word as typed when
   * some paper holds it; a word being typed: any indexed word it starts), in the title: no other
   * paper of the group has fewer typos and more query words in the title, so the tier ranks
   * first. Of the tier: the titles that are the query, the papers with a query word in an author
   * name too, those holding a costlier misspelling too, and the best by whether the title holds
   * the query as a phrase, then by the sum of the words' impacts weighted by their idf. One word
   * reads its postings in impact order and stops after `wanted`; several join the postings of the
   * rarest word to the others', so a search costs what the titles of its rarest word cost.
   */
  #titleTier(
    matches: TermMatch[],
    selection: Selection,
    end: number,
    missing?: TermMatch,
  ): number[] | undefined {
    if (!this.#titleTierKept) return undefined;
    const words: string[][] = [];
    const cheapestOf = matches.map(cheapest);
    for (const cheap of cheapestOf) {
      if (cheap.every((a) => a.documents === 0)) return undefined;
      const named = namedWords(cheap);
      if (!named || named.length === 0) return undefined;
      words.push(named);
    }
    const wanted = Math.max(TIER_CANDIDATES, 2 * end);
    const { where, filtered, params, papers } = selection;
    const documents = cheapestOf.map(documentsOf);
    const weights = documents.map((d) => idf(papers, d));
    const values: Record<string, unknown> = { ...params, wanted };
    const termIn = (alias: string, i: number): string => titleTermIn(alias, i, words, values);
    // Papers holding the next query word belong to an earlier group.
    const without = (seq: string) =>
      missing ? `AND ${seq} NOT IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH @missing)` : '';
    if (missing) values.missing = anyOf(missing);
    const join = titleJoin(words, documents, values, selection, true);
    const driver = join.driver;
    for (const i of matches.keys()) values[`idf${i}`] = weights[i];
    const phrase = matches.map((_, i) => `(t${i}.positions >> ${i})`).join(' & ');
    const score = matches.map((_, i) => `@idf${i} * t${i}.impact`).join(' + ');
    const ranking = matches.length === 1 ? `t${driver}.impact DESC` : `(${phrase}) != 0 DESC, ${score} DESC`;
    const best = this.#db
      .prepare<[Record<string, unknown>], { seq: number }>(
        `SELECT t${driver}.seq AS seq FROM ${join.from}
           WHERE ${join.where} ${without(`t${driver}.seq`)} ORDER BY ${ranking} LIMIT @wanted`,
      )
      .all(values)
      .map((r) => r.seq);
    const distinct = [...new Set(best)];
    if (distinct.length < end || distinct.length === 0) return undefined;
    // Papers of the tier with a query word in an author name rank first among those alike.
    const inTitle = matches
      .map(
        (_, i) =>
          `EXISTS (SELECT 1 FROM title_postings t${i} WHERE t${i}.seq = a.seq AND ${termIn(`t${i}`, i)})`,
      )
      .join(' AND ');
    values.authorWords = JSON.stringify([...new Set(words.flat())]);
    const authored = this.#db
      .prepare<[Record<string, unknown>], { seq: number }>(
        `SELECT DISTINCT a.seq AS seq FROM author_words a ${filtered ? `JOIN ${PAPER_COLUMNS} ON p.seq = a.seq` : ''}
           WHERE a.term IN (SELECT value FROM json_each(@authorWords)) AND ${inTitle} AND ${where}
           ${without('a.seq')} LIMIT @wanted`,
      )
      .all(values)
      .map((r) => r.seq);
    // Costlier misspellings of the query words count in bm25 too. Most are rare: the tier's
    // papers that hold one are few, and all of them may rank first among those alike. One held by
    // more than `SMALL_SET` papers ("models" for "model") is in much of the tier, and scoring all
    // of those costs what the tier saves: then the tier's papers holding one in the title are
    // taken, which it lifts the most (the title weighs ten times the abstract in bm25).
    const misspelt = matches.flatMap((m, i) =>
      m.alternatives.filter((a) => a.cost > cheapestOf[i]![0]!.cost),
    );
    const misspeltDocuments = documentsOf(misspelt);
    const misspeltWords = misspeltDocuments > SMALL_SET ? namedWords(misspelt) : undefined;
    let withTypos: number[] = [];
    if (misspeltWords) {
      const typoJoin = titleJoin(
        [...words, misspeltWords],
        [...documents, misspeltDocuments],
        values,
        selection,
        false,
      );
      withTypos = this.#db
        .prepare<[Record<string, unknown>], { seq: number }>(
          `SELECT DISTINCT t${typoJoin.driver}.seq AS seq FROM ${typoJoin.from}
             WHERE ${typoJoin.where} ${without(`t${typoJoin.driver}.seq`)} LIMIT @wanted`,
        )
        .all(values)
        .map((r) => r.seq);
    } else if (misspelt.length > 0) {
      const inTier = cheapestOf
        .map((cheap) => `{title} : (${cheap.map(ftsAlternative).join(' OR ')})`)
        .join(' AND ');
      withTypos = this.#bestSeqs(
        `(${inTier}) AND (${misspelt.map(ftsAlternative).join(' OR ')})${missing ? ` NOT (${anyOf(missing)})` : ''}`,
        undefined,
        selection,
        wanted,
      );
    }
    const titled = missing ? [] : this.#titled(matches, selection);
    return [...new Set([...titled, ...authored, ...withTypos, ...distinct])];
  }

  /**
   * The papers of a group (those holding every word of `terms`, and not `missing` when given)
   * that hold every word in the title, each at any of its alternatives, when there are at most
   * `most`: read from the title postings, joined from the rarest word. Every paper that holds the
   * query as a title phrase, or every word in the title, is one of them, so the general path
   * takes them whole instead of counting those sets with FTS5 column filters, which reads the
   * positions of every paper the words match. Undefined when the index keeps no title postings,
   * a word being typed starts too many words to name, or more than `most` papers hold them.
   */
  #titleHolders(
    terms: TermMatch[],
    missing: TermMatch | undefined,
    selection: Selection,
    most: number,
  ): number[] | undefined {
    if (!this.#titleTierKept) return undefined;
    const words: string[][] = [];
    for (const term of terms) {
      const named = namedWords(held(term));
      if (!named) return undefined;
      if (named.length === 0) return [];
      words.push(named);
    }
    const values: Record<string, unknown> = { ...selection.params, limit: most + 1 };
    const documents = terms.map((m) => documentsOf(m.alternatives));
    const join = titleJoin(words, documents, values, selection, false);
    const seqs = this.#db
      .prepare<[Record<string, unknown>], { seq: number }>(
        `SELECT DISTINCT t${join.driver}.seq AS seq FROM ${join.from} WHERE ${join.where} LIMIT @limit`,
      )
      .all(values)
      .map((r) => r.seq);
    if (seqs.length > most) return undefined;
    if (!missing || seqs.length === 0) return seqs;
    // Papers holding the next query word belong to an earlier group: a lookup of each by rowid.
    return this.#statement<[string, string], { seq: number }>(
      `SELECT value AS seq FROM json_each(?) WHERE NOT EXISTS
         (SELECT 1 FROM papers_fts WHERE papers_fts MATCH ? AND rowid = value)`,
    )
      .all(JSON.stringify(seqs), anyOf(missing))
      .map((r) => r.seq);
  }

  /**
   * The `count` papers of the set `within` matches (papers holding every word of `terms`) with
   * the most of the words in the title, which rank first among papers alike otherwise. When the
   * rarest word is in at most `SMALL_SET` papers, the set is read once and the title postings of
   * the words are counted over it, the best by the sum of the words' impacts weighted by their
   * idf; otherwise (or when a word being typed starts too many words to name) by FTS5's bm25 of
   * the words in the title column, which reads the positions of every paper the words match.
   * With them, the most words the title of a paper of the set left out holds: from the counts of
   * the postings, or (by bm25) as many as there are words.
   */
  #mostInTitle(terms: TermMatch[], within: string, selection: Selection, count: number): MostInTitle {
    const documents = terms.map((m) => documentsOf(m.alternatives));
    const words = terms.map((m) => namedWords(held(m)));
    if (!this.#titleTierKept || Math.min(...documents) > SMALL_SET || words.some((w) => !w))
      return {
        seqs: this.#bestSeqs(`{title} : (${terms.map(anyOf).join(' OR ')})`, within, selection, count),
        outside: terms.length,
      };
    const { where, filtered, params, papers } = selection;
    const postings = words.flatMap((named, i) => named!.map((word) => [word, i, idf(papers, documents[i]!)]));
    const rows = this.#db
      .prepare<[Record<string, unknown>], { seq: number; words: number }>(
        `SELECT t.seq AS seq, count(DISTINCT j.value ->> 1) AS words FROM json_each(@postings) j
           CROSS JOIN title_postings t ${filtered ? `CROSS JOIN ${PAPER_COLUMNS}` : ''}
           WHERE t.term = j.value ->> 0
             AND t.seq IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH @within)
             ${filtered ? `AND p.seq = t.seq AND ${where}` : ''}
           GROUP BY t.seq ORDER BY words DESC, sum((j.value ->> 2) * t.impact) DESC
           LIMIT @count`,
      )
      .all({ ...params, postings: JSON.stringify(postings), within, count });
    // Every paper of the set with a word in the title is read unless `count` of them were.
    return { seqs: rows.map((r) => r.seq), outside: rows.length < count ? 0 : rows.at(-1)!.words };
  }

  /** The papers whose title is the query's words, that pass the filters. */
  #titled(matches: TermMatch[], { where, params }: Selection): number[] {
    return this.#db
      .prepare<[Record<string, unknown>], { seq: number }>(
        `SELECT p.seq AS seq FROM papers p INDEXED BY papers_by_title_norm WHERE p.title_norm = @title AND ${where}`,
      )
      .all({ ...params, title: matches.map((m) => m.term).join(' ') })
      .map((r) => r.seq);
  }

  /** Every paper an FTS5 expression matches that passes the filters. */
  #seqs(expression: string, { where, filtered, params }: Selection): number[] {
    if (!filtered)
      return this.#statement<[string], { rowid: number }>(
        'SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?',
      )
        .all(expression)
        .map((r) => r.rowid);
    return this.#db
      .prepare<[Record<string, unknown>], { seq: number }>(
        `SELECT p.seq AS seq FROM ${PAPER_COLUMNS}
           WHERE p.seq IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH @expression) AND ${where}`,
      )
      .all({ ...params, expression })
      .map((r) => r.seq);
  }

  /**
   * The `count` papers an FTS5 expression matches best by bm25, of those that pass the filters
   * and (when given) match `within` too. bm25 is the one of `expression` alone, so papers are
   * chosen by the score the ranking gives them, not by one that counts `within`'s words again.
   * bm25 first reads the whole list of every word of the expression, to weigh it, however few
   * papers it then scores: without `within`, a set of at most `count` papers is read whole first.
   */
  #bestSeqs(expression: string, within: string | undefined, selection: Selection, count: number): number[] {
    const { where, filtered, params } = selection;
    const from = filtered ? `papers_fts f JOIN ${PAPER_COLUMNS} ON p.seq = f.rowid` : 'papers_fts f';
    if (!within) {
      const every = this.#db
        .prepare<[Record<string, unknown>], { seq: number }>(
          `SELECT f.rowid AS seq FROM ${from} WHERE papers_fts MATCH @expression AND ${where} LIMIT @more`,
        )
        .all({ ...params, expression, more: count + 1 })
        .map((r) => r.seq);
      if (every.length <= count) return every;
    }
    // `+` keeps SQLite from handing the rowid list to FTS5, which would look each one up.
    const inside = within
      ? 'AND +f.rowid IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH @within)'
      : '';
    return this.#db
      .prepare<[Record<string, unknown>], { seq: number }>(
        `SELECT f.rowid AS seq FROM ${from}
           WHERE papers_fts MATCH @expression ${inside} AND ${where}
           ORDER BY bm25(papers_fts, ${SEARCH_WEIGHTS}) LIMIT @count`,
      )
      .all({ ...params, expression, count, ...(within ? { within } : {}) })
      .map((r) => r.seq);
  }

  /**
   * The papers `seqs` name with their ranking keys, in that order: each read and ranked once per
   * search however often asked, as the candidates of a group can be ranked before it is complete.
   */
  #ranking(ranker: Ranker): (seqs: number[]) => Ranked[] {
    const known = new Map<number, Ranked>();
    return (seqs) => {
      const unknown = seqs.filter((seq) => !known.has(seq));
      for (const { seq, paper, length } of this.#papers(unknown))
        known.set(seq, { paper, keys: ranker.keys(paper, length) });
      return seqs.flatMap((seq) => known.get(seq) ?? []);
    };
  }

  /** The papers `seqs` name, each with its words in all columns as FTS5 counts them. */
  #papers(seqs: number[]): (Candidate & { seq: number })[] {
    if (seqs.length === 0) return [];
    return this.#statement<[string], { seq: number; doc: string; size: string | null }>(
      `SELECT p.seq AS seq, p.doc AS doc, hex(d.sz) AS size FROM papers p LEFT JOIN papers_fts_docsize d ON d.id = p.seq
         WHERE p.seq IN (SELECT value FROM json_each(?))`,
    )
      .all(JSON.stringify(seqs))
      .map((r) => ({
        seq: r.seq,
        paper: JSON.parse(r.doc) as Paper,
        length: r.size ? documentSize(r.size) : undefined,
      }));
  }

  /** The query words' matches and words' counts kept for `version`; an earlier version's are dropped. */
  #keptAt(version: string): KeptAtVersion {
    if (this.#kept?.version !== version) this.#kept = { version, matches: new Map(), documents: new Map() };
    return this.#kept;
  }

  /** The indexed words one query word matches, as Meilisearch's typo rules allow (`typos.ts`). */
  #termMatch(term: string, prefix: boolean, version: string): TermMatch {
    const words = prefix ? this.#wordsStartingWith(term) : undefined;
    const exact: Alternative = { word: term, prefix, cost: 0, documents: 0, ...(words ? { words } : {}) };
    // A prefix that starts one word holds the papers that word does.
    exact.documents =
      !prefix || words?.length === 1
        ? this.#documentFrequency(words?.[0] ?? term, version)
        : (this.#statement<[string], { n: number }>(
            'SELECT count(*) AS n FROM papers_fts WHERE papers_fts MATCH ?',
          ).get(ftsAlternative(exact))?.n ?? 0);
    const match: TermMatch = { term, prefix, alternatives: [exact] };
    const budget = typoBudget(term);
    if (budget === 0) return match;
    const costs = new Map<string, number>();
    const typos = typoMatcher(term, budget, prefix);
    const consider = (word: string): void => {
      if (costs.has(word) || (prefix ? word.startsWith(term) : word === term)) return;
      const cost = typos(word);
      if (cost !== null && cost > 0) costs.set(word, cost);
    };
    const chars = [...term];
    // Words too short or too long to be within the budget are left out before they are compared.
    const lengths = [chars.length - budget, prefix ? Infinity : chars.length + budget] as const;
    const letters = { mask: wordLetterMask(term), typos: budget, whole: !prefix };
    for (const word of this.#words(version).words(chars[0]!, ...lengths, letters)) consider(word);
    if (budget >= 2) for (const word of this.#firstLetterTypos(term, prefix)) consider(word);
    const ranked = [...costs]
      .map(([word, cost]) => ({
        word,
        prefix: false,
        cost,
        documents: this.#documentFrequency(word, version),
      }))
      .filter((c) => c.documents > 0)
      .sort((a, b) => a.cost - b.cost || b.documents - a.documents || (a.word < b.word ? -1 : 1))
      .slice(0, MAX_TYPO_CANDIDATES);
    match.alternatives.push(...ranked);
    return match;
  }

  /**
   * The indexed words `prefix` starts, when it is longer than FTS5's own prefix indexes and starts
   * at most `MAX_PREFIX_WORDS` (and at least one); otherwise undefined.
   */
  #wordsStartingWith(prefix: string): string[] | undefined {
    if ([...prefix].length <= PREFIX_INDEX_LETTERS) return undefined;
    const words = this.#indexedWordsStartingWith(prefix, MAX_PREFIX_WORDS + 1);
    return words.length > 0 && words.length <= MAX_PREFIX_WORDS ? words : undefined;
  }

  /** At most `limit` of the words ever indexed (of two letters or more) that `start` starts, in order. */
  #indexedWordsStartingWith(start: string, limit: number): string[] {
    return this.#statement<[string, string, number], { word: string }>(
      'SELECT word FROM vocab_tails WHERE word >= ? AND word < ? LIMIT ?',
    )
      .all(start, start + LAST_CHAR, limit)
      .map((r) => r.word);
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
      const tailStartingWith = (start: string) =>
        this.#statement<[string, string, number], { word: string }>(
          'SELECT word FROM vocab_tails WHERE tail >= ? AND tail < ? LIMIT ?',
        ).all(start, start + LAST_CHAR, MAX_PREFIX_PROBE);
      for (const probe of [rest, swapped])
        found.push(...this.#indexedWordsStartingWith(probe, MAX_PREFIX_PROBE));
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

/** Creates the index's directory, or says plainly why it cannot hold the index. */
function ensureIndexDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR')
      throw new Error(`${dir} is not a directory (a file is in the way); the index needs a directory there`);
    throw error;
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new Error(
      `the index directory ${dir} is not writable by this process (uid ${process.getuid?.() ?? '?'})`,
    );
  }
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
    case 'trending':
      return 'p.trending IS NULL, p.trending DESC, ';
  }
}

/**
 * The title postings of every query word joined on the paper, each word's rows being those of
 * any of its `words[i]`, driven by the rarest word (FTS5's count of `documents[i]` stands in for
 * its number of titles), and the filters' rows when there are filters. Row `t<i>` is word i's.
 * `byImpact` reads a single word's rows in impact order.
 */
function titleJoin(
  words: string[][],
  documents: number[],
  values: Record<string, unknown>,
  { where, filtered }: Selection,
  byImpact: boolean,
): { from: string; where: string; driver: number } {
  const order = words.map((_, i) => i).sort((a, b) => documents[a]! - documents[b]!);
  const [driver, ...others] = order as [number, ...number[]];
  const tables = [
    `title_postings t${driver}${byImpact && others.length === 0 ? ' INDEXED BY title_postings_by_impact' : ''}`,
  ];
  const conditions = [titleTermIn(`t${driver}`, driver, words, values)];
  for (const i of others) {
    tables.push(`title_postings t${i}`);
    conditions.push(titleTermIn(`t${i}`, i, words, values), `t${i}.seq = t${driver}.seq`);
  }
  if (filtered) {
    tables.push(PAPER_COLUMNS);
    conditions.push(`p.seq = t${driver}.seq`, where);
  }
  return { from: tables.join(' CROSS JOIN '), where: conditions.join(' AND '), driver };
}

/** The condition that title postings row `alias` is one of query word i's `words[i]`. */
function titleTermIn(alias: string, i: number, words: string[][], values: Record<string, unknown>): string {
  values[`w${i}`] = JSON.stringify(words[i]);
  return words[i]!.length === 1
    ? `${alias}.term = json_extract(@w${i}, '$[0]')`
    : `${alias}.term IN (SELECT value FROM json_each(@w${i}))`;
}

/**
 * The indexed words `alternatives` name, once each (a word being typed: the words it starts),
 * for a join of title postings; undefined when a word being typed starts too many to name (the
 * general path has FTS5's prefix indexes for those) or they are more than `MAX_PREFIX_WORDS`.
 */
function namedWords(alternatives: readonly Alternative[]): string[] | undefined {
  const held: string[] = [];
  for (const alternative of alternatives) {
    if (!alternative.prefix) held.push(alternative.word);
    else if (alternative.words) held.push(...alternative.words);
    else return undefined;
  }
  const distinct = [...new Set(held)];
  return distinct.length > MAX_PREFIX_WORDS ? undefined : distinct;
}

/** The alternatives of a query word that some paper holds. */
function held(match: TermMatch): Alternative[] {
  return match.alternatives.filter((a) => a.documents > 0);
}

/** Papers holding `alternatives`, counted once per alternative (FTS5's counts, added up). */
function documentsOf(alternatives: readonly Alternative[]): number {
  return alternatives.reduce((sum, a) => sum + a.documents, 0);
}

/** Whether a word of a text (in `searchWords` form) is one the query matched. */
function matcher(matches: TermMatch[]): (word: string) => boolean {
  return (word) =>
    matches.some((m) => m.alternatives.some((a) => (a.prefix ? word.startsWith(a.word) : word === a.word)));
}

/**
 * The papers matching `terms` (and not `missing`) as nested FTS5 expressions, each set holding
 * papers that rank before the rest of the next. With the fewest typos (`cheapest`): those
 * holding the query as a phrase of the title (when `terms` are the whole query) and every word
 * in the author names, then with that phrase, then with either, then with every word in the
 * title, then all of them; then those and, whatever the typos, those with every word in the
 * title; then all. With `titleHoldersKnown`, the sets with a column filter are left out.
 */
function nestedGroups(
  terms: TermMatch[],
  missing: TermMatch | undefined,
  lastIsPrefix: boolean,
  titleHoldersKnown: boolean,
): string[] {
  const not = (expression: string) => (missing ? `(${expression}) NOT (${anyOf(missing)})` : expression);
  const every = (column: string) => terms.map((m) => `{${column}} : (${anyOf(m)})`).join(' AND ');
  const exact = terms.map((m) => `(${cheapest(m).map(ftsAlternative).join(' OR ')})`).join(' AND ');
  const all = terms.map((m) => `(${anyOf(m)})`).join(' AND ');
  const [title, authors] = [every('title'), every('authors')];
  const phrase = missing ? undefined : `{title} : ${ftsPhrase(terms, lastIsPrefix)}`;
  const exactly = (expression: string) => `(${exact}) AND (${expression})`;
  // Every set with a column filter holds only papers with every word in the title, which the
  // caller then has from the title postings (`#titleHolders`) and ranks besides these sets.
  if (titleHoldersKnown) return exact === all ? [not(all)] : [not(exact), not(all)];
  const groups = [
    ...(phrase
      ? [
          exactly(`(${phrase}) AND (${authors})`),
          exactly(phrase),
          exactly(`(${phrase}) OR ((${title}) AND (${authors}))`),
        ]
      : [exactly(`(${title}) AND (${authors})`)]),
    exactly(title),
    exact,
    ...(exact === all ? [] : [`(${exact}) OR ((${all}) AND (${title}))`]),
  ];
  // The last set is every paper of the group, whichever set before it reads the same.
  return [...new Set(groups.filter((g) => g !== all).map(not)), not(all)];
}

/**
 * Papers of a set with the most query words in the title, best first (`#mostInTitle`), and the
 * most words any other paper of the set has in the title.
 */
interface MostInTitle {
  seqs: number[];
  outside: number;
}

/**
 * Whether the papers ranked so far settle the page [0, `page`) of a group (the papers holding
 * every word of `terms`, and not the next query word) whose papers with every word in the title
 * are among them (`#titleHolders`): whether `page` of them rank before every paper of the group
 * left out. Those of a set taken `whole` rank before the rest of the next set; of the `others`,
 * a paper with the fewest typos the group's papers can have ranks before every paper left out
 * when its title holds the query as a phrase (a paper left out holds some word outside its
 * title) or more of the words than the title of any paper left out (`outside`).
 */
function settling(
  terms: TermMatch[],
  page: number,
  rank: (seqs: number[]) => Ranked[],
): (whole: number[], others: number[], outside: number) => boolean {
  const fewest = terms.reduce((typos, m) => typos + cheapest(m)[0]!.cost, 0);
  return (whole, others, outside) => {
    if (whole.length >= page) return true;
    const most = Math.min(outside, terms.length - 1);
    let before = whole.length;
    for (const { keys } of rank(others))
      if (keys.typos === fewest && (keys.phrase < 2 || keys.titleTerms > most)) before += 1;
    return before >= page;
  };
}

/** The alternatives of a query word with the fewest typos that some paper holds. */
function cheapest(match: TermMatch): Alternative[] {
  const holding = held(match);
  const fewest = Math.min(...holding.map((a) => a.cost));
  return holding.length > 0 ? holding.filter((a) => a.cost === fewest) : match.alternatives.slice(0, 1);
}

/** An FTS5 expression matching any alternative of a query word. */
function anyOf(match: TermMatch): string {
  return match.alternatives.map(ftsAlternative).join(' OR ');
}

function ftsAlternative(alternative: Alternative): string {
  if (!alternative.prefix) return ftsString(alternative.word);
  return alternative.words
    ? `(${alternative.words.map(ftsString).join(' OR ')})`
    : `${ftsString(alternative.word)}*`;
}

/** The query's words as a phrase; a last word being typed ends it in any word it starts. */
function ftsPhrase(terms: TermMatch[], lastIsPrefix: boolean): string {
  const words = terms.map((m) => m.term);
  const last = terms.at(-1)!.alternatives[0]!;
  if (!lastIsPrefix) return ftsString(words.join(' '));
  if (!last.words) return `${ftsString(words.join(' '))}*`;
  const start = words.slice(0, -1).join(' ');
  return `(${last.words.map((word) => ftsString(start ? `${start} ${word}` : word)).join(' OR ')})`;
}

function pick(facets: Facets, wanted: readonly SearchFacet[]): Partial<Facets> {
  return Object.fromEntries([...new Set(wanted)].map((f) => [f, facets[f]]));
}

/**
 * The row count and the words indexed in all columns, from an FTS5 table's averages record
 * (`<table>_data` row 1: varints, the row count then the words per column).
 */
export function fts5Totals(block: Buffer | undefined): IndexTotals {
  const values: number[] = [];
  let at = 0;
  while (block && at < block.length) {
    const [value, next] = readVarint(block, at);
    values.push(value);
    at = next;
  }
  const [papers = 0, ...perColumn] = values;
  return { papers, words: perColumn.reduce((sum, n) => sum + n, 0) };
}

/**
 * The words of a paper in all columns, from its row of FTS5's `docsize` table in hex (which
 * reads faster than a blob): a varint (`readVarint`) per column; a count of words never needs
 * the ninth byte.
 */
export function documentSize(hex: string): number {
  let words = 0;
  let value = 0;
  for (let at = 0; at < hex.length; at += 2) {
    const byte = parseInt(hex.slice(at, at + 2), 16);
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      words += value;
      value = 0;
    }
  }
  return words;
}

/** A SQLite varint (as FTS5 writes them): 7 bits a byte, high bit set on all but the last, 9 bytes at most. */
function readVarint(bytes: Buffer, at: number): [number, number] {
  let value = 0;
  for (let i = 0; i < 8; i += 1) {
    const byte = bytes[at + i]!;
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) return [value, at + i + 1];
  }
  return [value * 256 + bytes[at + 8]!, at + 9];
}

/** Words per paper on average; a length to start from while the index is empty. */
function averageLength(totals: IndexTotals): number {
  return totals.papers > 0 ? totals.words / totals.papers : 150;
}

/** An FTS5 string literal: the word is matched as text, whatever characters it holds. */
function ftsString(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}
