import { Runs, SourceState } from '@paperwire/pipeline';
import { createRedis, Producer } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';
import { loadSources, type SourcesFile } from '@paperwire/sources';

import { sourcesFileOf, type FetcherEnv } from '../env.js';

/** What the queueing commands (ingest, backfill, reparse, sources) share: one Redis connection. */
export interface CliContext {
  env: FetcherEnv;
  store: RawStore;
  producer: Producer;
  runs: Runs;
  state: SourceState;
  close(): Promise<void>;
}

export function openContext(env: FetcherEnv): CliContext {
  const producer = new Producer({
    connection: createRedis(env.REDIS_URL, 'producer'),
    prefix: env.QUEUE_PREFIX,
  });
  return {
    env,
    store: RawStore.inDataDir(env.DATA_DIR),
    producer,
    runs: new Runs(producer.connection, producer.prefix),
    state: new SourceState(producer.connection, producer.prefix),
    async close() {
      await producer.close();
      producer.connection.disconnect();
    },
  };
}

/** The sources file a command reads: `--sources`, else SOURCES_FILE, else the local one. */
export async function sourcesFor(env: FetcherEnv, option: string | undefined): Promise<SourcesFile> {
  const file = option ?? sourcesFileOf(env);
  if (file === null) throw new Error('no sources file: pass --sources FILE or set SOURCES_FILE');
  return loadSources(file);
}
