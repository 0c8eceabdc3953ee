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

import { checkDaysRequest, checkListedRequest } from './days.js';
import { checkFilters } from './filters.js';
import type { Resolved, SearchIndex, UpsertResult } from './port.js';
import { ReaderPool } from './readers.js';
import { createSqliteIndex, type SqliteIndexOptions, type SqliteSearchIndex } from './sqlite.js';

export interface PooledSqliteIndexOptions extends SqliteIndexOptions {
  /** Reader threads that run searches, similar papers, facets and days. */
  readers: number;
  /** Searches that may wait for a reader before one fails with `SearchBusyError`. */
  queueLimit: number;
  onQueueDepth?: (depth: number) => void;
}

/**
 * The embedded index with its costly reads on reader threads (`ReaderPool`): a search never
 * holds up the caller's event loop. Lookups by id, stats, version and writes stay on this
 * thread's connection, since each takes microseconds and must not wait behind searches.
 */
export function createPooledSqliteIndex(opts: PooledSqliteIndexOptions): SearchIndex {
  const { readers, queueLimit, onQueueDepth, ...sqlite } = opts;
  const local = createSqliteIndex(sqlite);
  const pool = new ReaderPool({
    size: readers,
    queueLimit,
    data: { path: local.path, candidates: sqlite.candidates },
    ...(onQueueDepth ? { onQueueDepth } : {}),
  });
  return new PooledSqliteIndex(local, pool);
}

class PooledSqliteIndex implements SearchIndex {
  readonly engine = 'sqlite' as const;
  readonly #local: SqliteSearchIndex;
  readonly #pool: ReaderPool;

  constructor(local: SqliteSearchIndex, pool: ReaderPool) {
    this.#local = local;
    this.#pool = pool;
  }

  ensureSettings(): Promise<void> {
    return this.#local.ensureSettings();
  }

  upsert(papers: Paper[]): Promise<UpsertResult> {
    return this.#local.upsert(papers);
  }

  get(id: PaperId): Promise<Paper | null> {
    return this.#local.get(id);
  }

  resolve(id: PaperId): Promise<Resolved> {
    return this.#local.resolve(id);
  }

  aliasTargets(ids: PaperId[]): Promise<Map<PaperId, PaperId>> {
    return this.#local.aliasTargets(ids);
  }

  facets(): Promise<Record<SearchFacet, Record<string, number>>> {
    return this.#pool.run('facets', []) as Promise<Record<SearchFacet, Record<string, number>>>;
  }

  async search(request: SearchRequest): Promise<SearchResponse> {
    // Bad filters fail here, before they take a place in the queue.
    checkFilters(request.filters);
    return (await this.#pool.run('search', [request])) as SearchResponse;
  }

  async searchJson(request: SearchRequest): Promise<string> {
    checkFilters(request.filters);
    return (await this.#pool.run('searchJson', [request])) as string;
  }

  similar(id: PaperId, limit: number): Promise<Paper[]> {
    return this.#pool.run('similar', [id, limit]) as Promise<Paper[]>;
  }

  async days(request: DaysRequest): Promise<DayCount[]> {
    checkDaysRequest(request);
    return (await this.#pool.run('days', [request])) as DayCount[];
  }

  async listed(request: ListedRequest): Promise<ListedPage> {
    checkListedRequest(request);
    return (await this.#pool.run('listed', [request])) as ListedPage;
  }

  delete(ids: PaperId[]): Promise<void> {
    return this.#local.delete(ids);
  }

  stats(): Promise<StatsResponse> {
    return this.#local.stats();
  }

  version(): string {
    return this.#local.version();
  }

  ping(): Promise<void> {
    return this.#local.ping();
  }

  async close(): Promise<void> {
    await Promise.all([this.#pool.close(), this.#local.close()]);
  }
}
