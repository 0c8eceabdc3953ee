import type {
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
}

export interface SightingResult {
  updated: number;
  /** Ids not in the index (their page's papers were never indexed). */
  missing: PaperId[];
}

/**
 * The search engine port. One engine per deployment; every adapter passes the same contract
 * suite (`contract.ts`).
 *
 * Writes are read-merge-write through `mergePapers`, so they are idempotent and give the
 * same record whatever order sightings arrive in. A write resolves only once the engine has
 * confirmed it.
 */
/** What an id names: a paper, or a paper that was merged into another one (an old title id). */
export type Resolved = { paper: Paper } | { movedTo: PaperId } | null;

export interface SearchIndex {
  readonly engine: EngineName;
  /** Creates the index and applies settings when they differ from the engine's. */
  ensureSettings(): Promise<void>;
  upsert(papers: Paper[]): Promise<UpsertResult>;
  /** An unchanged page was seen again: advance lastSeenAt of its papers. */
  recordSightings(ids: PaperId[], url: string, capturedAt: string): Promise<SightingResult>;
  get(id: PaperId): Promise<Paper | null>;
  /** Like get, but an id that was merged into another record answers with where it went. */
  resolve(id: PaperId): Promise<Resolved>;
  /** Facet counts over the whole index. */
  facets(): Promise<Record<SearchFacet, Record<string, number>>>;
  search(request: SearchRequest): Promise<SearchResponse>;
  /** Papers close in title and abstract to `id`, itself excluded; empty when `id` is unknown. */
  similar(id: PaperId, limit: number): Promise<Paper[]>;
  delete(ids: PaperId[]): Promise<void>;
  stats(): Promise<StatsResponse>;
  /** Resolves when the engine answers; rejects with the reason otherwise (for readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
