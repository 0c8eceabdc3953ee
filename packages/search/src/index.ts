import { resolve } from 'node:path';

import { createMeiliIndex } from './meilisearch.js';
import type { SearchIndex } from './port.js';
import { createSqliteIndex } from './sqlite.js';

export * from './port.js';
export { createMeiliIndex } from './meilisearch.js';
export type { MeiliIndexOptions } from './meilisearch.js';
export { createSqliteIndex } from './sqlite.js';
export type { SqliteIndexOptions } from './sqlite.js';

export interface SearchConfig {
  /** Selects Meilisearch; when unset the embedded SQLite index under `dataDir` is used. */
  meiliUrl?: string;
  meiliMasterKey?: string;
  meiliIndex: string;
  dataDir: string;
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
  return createSqliteIndex({ path: sqlitePath(config.dataDir) });
}

/** One line for start-up logs: which engine, where. */
export function describeEngine(config: SearchConfig): string {
  if (config.meiliUrl) return `meilisearch at ${config.meiliUrl} index ${config.meiliIndex}`;
  return `sqlite at ${sqlitePath(config.dataDir)}`;
}

function sqlitePath(dataDir: string): string {
  return resolve(dataDir, 'index', 'papers.sqlite');
}
