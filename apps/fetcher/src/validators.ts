import { createHash } from 'node:crypto';

import type { Redis } from 'ioredis';

/** What the fetcher remembers of the last good fetch of a URL, for conditional requests. */
export interface UrlRecord {
  etag: string | null;
  lastModified: string | null;
  /** Raw store key of the body last fetched: what a 304 means. */
  key: string | null;
  contentType: string | null;
}

/**
 * How long the validators of a URL are kept after its last fetch: every `{date}` URL of a
 * backfill is a URL of its own, and one not fetched for this long is not worth a conditional
 * request.
 */
export const VALIDATORS_TTL_MS = 90 * 24 * 3_600_000;

/** ETag, Last-Modified and last body key per URL, in Redis, shared by every fetcher replica. */
export class Validators {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private keyOf(url: string): string {
    return `${this.prefix}:http:${createHash('sha256').update(url).digest('hex').slice(0, 32)}`;
  }

  async get(url: string): Promise<UrlRecord | null> {
    const raw = await this.redis.hgetall(this.keyOf(url));
    if (raw.url !== url) return null;
    const text = (field: string) => (raw[field] ? raw[field] : null);
    return {
      etag: text('etag'),
      lastModified: text('lastModified'),
      key: text('key'),
      contentType: text('contentType'),
    };
  }

  async set(url: string, record: UrlRecord): Promise<void> {
    const key = this.keyOf(url);
    await this.redis
      .multi()
      .hset(key, {
        url,
        etag: record.etag ?? '',
        lastModified: record.lastModified ?? '',
        key: record.key ?? '',
        contentType: record.contentType ?? '',
      })
      .pexpire(key, VALIDATORS_TTL_MS)
      .exec();
  }

  async forget(url: string): Promise<void> {
    await this.redis.del(this.keyOf(url));
  }
}
