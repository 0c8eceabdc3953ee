import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { createRedis, Producer } from '@paperwire/queue';
import { utcDay } from '@paperwire/sources';
import { tempDir, uniquePrefix, waitFor, type TempDir } from '@paperwire/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import {
  hfTextPage,
  startDigestServer,
  type DigestServer,
  type RequestRecord,
} from './testing/digest-server.js';
import { startApp, type AppProcess } from './testing/processes.js';

const EVERY_MS = 2000;

describe('job schedulers applied by several fetcher replicas', () => {
  let server: DigestServer;
  let data: TempDir;
  let producer: Producer;
  let env: NodeJS.ProcessEnv;
  let fetchers: AppProcess[] = [];

  const sourcesYaml = (names: string[]) =>
    `sources:\n${names
      .map(
        (n) =>
          `  - name: ${n}\n    url: ${server.origin}/${n}/{date}.txt\n    format: hf-text\n    schedule: 2s\n`,
      )
      .join('')}`;

  /** Both replicas at once, as a deployment starts them; resolves when both are ready. */
  async function startReplicas(sourcesFile: string): Promise<void> {
    fetchers = await Promise.all([
      startApp('fetcher', { ...env, SOURCES_FILE: sourcesFile }),
      startApp('fetcher', { ...env, SOURCES_FILE: sourcesFile }),
    ]);
  }

  async function stopReplicas(): Promise<void> {
    await Promise.all(fetchers.map((f) => f.stop()));
    fetchers = [];
  }

  const fetchesOf = (source: string): RequestRecord[] =>
    server.requests.filter((r) => r.path.startsWith(`/${source}/`));

  beforeAll(async () => {
    const now = Date.now();
    const days = [now - 86_400_000, now, now + 86_400_000].map(utcDay);
    const routes: Parameters<typeof startDigestServer>[0] = {};
    for (const source of ['alpha', 'beta']) {
      for (const day of days) {
        routes[`/${source}/${day}.txt`] = (_req, res) =>
          void res.writeHead(200, { 'content-type': 'text/plain' }).end(
            hfTextPage(day, [
              {
                title: `The ${source} digest of ${day}`,
                abstract: 'One paper per page.',
                authors: 2,
                upvotes: 1,
              },
            ]),
          );
      }
    }
    server = await startDigestServer(routes);
    data = await tempDir('scheduler-int');
    env = {
      ...process.env,
      REDIS_URL: inject('redisUrl'),
      DATA_DIR: data.path,
      QUEUE_PREFIX: uniquePrefix('sched'),
      LOG_LEVEL: 'info',
      MEILI_URL: '',
      WORKER_CONCURRENCY: '2',
      FETCH_ALLOW_HOSTS: '127.0.0.1',
      FETCH_HOST_INTERVAL_MS: '1',
      FETCH_HOST_BURST: '50',
      FETCH_HOST_CONCURRENCY: '8',
    };
    producer = new Producer({
      connection: createRedis(inject('redisUrl'), 'producer'),
      prefix: env.QUEUE_PREFIX!,
    });
  });

  afterAll(async () => {
    await stopReplicas();
    await producer?.close();
    producer?.connection.disconnect();
    await server?.close();
    await data?.remove();
  });

  it('fetches each source exactly once per tick, with {date} the tick’s UTC day', async () => {
    const file = join(data.path, 'sources.yaml');
    await writeFile(file, sourcesYaml(['alpha', 'beta']));
    await startReplicas(file);
    await waitFor(() => fetchesOf('alpha').length >= 4 && fetchesOf('beta').length >= 4, {
      what: 'four ticks of each source',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    // Stopped gracefully: every fetch that started has finished and completed its job.
    await stopReplicas();

    const queue = producer.queue('fetch');
    const completed = await queue.getJobs(['completed']);
    for (const source of ['alpha', 'beta']) {
      const requests = fetchesOf(source);
      const ticks = completed
        .map((job) => /^repeat:source-(\w+):(\d+)$/.exec(job.id ?? ''))
        .filter((m) => m?.[1] === source)
        .map((m) => Number(m![2]));
      // One request per tick job, and no two ticks at the same time.
      expect(requests).toHaveLength(ticks.length);
      expect(new Set(ticks).size).toBe(ticks.length);
      const sorted = [...ticks].sort((x, y) => x - y);
      for (let i = 1; i < sorted.length; i += 1)
        expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(EVERY_MS);
      // Two replicas fetching one tick would show as two requests at (nearly) the same moment.
      const times = requests.map((r) => r.at);
      for (let i = 1; i < times.length; i += 1)
        expect(times[i]! - times[i - 1]!).toBeGreaterThan(EVERY_MS / 4);
      for (const request of requests)
        expect(request.path).toMatch(new RegExp(`^/${source}/\\d{4}-\\d{2}-\\d{2}\\.txt$`));
      expect(new Set(requests.map((r) => r.path))).toEqual(
        new Set(sorted.map((t) => `/${source}/${utcDay(t)}.txt`)),
      );
    }
  });

  it('stops fetching a source removed from the file once the replicas restart with it', async () => {
    const file = join(data.path, 'sources-alpha.yaml');
    await writeFile(file, sourcesYaml(['alpha']));
    const betaBefore = fetchesOf('beta').length;
    const alphaBefore = fetchesOf('alpha').length;
    await startReplicas(file);

    const schedulers = await producer.queue('fetch').getJobSchedulers(0, -1);
    expect(schedulers.map((s) => s.key)).toEqual(['source-alpha']);
    await waitFor(() => fetchesOf('alpha').length >= alphaBefore + 3, {
      what: 'three more ticks of alpha',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    expect(fetchesOf('beta')).toHaveLength(betaBefore);
  });
});
