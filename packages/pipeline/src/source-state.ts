import type { Producer } from '@paperwire/queue';
import type { Redis } from 'ioredis';

import { connected, keys, redisOf } from './keys.js';
import type { FetchOutcome } from './runs.js';

export interface SourceStatus {
  /** When a fetch of the source last ended, and how. */
  lastFetchAt: string | null;
  lastStatus: FetchOutcome | null;
  /** Why the last fetch failed or was refused. */
  lastError: string | null;
  lastUrl: string | null;
  /** When a fetch last succeeded (fetched or unchanged): what freshness is measured from. */
  lastOkAt: string | null;
  /** Papers on the source's last parsed page. */
  papersFound: number | null;
  lastParsedAt: string | null;
}

/**
 * What paperwire knows about each source, kept in Redis: its last fetch (written by the fetcher),
 * the papers its last page held (written by the parser), and the ledger of days a backfill has
 * fetched.
 */
export class SourceState {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  static async of(producer: Producer): Promise<SourceState> {
    const { redis, prefix } = await redisOf(producer);
    return new SourceState(redis, prefix);
  }

  async recordFetch(
    source: string,
    fetch: { at: string; status: FetchOutcome; url: string; error?: string | null },
  ): Promise<void> {
    await connected(this.redis);
    const key = keys.source(this.prefix, source);
    const fields: Record<string, string> = {
      lastFetchAt: fetch.at,
      lastStatus: fetch.status,
      lastUrl: fetch.url,
      lastError: fetch.error ?? '',
    };
    if (fetch.status === 'fetched' || fetch.status === 'unchanged') fields.lastOkAt = fetch.at;
    await this.redis.hset(key, fields);
  }

  async recordPapers(source: string, papers: number, at: string): Promise<void> {
    await connected(this.redis);
    await this.redis.hset(keys.source(this.prefix, source), {
      papersFound: String(papers),
      lastParsedAt: at,
    });
  }

  async status(source: string): Promise<SourceStatus> {
    await connected(this.redis);
    const raw = await this.redis.hgetall(keys.source(this.prefix, source));
    const text = (field: string) => (raw[field] ? raw[field] : null);
    return {
      lastFetchAt: text('lastFetchAt'),
      lastStatus: text('lastStatus') as FetchOutcome | null,
      lastError: text('lastError'),
      lastUrl: text('lastUrl'),
      lastOkAt: text('lastOkAt'),
      papersFound: raw.papersFound === undefined ? null : Number(raw.papersFound),
      lastParsedAt: text('lastParsedAt'),
    };
  }

  /** Records that `day` of `source` was fetched (by run `runId`): a backfill skips it from now on. */
  async markDay(source: string, day: string, runId: string): Promise<void> {
    await connected(this.redis);
    await this.redis.hset(keys.ledger(this.prefix, source), day, runId);
  }

  /** The days of `source` a backfill has fetched. */
  async daysDone(source: string): Promise<Set<string>> {
    await connected(this.redis);
    return new Set(await this.redis.hkeys(keys.ledger(this.prefix, source)));
  }
}
