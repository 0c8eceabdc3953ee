import { randomUUID } from 'node:crypto';

import type { Paper } from '@paperwire/schema';
import { createMeiliIndex, type SearchIndex } from '@paperwire/search';

import { testEnv } from './env.js';
import { seededSqliteIndex } from './serve.js';

export interface SeededEngine {
  name: string;
  /** Why this engine is not tested here; the suite reports itself skipped with it. */
  skip?: string;
  open(): Promise<{ index: SearchIndex; close(): Promise<void> }>;
}

/** The engines an API suite runs on, each seeded with `papers`: SQLite, on reader threads, Meilisearch. */
export function seededEngines(papers: Paper[]): SeededEngine[] {
  return [
    { name: 'sqlite', open: () => seededSqliteIndex(papers) },
    { name: 'sqlite on search threads', open: () => seededSqliteIndex(papers, { searchThreads: 2 }) },
    {
      name: 'meilisearch',
      ...(testEnv.meiliUrl ? {} : { skip: 'MEILI_URL is unset' }),
      open: async () => {
        const url = testEnv.meiliUrl as string;
        const apiKey = testEnv.meiliMasterKey;
        const indexName = `gateway_${randomUUID().replaceAll('-', '')}`;
        const index = createMeiliIndex({ url, indexName, ...(apiKey ? { apiKey } : {}) });
        await index.ensureSettings();
        await index.upsert(papers);
        return {
          index,
          close: async () => {
            await index.close();
            for (const name of [indexName, `${indexName}_aliases`])
              await fetch(`${url}/indexes/${name}`, {
                method: 'DELETE',
                headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
              });
          },
        };
      },
    },
  ];
}
