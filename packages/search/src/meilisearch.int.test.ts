import { randomUUID } from 'node:crypto';

import { Meilisearch } from 'meilisearch';
import { afterAll } from 'vitest';

import { createMeiliIndex } from './meilisearch.js';
import { describeSearchIndexContract } from './testing/contract.js';
import type { MeiliServer } from './testing/meili-server.js';
import { findMeiliServer } from './testing/meili-server.js';

const source = await findMeiliServer();
let server: Promise<MeiliServer> | undefined;

if ('skip' in source) {
  console.warn(`meilisearch contract skipped: ${source.skip}`);
} else {
  afterAll(async () => {
    if (server) await (await server).stop();
  });
}

describeSearchIndexContract(
  'meilisearch',
  async () => {
    if ('skip' in source) throw new Error(source.skip);
    server ??= source.start();
    const { url, apiKey } = await server;
    // Each test gets its own index, so tests never see each other's papers.
    const indexName = `contract_${randomUUID().replaceAll('-', '')}`;
    const index = createMeiliIndex({ url, indexName, ...(apiKey ? { apiKey } : {}) });
    return {
      index,
      cleanup: async () => {
        await index.close();
        const client = new Meilisearch({ host: url, ...(apiKey ? { apiKey } : {}) });
        for (const name of [indexName, `${indexName}_aliases`]) {
          const task = await client.deleteIndex(name).waitTask();
          if (task.status !== 'succeeded' && task.error?.code !== 'index_not_found')
            throw new Error(`cannot delete index ${name}: ${task.error?.message}`);
        }
      },
    };
  },
  'skip' in source ? { skip: source.skip } : {},
);
