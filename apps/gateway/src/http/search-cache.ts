import type { SearchRequest } from '@paperwire/schema';

export interface SearchCacheOptions {
  /** Bytes of response bodies kept, at most (the least recently used go first). */
  maxBytes: number;
  /** How long an answer is kept where the engine has no data version (`SearchIndex.version`). */
  maxAgeMs: number;
  now?: () => number;
}

interface Entry {
  body: string;
  storedAt: number;
}

/**
 * Search answers as sent (JSON bodies), keyed by the normalized request, for one data version of
 * the index: the first lookup under a new version empties the cache, so no answer outlives a
 * write. Engines without a version (Meilisearch) have their answers expire by age instead.
 */
export class SearchCache {
  readonly #options: SearchCacheOptions;
  readonly #now: () => number;
  /** In order of last use, oldest first. */
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  #version: string | null = null;

  constructor(options: SearchCacheOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(key: string, version: string | null): string | undefined {
    this.#see(version);
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (version === null && this.#now() - entry.storedAt >= this.#options.maxAgeMs) {
      this.#remove(key, entry);
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.body;
  }

  /** Keeps `body` as the answer to `key` at `version`: the version read before the search ran. */
  set(key: string, version: string | null, body: string): void {
    this.#see(version);
    // Two characters of a JS string are at most 4 bytes; the key counts too.
    const size = 2 * (body.length + key.length);
    if (size > this.#options.maxBytes) return;
    const old = this.#entries.get(key);
    if (old) this.#remove(key, old);
    this.#entries.set(key, { body, storedAt: this.#now() });
    this.#bytes += size;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.#options.maxBytes) break;
      this.#remove(oldest, entry);
    }
  }

  #see(version: string | null): void {
    if (version === this.#version) return;
    this.#entries.clear();
    this.#bytes = 0;
    this.#version = version;
  }

  #remove(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= 2 * (entry.body.length + key.length);
  }
}

/**
 * One string per distinct search: parameters in a fixed order, and lists that mean a set
 * (filter values, facets) sorted, so `years=2025,2024` and `years=2024,2025` share an answer.
 * The query text stays as typed, since the answer echoes it.
 */
export function searchCacheKey(request: SearchRequest): string {
  const sortedList = (value: unknown): unknown =>
    Array.isArray(value) ? [...(value as unknown[])].sort() : value;
  const filters = request.filters
    ? Object.fromEntries(
        Object.entries(request.filters)
          .filter(([, value]) => value !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([name, value]) => [name, sortedList(value)]),
      )
    : {};
  return JSON.stringify([
    request.q,
    request.limit,
    request.offset,
    request.sort ?? 'relevance',
    request.highlight ?? false,
    request.facets ? [...new Set(request.facets)].sort() : [],
    filters,
  ]);
}
