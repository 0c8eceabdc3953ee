import { randomBytes } from 'node:crypto';

import type { Producer } from '@paperwire/queue';
import { WatchSchema, type Watch, type WatchFilters, type WatchId } from '@paperwire/schema';
import type { Redis } from 'ioredis';

import { connected, keys, redisOf } from './keys.js';

/** A watch as its webhook's sender needs it: with the secret deliveries are signed with. */
export interface SecretWatch extends Watch {
  secret: string;
}

/** More watches than this and every indexed chunk would spend its time matching. */
export const WATCHES_MAX = 1000;

export class TooManyWatchesError extends Error {
  override name = 'TooManyWatchesError';
}

/**
 * Standing queries, kept in Redis beside the queues (a hash per watch and a set of their ids), so
 * every gateway and indexer replica of a deployment sees the same ones.
 */
export class Watches {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  static async of(producer: Producer): Promise<Watches> {
    const { redis, prefix } = await redisOf(producer);
    return new Watches(redis, prefix);
  }

  /** Stores a new watch; its secret is returned here and never listed. */
  async create(spec: { query: string; filters: WatchFilters; url: string }): Promise<SecretWatch> {
    await connected(this.redis);
    if ((await this.redis.scard(keys.watches(this.prefix))) >= WATCHES_MAX)
      throw new TooManyWatchesError(`at most ${WATCHES_MAX} watches; delete some first`);
    const watch: SecretWatch = {
      id: `w${randomBytes(12).toString('hex')}`,
      query: spec.query,
      filters: spec.filters,
      url: spec.url,
      createdAt: new Date().toISOString(),
      secret: `whsec_${randomBytes(24).toString('base64url')}`,
    };
    await this.redis
      .multi()
      .hset(keys.watch(this.prefix, watch.id), {
        query: watch.query,
        filters: JSON.stringify(watch.filters),
        url: watch.url,
        createdAt: watch.createdAt,
        secret: watch.secret,
      })
      .sadd(keys.watches(this.prefix), watch.id)
      .exec();
    return watch;
  }

  async get(id: WatchId): Promise<Watch | null> {
    const watch = await this.withSecret(id);
    return watch ? publicWatch(watch) : null;
  }

  async withSecret(id: WatchId): Promise<SecretWatch | null> {
    await connected(this.redis);
    return watchOf(id, await this.redis.hgetall(keys.watch(this.prefix, id)));
  }

  /** Every watch with its secret, in creation order. */
  async allWithSecrets(): Promise<SecretWatch[]> {
    await connected(this.redis);
    const ids = await this.redis.smembers(keys.watches(this.prefix));
    if (ids.length === 0) return [];
    const read = this.redis.pipeline();
    for (const id of ids) read.hgetall(keys.watch(this.prefix, id));
    const hashes = (await read.exec()) ?? [];
    const watches = ids.flatMap((id, i) => {
      const [error, hash] = hashes[i] ?? [null, {}];
      if (error) throw error;
      const watch = watchOf(id, hash as Record<string, string>);
      return watch ? [watch] : [];
    });
    return watches.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async list(): Promise<Watch[]> {
    return (await this.allWithSecrets()).map(publicWatch);
  }

  /** Whether any watch exists: the indexer's check before it matches anything. */
  async any(): Promise<boolean> {
    await connected(this.redis);
    return (await this.redis.scard(keys.watches(this.prefix))) > 0;
  }

  /** False when there was no such watch. */
  async delete(id: WatchId): Promise<boolean> {
    await connected(this.redis);
    const [[, removed] = [null, 0]] =
      (await this.redis
        .multi()
        .srem(keys.watches(this.prefix), id)
        .del(keys.watch(this.prefix, id))
        .exec()) ?? [];
    return Number(removed) > 0;
  }
}

function watchOf(id: string, hash: Record<string, string>): SecretWatch | null {
  if (!hash.url || !hash.secret) return null;
  const watch = WatchSchema.parse({
    id,
    query: hash.query ?? '',
    filters: JSON.parse(hash.filters ?? '{}') as unknown,
    url: hash.url,
    createdAt: hash.createdAt,
  });
  return { ...watch, secret: hash.secret };
}

function publicWatch({ secret: _secret, ...watch }: SecretWatch): Watch {
  return watch;
}
