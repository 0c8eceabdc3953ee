import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';

import type { Paper, PaperId, SearchRequest, SearchResponse, StatsResponse } from '@paperwire/schema';
import {
  PaperIdSchema,
  PaperSchema,
  SEARCH_WINDOW_MAX,
  mergePapers,
  recordSighting,
} from '@paperwire/schema';
import { Meilisearch, MeilisearchApiError } from 'meilisearch';
import type { EnqueuedTaskPromise, Index, Settings, Task } from 'meilisearch';

import type { SearchIndex, SightingResult, UpsertResult } from './port.js';
import { paperTermWeights, plainQuery, queryTerms } from './query.js';
import { mergeBatch } from './upsert.js';

export interface MeiliIndexOptions {
  url: string;
  apiKey?: string;
  indexName: string;
  /** How long one HTTP request may take. */
  requestTimeoutMs?: number;
  /** How long to wait for one enqueued task (indexing a batch, applying settings). */
  taskTimeoutMs?: number;
}

/** A stored Paper plus the fields derived from it for filtering and sorting. */
export type PaperDocument = Paper & {
  hasCode: boolean;
  year: number | null;
  publishedAtTs: number | null;
  firstSeenAtTs: number;
};

const PAPER_KEYS = Object.keys(PaperSchema.shape) as (keyof Paper)[];

/** Ids per `id IN [...]` document fetch. */
const FETCH_CHUNK = 200;
/** Meilisearch reads at most ten query words. */
const MAX_QUERY_WORDS = 10;

/**
 * The settings paperwire needs. Order matters for searchable attributes (earlier attributes
 * rank higher) and ranking rules; filterable and sortable attributes are sets.
 */
export const DESIRED_SETTINGS = {
  searchableAttributes: ['title', 'authors', 'abstract'],
  filterableAttributes: ['arxivId', 'firstSeenAt', 'hasCode', 'id', 'publishedAt', 'upvotes', 'year'],
  // `id` breaks firstSeenAt ties, so a placeholder search has one order.
  sortableAttributes: ['firstSeenAt', 'id', 'publishedAt', 'upvotes'],
  rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness'],
  typoTolerance: {
    enabled: true,
    minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 },
    disableOnWords: [],
    disableOnAttributes: [],
  },
  // Totals are exact up to this many hits; the API never pages deeper than this either.
  pagination: { maxTotalHits: SEARCH_WINDOW_MAX },
} satisfies Settings;

export function createMeiliIndex(opts: MeiliIndexOptions): SearchIndex {
  return new MeiliSearchIndex(opts);
}

/**
 * The production engine. Settings are applied (lazily, once) before the first document is
 * written or searched; every write waits for its task and fails unless the task succeeded.
 * Concurrent merges of one paper across indexer replicas are serialized by the caller.
 */
class MeiliSearchIndex implements SearchIndex {
  readonly engine = 'meilisearch' as const;
  readonly #url: string;
  readonly #name: string;
  readonly #client: Meilisearch;
  readonly #index: Index<PaperDocument>;
  #ready: Promise<void> | undefined;

