import { parentPort, workerData } from 'node:worker_threads';

import type { ReaderData, ReaderReply, ReaderRequest } from './readers.js';
import { createSqliteIndex, type SqliteSearchIndex } from './sqlite.js';

/** A search reader thread of `ReaderPool`: one read-only connection, one call at a time. */
const port = parentPort;
if (!port) throw new Error('sqlite-reader runs as a worker thread of ReaderPool');
const { path, candidates } = workerData as ReaderData;
let index: SqliteSearchIndex | undefined;

port.on('message', (request: ReaderRequest) => {
  void answer(request).then((reply) => port.postMessage(reply));
});

async function answer({ id, method, args }: ReaderRequest): Promise<ReaderReply> {
  try {
    // Opened at the first call, and again after a failed open (a file not yet migrated).
    index ??= createSqliteIndex({ path, readonly: true, ...(candidates ? { candidates } : {}) });
    const value = await call(index, method, args);
    return { id, ok: true, value };
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    return { id, ok: false, error: { name, message } };
  }
}

function call(index: SqliteSearchIndex, method: ReaderRequest['method'], args: unknown[]): Promise<unknown> {
  switch (method) {
    case 'search':
      return index.search(...(args as Parameters<SqliteSearchIndex['search']>));
    case 'searchJson':
      return index.searchJson(...(args as Parameters<SqliteSearchIndex['searchJson']>));
    case 'similar':
      return index.similar(...(args as Parameters<SqliteSearchIndex['similar']>));
    case 'facets':
      return index.facets();
    case 'days':
      return index.days(...(args as Parameters<SqliteSearchIndex['days']>));
    case 'listed':
      return index.listed(...(args as Parameters<SqliteSearchIndex['listed']>));
  }
}
