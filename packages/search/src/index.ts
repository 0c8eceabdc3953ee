import { resolve } from 'node:path';

import { createMeiliIndex } from './meilisearch.js';
import type { SearchIndex } from './port.js';
import { createPooledSqliteIndex } from './pooled.js';
import { createSqliteIndex } from './sqlite.js';

export * from './port.js';
export { createMeiliIndex } from './meilisearch.js';
export type { MeiliIndexOptions } from './meilisearch.js';
export { createSqliteIndex } from './sqlite.js';
export type { SqliteIndexOptions } from './sqlite.js';
export { createPooledSqliteIndex } from './pooled.js';
export type { PooledSqliteIndexOptions } from './pooled.js';
export { SearchBusyError } from './readers.js';
export { paperMatches, watchMatcher, type WatchMatcher } from './watch-match.js';

export interface SearchConfig {
  /** Selects Meilisearch; when unset the embedded SQLite index under `dataDir` is used. */
  meiliUrl?: string;
  meiliMasterKey?: string;
  meiliIndex: string;
  dataDir: string;
  /**
   * Threads that run the embedded index's searches off the caller's event loop (0: on it). Only
   * a process that serves search needs them; Meilisearch runs searches in its own process.
   */
  searchThreads?: number;
  /** Searches that may wait for a search thread; past it a search fails with `SearchBusyError`. */
  searchQueueLimit?: number;
  onSearchQueueDepth?: (depth: number) => void;
}

/** The search settings of an app's parsed environment (`searchEnv` and `DATA_DIR` of @paperwire/config). */
export function searchConfigOf(env: {
  MEILI_URL?: string | undefined;
  MEILI_MASTER_KEY?: string | undefined;
  MEILI_INDEX: string;
  DATA_DIR: string;
}): SearchConfig {
  return {
    ...(env.MEILI_URL ? { meiliUrl: env.MEILI_URL } : {}),
    ...(env.MEILI_MASTER_KEY ? { meiliMasterKey: env.MEILI_MASTER_KEY } : {}),
    meiliIndex: env.MEILI_INDEX,
    dataDir: env.DATA_DIR,
  };
}

/** The one engine of this deployment. */
export function createSearchIndex(config: SearchConfig): SearchIndex {
  if (config.meiliUrl) {
    return createMeiliIndex({
      url: config.meiliUrl,
      indexName: config.meiliIndex,
      ...(config.meiliMasterKey ? { apiKey: config.meiliMasterKey } : {}),
    });
  }
  const path = sqlitePath(config.dataDir);
  if (!config.searchThreads) return createSqliteIndex({ path });
  return createPooledSqliteIndex({
    path,
    readers: config.searchThreads,
    queueLimit: config.searchQueueLimit ?? DEFAULT_SEARCH_QUEUE_LIMIT,
    ...(config.onSearchQueueDepth ? { onQueueDepth: config.onSearchQueueDepth } : {}),
  });
}

/** Enough for a few hundred concurrent clients; past it, waiting longer helps nobody. */
export const DEFAULT_SEARCH_QUEUE_LIMIT = 256;

/** One line for start-up logs: which engine, where. */
export function describeEngine(config: SearchConfig): string {
  if (config.meiliUrl) return `meilisearch at ${config.meiliUrl} index ${config.meiliIndex}`;
  const threads = config.searchThreads ? `, ${config.searchThreads} search threads` : '';
  return `sqlite at ${sqlitePath(config.dataDir)}${threads}`;
}

/** The embedded index's file under DATA_DIR. */
export function sqlitePath(dataDir: string): string {
  return resolve(dataDir, 'index', 'papers.sqlite');
}
