import type {
  DayCount,
  DaysRequest,
  ListedPage,
  ListedRequest,
  Paper,
  PaperId,
  SearchFacet,
  SearchRequest,
  SearchResponse,
  StatsResponse,
} from '@paperwire/schema';

export type EngineName = 'sqlite' | 'meilisearch';

export interface UpsertResult {
  /** Papers that were not in the index before. */
  created: number;
  /** Papers whose stored record changed. */
  updated: number;
  /** Papers whose merged record equals the stored one (nothing written). */
  unchanged: number;
  /**
   * Ids of the created records that hold no paper the index had before, in id order: new papers,
   * for standing queries. A title record moved under its arXiv id counts as created but is not
   * among them (the paper itself was indexed before).
   */
  newIds: PaperId[];
}

/** What an id names: a paper, or a paper that was merged into another one (an old title id). */
export type Resolved = { paper: Paper } | { movedTo: PaperId } | null;

/**
 * The search engine port. One engine per deployment; every adapter passes the same contract
 * suite (`testing/contract.ts`).
 *
 * Writes are read-merge-write through `mergePapers`, so they are idempotent and give the
 * same record whatever order sightings arrive in. A write resolves only once the engine has
 * confirmed it. A paper has one record: under its arXiv id once any source gives it, its title
 * id (`title-…`) then being an alias of it (`identity.ts`).
 *
 * Search, in both engines: every query word must match (a word being typed, the last one, as a
 * prefix), with Meilisearch's typo rules (`typos.ts`); papers missing the last words rank after
 * those that have them, as Meilisearch's "last" matching strategy. Only the first ten words
 * count. An empty query lists every paper that passes the filters, newest first. `total` is
 * exact; Meilisearch counts at most 1,000,000 hits (`MAX_TOTAL_HITS`), so there a search
 * matching more answers 1,000,000, except an empty query without filters (the paper count).
 * Highlights mark matches in `<mark>` with everything else HTML-escaped; titles are whole,
 * abstracts cropped to about 40 words around the matches.
 */
export interface SearchIndex {
  readonly engine: EngineName;
  /** Creates the index and applies settings when they differ from the engine's. */
  ensureSettings(): Promise<void>;
  upsert(papers: Paper[]): Promise<UpsertResult>;
  get(id: PaperId): Promise<Paper | null>;
  /** Like get, but an id that was merged into another record answers with where it went. */
  resolve(id: PaperId): Promise<Resolved>;
  /**
   * For each of `ids` that is an alias (a title id whose paper moved to its arXiv id), the id it
   * points to; ids that are no alias are absent from the map.
   */
  aliasTargets(ids: PaperId[]): Promise<Map<PaperId, PaperId>>;
  /** Facet counts over the whole index. */
  facets(): Promise<Record<SearchFacet, Record<string, number>>>;
  search(request: SearchRequest): Promise<SearchResponse>;
  /**
   * `search`'s answer as the JSON text the API sends: an index that searches on other threads
   * writes it there, so the caller's thread neither copies the answer's objects nor serializes it.
   */
  searchJson(request: SearchRequest): Promise<string>;
  /** Papers close in title and abstract to `id`, itself excluded; empty when `id` is unknown. */
  similar(id: PaperId, limit: number): Promise<Paper[]>;
  /**
   * The UTC days in [from, to] on which papers were first listed (the date of their
   * `firstSeenAt`), newest first, at most `limit`, with how many papers each.
   */
  days(request: DaysRequest): Promise<DayCount[]>;
  /**
   * The papers first listed in the days [from, to], in `compareListed` order (the upvotes of
   * their first day, highest first), one page of them, with the days that have papers nearest
   * before and after the span.
   */
  listed(request: ListedRequest): Promise<ListedPage>;
  delete(ids: PaperId[]): Promise<void>;
  stats(): Promise<StatsResponse>;
  /**
   * A token that changes whenever the index's data changes (any writer, any process), cheap
   * enough to ask before every search; null where the engine has none, so that answers kept
   * for reuse expire by age instead.
   */
  version(): string | null;
  /** Resolves when the engine answers; rejects with the reason otherwise (for readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