  constructor(opts: MeiliIndexOptions) {
    this.#url = opts.url;
    this.#name = opts.indexName;
    this.#client = new Meilisearch({
      host: opts.url,
      ...(opts.apiKey ? { apiKey: opts.apiKey } : {}),
      timeout: opts.requestTimeoutMs ?? 10_000,
      defaultWaitOptions: { timeout: opts.taskTimeoutMs ?? 120_000, interval: 50 },
    });
    this.#index = this.#client.index<PaperDocument>(opts.indexName);
  }

  ensureSettings(): Promise<void> {
    this.#ready ??= this.#applySettings().catch((error: unknown) => {
      // A failed attempt (engine down, say) must not stick: the next call tries again.
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async upsert(papers: Paper[]): Promise<UpsertResult> {
    const incoming = mergeBatch(papers.map((p) => PaperSchema.parse(p)));
    await this.ensureSettings();
    const stored = await this.#fetch(incoming.map((p) => p.id));
    const result: UpsertResult = { created: 0, updated: 0, unchanged: 0 };
    const writes: Paper[] = [];
    for (const paper of incoming) {
      const before = stored.get(paper.id);
      if (!before) {
        writes.push(paper);
        result.created += 1;
        continue;
      }
      const merged = mergePapers(before, paper);
      if (isDeepStrictEqual(merged, before)) {
        result.unchanged += 1;
      } else {
        writes.push(merged);
        result.updated += 1;
      }
    }
    await this.#write(writes);
    return result;
  }

  async recordSightings(ids: PaperId[], url: string, capturedAt: string): Promise<SightingResult> {
    const unique = [...new Set(ids.map((id) => PaperIdSchema.parse(id)))];
    await this.ensureSettings();
    const stored = await this.#fetch(unique);
    const result: SightingResult = { updated: 0, missing: [] };
    const writes: Paper[] = [];
    for (const id of unique) {
      const before = stored.get(id);
      if (!before) {
        result.missing.push(id);
        continue;
      }
      const seen = recordSighting(before, url, capturedAt);
      if (isDeepStrictEqual(seen, before)) continue;
      writes.push(seen);
      result.updated += 1;
    }
    await this.#write(writes);
    return result;
  }

  async get(id: PaperId): Promise<Paper | null> {
    // The id becomes part of a URL path; anything but a valid paper id names no paper.
    if (!PaperIdSchema.safeParse(id).success) return null;
    await this.ensureSettings();
    try {
      return toPaper(await this.#index.getDocument(id));
    } catch (error) {
      if (apiErrorCode(error) === 'document_not_found') return null;
      throw this.#error(`read paper ${id}`, error);
    }
  }

  async search({ q, limit, offset }: SearchRequest): Promise<SearchResponse> {
    const started = performance.now();
    await this.ensureSettings();
    const terms = queryTerms(q);
    const placeholder = terms.terms.length === 0;
    const { page, hitsPerPage } = pageCovering(offset, limit);
    const response = await this.#call('search', () =>
      this.#index.search(placeholder ? '' : plainQuery(terms), {
        page,
        hitsPerPage,
        ...(placeholder ? { sort: ['firstSeenAt:desc', 'id:asc'] } : {}),
      }),
    );
    const start = offset - (page - 1) * hitsPerPage;
    let total = response.totalHits;
    // A placeholder search matches every paper, so its exact total is the document count.
    if (placeholder && total >= DESIRED_SETTINGS.pagination.maxTotalHits) total = (await this.stats()).papers;
    return {
      hits: response.hits.slice(start, start + limit).map(toPaper),
      total,
      limit,
      offset,
      query: q,
      processingTimeMs: Math.round(performance.now() - started),
    };
  }

  async similar(id: PaperId, limit: number): Promise<Paper[]> {
    const paper = await this.get(id);
    if (!paper) return [];
    const words = [...paperTermWeights(paper.title, paper.abstract)]
      .sort(([a, wa], [b, wb]) => wb - wa || (a < b ? -1 : 1))
      .slice(0, MAX_QUERY_WORDS)
      .map(([word]) => word);
    if (words.length === 0) return [];
    const response = await this.#call('find similar papers', () =>
      this.#index.search(words.join(' ') + ' ', {
        limit,
        // Drops the commonest words first until enough papers match: what is left is what
        // this paper is specifically about.
        matchingStrategy: 'frequency',
        filter: `id != ${filterString(paper.id)}`,
      }),
    );
    return response.hits.map(toPaper);
  }

  async delete(ids: PaperId[]): Promise<void> {
    if (ids.length === 0) return;
    const valid = ids.map((id) => PaperIdSchema.parse(id));
    await this.ensureSettings();
    await this.#task(`delete ${valid.length} papers`, () => this.#index.deleteDocuments(valid));
  }

  async stats(): Promise<StatsResponse> {
    await this.ensureSettings();
    const stats = await this.#call('read index stats', () => this.#index.getStats());
    return { papers: stats.numberOfDocuments };
  }

  async ping(): Promise<void> {
    await this.#call('check health', () => this.#client.health());
  }

  async close(): Promise<void> {
    // The client keeps no connection of its own (fetch pools sockets per process).
  }

  async #applySettings(): Promise<void> {
    let primaryKey: string | undefined;
    try {
      primaryKey = (await this.#client.getRawIndex(this.#name)).primaryKey;
    } catch (error) {
      if (apiErrorCode(error) !== 'index_not_found') throw this.#error(`read index ${this.#name}`, error);
      // Another replica may create it at the same moment; either creation is fine.
      await this.#task(
        `create index ${this.#name}`,
        () => this.#client.createIndex(this.#name, { primaryKey: 'id' }),
        ['index_already_exists'],
      );
      primaryKey = 'id';
    }
    if (primaryKey === undefined || primaryKey === null) {
      await this.#task(`set the primary key of ${this.#name}`, () =>
        this.#client.updateIndex(this.#name, { primaryKey: 'id' }),
      );
    } else if (primaryKey !== 'id') {
      throw new Error(
        `meilisearch at ${this.#url}: index ${this.#name} has primary key "${primaryKey}", paperwire needs "id"; ` +
          'use another MEILI_INDEX or delete that index',
      );
    }
    const current = await this.#call(`read settings of ${this.#name}`, () => this.#index.getSettings());
    const changes = settingsChanges(current);
    if (Object.keys(changes).length > 0) {
      await this.#task(`update settings of ${this.#name} (${Object.keys(changes).join(', ')})`, () =>
        this.#index.updateSettings(changes),
      );
    }
  }

  async #fetch(ids: string[]): Promise<Map<string, Paper>> {
    const found = new Map<string, Paper>();
    for (let i = 0; i < ids.length; i += FETCH_CHUNK) {
      const chunk = ids.slice(i, i + FETCH_CHUNK);
      const page = await this.#call(`read ${chunk.length} papers`, () =>
        this.#index.getDocuments({
          filter: `id IN [${chunk.map(filterString).join(', ')}]`,
          limit: chunk.length,
        }),
      );
      for (const doc of page.results) found.set(doc.id, toPaper(doc));
    }
    return found;
  }

  async #write(papers: Paper[]): Promise<void> {
    if (papers.length === 0) return;
    await this.#task(`write ${papers.length} papers`, () => this.#index.addDocuments(papers.map(toDocument)));
  }

  /** Enqueues a task, waits for it and fails unless it succeeded (or failed with an allowed code). */
  async #task(what: string, enqueue: () => EnqueuedTaskPromise, allowedErrors: string[] = []): Promise<Task> {
    const task = await this.#call(what, () => enqueue().waitTask());
    if (task.status === 'succeeded') return task;
    if (task.error && allowedErrors.includes(task.error.code)) return task;
    const reason = task.error ? `${task.error.code}: ${task.error.message}` : 'no error given';
    throw new Error(`meilisearch at ${this.#url}: ${what}: task ${task.uid} ${task.status} (${reason})`);
  }

  async #call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw this.#error(what, error);
    }
  }

  #error(what: string, error: unknown): Error {
    return new Error(`meilisearch at ${this.#url}: cannot ${what}: ${describeError(error)}`, {
      cause: error,
    });
  }
}

/** The settings that differ from what paperwire needs, and only those. */
export function settingsChanges(current: Settings): Settings {
  const desired = DESIRED_SETTINGS;
  const changes: Settings = {};
  if (!isDeepStrictEqual(current.searchableAttributes, desired.searchableAttributes))
    changes.searchableAttributes = desired.searchableAttributes;
  if (!sameSet(current.filterableAttributes, desired.filterableAttributes))
    changes.filterableAttributes = desired.filterableAttributes;
  if (!sameSet(current.sortableAttributes, desired.sortableAttributes))
    changes.sortableAttributes = desired.sortableAttributes;
  if (!isDeepStrictEqual(current.rankingRules, desired.rankingRules))
    changes.rankingRules = desired.rankingRules;
  const typo = current.typoTolerance;
  const typoMatches =
    typo?.enabled === true &&
    typo.minWordSizeForTypos?.oneTypo === desired.typoTolerance.minWordSizeForTypos.oneTypo &&
    typo.minWordSizeForTypos.twoTypos === desired.typoTolerance.minWordSizeForTypos.twoTypos &&
    (typo.disableOnWords ?? []).length === 0 &&
    (typo.disableOnAttributes ?? []).length === 0;
  if (!typoMatches) changes.typoTolerance = desired.typoTolerance;
  if (current.pagination?.maxTotalHits !== desired.pagination.maxTotalHits)
    changes.pagination = desired.pagination;
  return changes;
}

function sameSet(current: readonly unknown[] | null | undefined, desired: readonly string[]): boolean {
  // Granular (object) filterable attributes are never what paperwire asked for.
  if (!current || current.some((a) => typeof a !== 'string')) return false;
  return isDeepStrictEqual([...new Set(current)].sort(), [...desired].sort());
}

/**
 * The smallest page that holds the whole window [offset, offset + limit): Meilisearch counts
 * hits exactly only in page mode, and its pages are aligned to their size.
 */
export function pageCovering(offset: number, limit: number): { page: number; hitsPerPage: number } {
  let size = limit;
  while (Math.floor(offset / size) !== Math.floor((offset + limit - 1) / size)) size += 1;
  return { page: Math.floor(offset / size) + 1, hitsPerPage: size };
}

export function toDocument(paper: Paper): PaperDocument {
  return {
    ...paper,
    hasCode: paper.codeUrls.length > 0,
    year: paper.publishedAt ? Number(paper.publishedAt.slice(0, 4)) : null,
    publishedAtTs: paper.publishedAt ? Date.parse(`${paper.publishedAt}T00:00:00.000Z`) : null,
    firstSeenAtTs: Date.parse(paper.firstSeenAt),
  };
}

/** The Paper inside a stored document: its own fields, nothing derived. */
export function toPaper(doc: Record<string, unknown>): Paper {
  return Object.fromEntries(PAPER_KEYS.map((key) => [key, doc[key]])) as Paper;
}

/** A filter string literal. Ids are validated `[A-Za-z0-9_-]`; escaping keeps that a non-issue. */
function filterString(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function apiErrorCode(error: unknown): string | undefined {
  return error instanceof MeilisearchApiError ? error.cause?.code : undefined;
}

function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && parts.length < 4) {
    const code = current instanceof MeilisearchApiError && current.cause ? ` [${current.cause.code}]` : '';
    parts.push(`${current.message}${code}`);
    current = current instanceof MeilisearchApiError ? undefined : current.cause;
  }
  return parts.length > 0 ? parts.join(': ') : String(error);
}
