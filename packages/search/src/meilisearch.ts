import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';

import type {
  DayCount,
  DaysRequest,
  ListedPage,
  ListedRequest,
  Paper,
  PaperId,
  SearchFacet,
  SearchHit,
  SearchRequest,
  SearchResponse,
  SearchSort,
  StatsResponse,
} from '@paperwire/schema';
import {
  AUTHOR_FACET_SIZE,
  FACETS,
  PaperIdSchema,
  PaperSchema,
  addDays,
  authorKey,
  authorNameIn,
  dayHit,
  firstSeenDay,
  isTitlePaperId,
  listedUpvotes,
  trendingScore,
} from '@paperwire/schema';
import { Meilisearch, MeilisearchApiError } from 'meilisearch';
import type { EnqueuedTaskPromise, FacetDistribution, Index, Settings, Task } from 'meilisearch';

import { checkDaysRequest, checkListedRequest } from './days.js';
import type { CheckedFilters } from './filters.js';
import { checkFilters, hasFilters, yearOf } from './filters.js';
import { CROP_MARKER, CROP_WORDS, placeholdersToMarks } from './highlight.js';
import { aliasKeys, planUpsert, recordKeys } from './identity.js';
import type { Resolved, SearchIndex, UpsertResult } from './port.js';
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

/**
 * Version of the derived fields. A document of an older version is rewritten with the current
 * ones when settings are applied (they derive from the paper alone), so filters and facets
 * cover papers indexed before the fields existed.
 */
export const DOCUMENT_VERSION = 4;

/** A stored Paper plus the fields derived from it for filtering, sorting and facets. */
export type PaperDocument = Paper & {
  docVersion: number;
  hasCode: boolean;
  year: number | null;
  /** publishedAt as epoch milliseconds (start of the day, UTC). */
  publishedAtTs: number | null;
  firstSeenAtTs: number;
  /** The UTC date of firstSeenAt: the day the paper is listed on (`firstSeenDay`). */
  firstSeenDay: string;
  /** Its year, so the days of a year fit in one facet answer. */
  firstSeenYear: number;
  /** The upvotes that order the papers of a day (`listedUpvotes`). */
  listedUpvotes: number | null;
  /** The trending sort's score (`trendingScore`); null without a velocity. */
  trending: number | null;
  /** `filterKey(authorKey(name))` of each named author. */
  authorKeys: string[];
  /** `filterKey(name)` of each source. */
  sourceKeys: string[];
  /** Source names, for the source facet (never filtered on by a caller's value). */
  sourceNames: string[];
};

/**
 * Where a title id points once its paper moved to an arXiv id. Aliases live in their own small
 * index (`<index>_aliases`), so they never show in searches, counts or facets of papers.
 */
export interface AliasDocument {
  id: PaperId;
  target: PaperId;
}

const PAPER_KEYS = Object.keys(PaperSchema.shape) as (keyof Paper)[];

/** Ids per `id IN [...]` document fetch. */
const FETCH_CHUNK = 200;
/** Documents rewritten per task when their derived fields are out of date. */
const UPGRADE_CHUNK = 500;
/** Meilisearch reads at most ten query words. */
const MAX_QUERY_WORDS = 10;
/**
 * Highlight tags Meilisearch puts around matches: private-use characters, so the text can be
 * HTML-escaped first and the marks put in after (Meilisearch does not escape `_formatted`).
 */
const HIGHLIGHT_OPEN = '\uE000';
const HIGHLIGHT_CLOSE = '\uE001';
/**
 * Meilisearch counts hits exactly up to this many (its default is 1,000). Paging stops far
 * earlier (`SEARCH_WINDOW_MAX`); this bound is only about `total`.
 */
export const MAX_TOTAL_HITS = 1_000_000;
/** The document attribute behind each facet. */
const FACET_ATTRIBUTES: Record<SearchFacet, keyof PaperDocument> = {
  year: 'year',
  hasCode: 'hasCode',
  source: 'sourceNames',
  // Counted per key; the adapter names the most frequent ones (`#authorFacet`).
  authors: 'authorKeys',
};

/**
 * The settings paperwire needs. Order matters for searchable attributes (earlier attributes
 * rank higher) and ranking rules; filterable and sortable attributes are sets.
 */
export const DESIRED_SETTINGS = {
  searchableAttributes: ['title', 'authors', 'abstract'],
  filterableAttributes: [
    'authorKeys',
    'docVersion',
    'firstSeenAtTs',
    'firstSeenDay',
    'firstSeenYear',
    'hasCode',
    'id',
    'publishedAtTs',
    'sourceKeys',
    'sourceNames',
    'upvotes',
    'year',
  ],
  // `id` breaks firstSeenAt ties, so a placeholder search has one order.
  sortableAttributes: ['firstSeenAtTs', 'id', 'listedUpvotes', 'publishedAtTs', 'trending', 'upvotes'],
  // `sort` first: an explicit sort is a strict order, relevance only breaks its ties. Without a
  // sort parameter the rule does nothing. Full relevance ties go to the newest paper.
  rankingRules: ['sort', 'words', 'typo', 'proximity', 'attribute', 'exactness', 'firstSeenAtTs:desc'],
  typoTolerance: {
    enabled: true,
    minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 },
    disableOnWords: [],
    disableOnAttributes: [],
  },
  // Totals are exact up to this many hits.
  pagination: { maxTotalHits: MAX_TOTAL_HITS },
  // Facet counts cover every value (years and sources are few), not the default first 100;
  // author keys are many, and come most frequent first so the top ones are among those answered.
  faceting: { maxValuesPerFacet: 1000, sortFacetValuesBy: { '*': 'alpha', authorKeys: 'count' } },
} satisfies Settings;

/** The alias index needs lookups by title id and by target (when a paper is deleted). */
export const ALIAS_SETTINGS = { filterableAttributes: ['id', 'target'] } satisfies Settings;

export function createMeiliIndex(opts: MeiliIndexOptions): SearchIndex {
  return new MeiliSearchIndex(opts);
}

/**
 * The production engine. Settings are applied (lazily, once) before the first document is
 * written or searched; every write waits for its task and fails unless the task succeeded.
 *
 * Meilisearch has no transactions: concurrent merges of one paper across indexer replicas are
 * serialized by the caller, with locks on the paper's id and its title id (the identity a
 * title-only sighting and an arXiv sighting of the paper share).
 */
class MeiliSearchIndex implements SearchIndex {
  readonly engine = 'meilisearch' as const;
  readonly #url: string;
  readonly #name: string;
  readonly #aliasName: string;
  readonly #client: Meilisearch;
  readonly #index: Index<PaperDocument>;
  readonly #aliases: Index<AliasDocument>;
  #ready: Promise<void> | undefined;

  constructor(opts: MeiliIndexOptions) {
    this.#url = opts.url;
    this.#name = opts.indexName;
    this.#aliasName = `${opts.indexName}_aliases`;
    this.#client = new Meilisearch({
      host: opts.url,
      ...(opts.apiKey ? { apiKey: opts.apiKey } : {}),
      timeout: opts.requestTimeoutMs ?? 10_000,
      defaultWaitOptions: { timeout: opts.taskTimeoutMs ?? 120_000, interval: 50 },
    });
    this.#index = this.#client.index<PaperDocument>(this.#name);
    this.#aliases = this.#client.index<AliasDocument>(this.#aliasName);
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
    const aliases = await this.#fetchAliases(aliasKeys(incoming));
    const stored = await this.#fetch(recordKeys(incoming, aliases));
    const plan = planUpsert(incoming, { aliases, stored });
    // In this order an interrupted upsert is completed by its retry: an alias whose title
    // record still exists makes the next upsert of either id absorb that record.
    await this.#writeAliases(plan.aliases);
    await this.#write(plan.writes);
    if (plan.deletes.length > 0)
      await this.#task(`delete ${plan.deletes.length} merged title records`, () =>
        this.#index.deleteDocuments(plan.deletes),
      );
    return plan.result;
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

  async resolve(id: PaperId): Promise<Resolved> {
    const paper = await this.get(id);
    if (paper) return { paper };
    if (!PaperIdSchema.safeParse(id).success || !isTitlePaperId(id)) return null;
    const target = (await this.#fetchAliases([id])).get(id);
    return target ? { movedTo: target } : null;
  }

  async aliasTargets(ids: PaperId[]): Promise<Map<PaperId, PaperId>> {
    // Only title ids are ever aliases; anything else need not reach a filter expression.
    const titleIds = [...new Set(ids)].filter(
      (id) => PaperIdSchema.safeParse(id).success && isTitlePaperId(id),
    );
    if (titleIds.length === 0) return new Map();
    await this.ensureSettings();
    return this.#fetchAliases(titleIds);
  }

  async facets(): Promise<Record<SearchFacet, Record<string, number>>> {
    await this.ensureSettings();
    const response = await this.#call('count facets', () =>
      this.#index.search('', { page: 1, hitsPerPage: 0, facets: FACETS.map((f) => FACET_ATTRIBUTES[f]) }),
    );
    return (await this.#facetCounts(response.facetDistribution, FACETS)) as Record<
      SearchFacet,
      Record<string, number>
    >;
  }

  async searchJson(request: SearchRequest): Promise<string> {
    return JSON.stringify(await this.search(request));
  }

  async search(request: SearchRequest): Promise<SearchResponse> {
    const started = performance.now();
    const { q, limit, offset } = request;
    const filters = checkFilters(request.filters);
    await this.ensureSettings();
    const terms = queryTerms(q);
    const placeholder = terms.terms.length === 0;
    const { page, hitsPerPage } = pageCovering(offset, limit);
    const sort = meiliSort(request.sort ?? 'relevance', placeholder);
    const filter = meiliFilter(filters);
    const response = await this.#call('search', () =>
      this.#index.search(placeholder ? '' : plainQuery(terms), {
        page,
        hitsPerPage,
        ...(filter.length > 0 ? { filter } : {}),
        ...(sort.length > 0 ? { sort } : {}),
        ...(request.facets?.length ? { facets: request.facets.map((f) => FACET_ATTRIBUTES[f]) } : {}),
        ...(request.highlight
          ? {
              attributesToHighlight: ['title', 'abstract'],
              attributesToCrop: ['abstract'],
              cropLength: CROP_WORDS,
              cropMarker: CROP_MARKER,
              highlightPreTag: HIGHLIGHT_OPEN,
              highlightPostTag: HIGHLIGHT_CLOSE,
            }
          : {}),
      }),
    );
    const start = offset - (page - 1) * hitsPerPage;
    const facetDistribution = request.facets?.length
      ? await this.#facetCounts(response.facetDistribution, request.facets)
      : undefined;
    let total = response.totalHits;
    // Without filters a placeholder search matches every paper: its exact total is the
    // document count, also past the cap on counted hits.
    if (placeholder && !hasFilters(filters) && total >= DESIRED_SETTINGS.pagination.maxTotalHits)
      total = (await this.stats()).papers;
    const hits = response.hits.slice(start, start + limit).map((hit): SearchHit => {
      const paper = toPaper(hit);
      if (!request.highlight) return paper;
      const formatted = hit._formatted ?? {};
      return {
        ...paper,
        _formatted: {
          title: placeholdersToMarks(stringOr(formatted.title, paper.title), HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE),
          abstract: placeholdersToMarks(
            stringOr(formatted.abstract, paper.abstract),
            HIGHLIGHT_OPEN,
            HIGHLIGHT_CLOSE,
          ),
        },
      };
    });
    return {
      hits,
      total,
      // Meilisearch counts exhaustively up to maxTotalHits; a count at the cap is a lower bound.
      totalEstimated: total >= DESIRED_SETTINGS.pagination.maxTotalHits && total === response.totalHits,
      limit,
      offset,
      query: q,
      processingTimeMs: Math.round(performance.now() - started),
      ...(facetDistribution ? { facetDistribution } : {}),
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

  async days(request: DaysRequest): Promise<DayCount[]> {
    checkDaysRequest(request);
    await this.ensureSettings();
    const range = firstSeenRange(request.from, request.to);
    const filter = (extra: string[]) => {
      const conditions = [...range, ...extra];
      return conditions.length > 0 ? { filter: conditions } : {};
    };
    const byYear = await this.#call('count papers by the year first seen', () =>
      this.#index.search('', { page: 1, hitsPerPage: 0, ...filter([]), facets: ['firstSeenYear'] }),
    );
    const years = Object.keys(byYear.facetDistribution?.firstSeenYear ?? {})
      .map(Number)
      .sort((a, b) => b - a);
    const days: DayCount[] = [];
    // A facet answer holds at most `maxValuesPerFacet` values: a year's days always fit.
    for (const year of years) {
      const byDay = await this.#call(`count papers by the day first seen in ${year}`, () =>
        this.#index.search('', {
          page: 1,
          hitsPerPage: 0,
          ...filter([`firstSeenYear = ${integer(year)}`]),
          facets: ['firstSeenDay'],
        }),
      );
      const counts = Object.entries(byDay.facetDistribution?.firstSeenDay ?? {}).sort(([a], [b]) =>
        a < b ? 1 : -1,
      );
      for (const [date, papers] of counts) {
        if (days.length >= request.limit) return days;
        days.push({ date, papers });
      }
    }
    return days;
  }

  async listed(request: ListedRequest): Promise<ListedPage> {
    checkListedRequest(request);
    await this.ensureSettings();
    const { page, hitsPerPage } = pageCovering(request.offset, request.limit);
    const response = await this.#call('list the papers of a span of days', () =>
      this.#index.search('', {
        page,
        hitsPerPage,
        filter: firstSeenRange(request.from, request.to),
        // The order of `compareListed`; unknown counts come last in Meilisearch's sort too.
        sort: ['listedUpvotes:desc', 'firstSeenAtTs:asc', 'id:asc'],
      }),
    );
    const start = request.offset - (page - 1) * hitsPerPage;
    const nearest = async (condition: string, direction: 'asc' | 'desc'): Promise<string | null> => {
      const found = await this.#call('find the nearest day with papers', () =>
        this.#index.search('', {
          limit: 1,
          filter: [condition],
          sort: [`firstSeenAtTs:${direction}`],
          attributesToRetrieve: ['firstSeenDay'],
        }),
      );
      return found.hits[0]?.firstSeenDay ?? null;
    };
    return {
      total: response.totalHits,
      hits: response.hits.slice(start, start + request.limit).map((hit) => dayHit(toPaper(hit))),
      previous: await nearest(`firstSeenAtTs < ${dayStart(request.from)}`, 'desc'),
      next: await nearest(`firstSeenAtTs >= ${dayStart(addDays(request.to, 1))}`, 'asc'),
    };
  }

  async delete(ids: PaperId[]): Promise<void> {
    if (ids.length === 0) return;
    const valid = ids.map((id) => PaperIdSchema.parse(id));
    await this.ensureSettings();
    await this.#task(`delete ${valid.length} papers`, () => this.#index.deleteDocuments(valid));
    // Title ids that named these papers now name nothing.
    for (let i = 0; i < valid.length; i += FETCH_CHUNK) {
      const chunk = valid.slice(i, i + FETCH_CHUNK);
      await this.#task(`delete aliases of ${chunk.length} papers`, () =>
        this.#aliases.deleteDocuments({ filter: `target IN [${chunk.map(filterString).join(', ')}]` }),
      );
    }
  }

  async stats(): Promise<StatsResponse> {
    await this.ensureSettings();
    const stats = await this.#call('read index stats', () => this.#index.getStats());
    return { papers: stats.numberOfDocuments };
  }

  version(): null {
    // Asking Meilisearch costs a request, as much as the search it would save.
    return null;
  }

  async ping(): Promise<void> {
    await this.#call('check health', () => this.#client.health());
  }

  async close(): Promise<void> {
    // The client keeps no connection of its own (fetch pools sockets per process).
  }

  async #applySettings(): Promise<void> {
    await this.#ensureIndex(this.#name);
    const current = await this.#call(`read settings of ${this.#name}`, () => this.#index.getSettings());
    const changes = settingsChanges(current);
    if (Object.keys(changes).length > 0) {
      await this.#task(`update settings of ${this.#name} (${Object.keys(changes).join(', ')})`, () =>
        this.#index.updateSettings(changes),
      );
    }
    await this.#upgradeDocuments();
    await this.#ensureIndex(this.#aliasName);
    const aliasSettings = await this.#call(`read settings of ${this.#aliasName}`, () =>
      this.#aliases.getSettings(),
    );
    if (!sameSet(aliasSettings.filterableAttributes, ALIAS_SETTINGS.filterableAttributes)) {
      await this.#task(`update settings of ${this.#aliasName}`, () =>
        this.#aliases.updateSettings(ALIAS_SETTINGS),
      );
    }
  }

  /** Meilisearch's facet distribution under our facet names, every requested facet present. */
  async #facetCounts(
    distribution: FacetDistribution | undefined,
    facets: readonly SearchFacet[],
  ): Promise<Partial<Record<SearchFacet, Record<string, number>>>> {
    const counts: Partial<Record<SearchFacet, Record<string, number>>> = {};
    for (const facet of facets) {
      const values = distribution?.[FACET_ATTRIBUTES[facet]] ?? {};
      counts[facet] = facet === 'authors' ? await this.#authorFacet(values) : { ...values };
    }
    return counts;
  }

  /**
   * The most frequent author keys of a distribution over `authorKeys`, as the SQLite index
   * counts them: most frequent first, ties to the smaller key, each named as the paper with the
   * smallest id holding it spells it (one multi-search for all of them).
   */
  async #authorFacet(distribution: Record<string, number>): Promise<Record<string, number>> {
    const top = topAuthorKeys(distribution);
    if (top.length === 0) return {};
    const found = await this.#call('name the most frequent authors', () =>
      this.#client.multiSearch({
        queries: top.map(({ key }) => ({
          indexUid: this.#name,
          q: '',
          limit: 1,
          filter: [`authorKeys = ${filterString(filterKey(key))}`],
          sort: ['id:asc'],
          attributesToRetrieve: ['authors'],
        })),
      }),
    );
    const counts: Record<string, number> = {};
    top.forEach(({ key, count }, i) => {
      const authors = found.results[i]?.hits[0]?.authors;
      const name = Array.isArray(authors) ? authorNameIn({ authors: authors as string[] }, key) : undefined;
      counts[name ?? key] = count;
    });
    return counts;
  }

  /** Rewrites documents whose derived fields are older than `DOCUMENT_VERSION`. */
  async #upgradeDocuments(): Promise<void> {
    for (;;) {
      const page = await this.#call(`find documents of ${this.#name} to upgrade`, () =>
        this.#index.getDocuments({
          filter: `docVersion NOT EXISTS OR docVersion < ${DOCUMENT_VERSION}`,
          limit: UPGRADE_CHUNK,
        }),
      );
      if (page.results.length === 0) return;
      await this.#task(`upgrade ${page.results.length} documents of ${this.#name}`, () =>
        this.#index.addDocuments(page.results.map((doc) => toDocument(toPaper(doc)))),
      );
    }
  }

  /** Creates the index with primary key `id` unless it exists; refuses one keyed otherwise. */
  async #ensureIndex(name: string): Promise<void> {
    let primaryKey: string | undefined;
    try {
      primaryKey = (await this.#client.getRawIndex(name)).primaryKey;
    } catch (error) {
      if (apiErrorCode(error) !== 'index_not_found') throw this.#error(`read index ${name}`, error);
      // Another replica may create it at the same moment; either creation is fine.
      await this.#task(`create index ${name}`, () => this.#client.createIndex(name, { primaryKey: 'id' }), [
        'index_already_exists',
      ]);
      primaryKey = 'id';
    }
    if (primaryKey === undefined || primaryKey === null) {
      await this.#task(`set the primary key of ${name}`, () =>
        this.#client.updateIndex(name, { primaryKey: 'id' }),
      );
    } else if (primaryKey !== 'id') {
      throw new Error(
        `meilisearch at ${this.#url}: index ${name} has primary key "${primaryKey}", paperwire needs "id"; ` +
          'use another MEILI_INDEX or delete that index',
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

  async #fetchAliases(ids: PaperId[]): Promise<Map<PaperId, PaperId>> {
    const found = new Map<PaperId, PaperId>();
    for (let i = 0; i < ids.length; i += FETCH_CHUNK) {
      const chunk = ids.slice(i, i + FETCH_CHUNK);
      const page = await this.#call(`read ${chunk.length} aliases`, () =>
        this.#aliases.getDocuments({
          filter: `id IN [${chunk.map(filterString).join(', ')}]`,
          limit: chunk.length,
        }),
      );
      for (const doc of page.results) found.set(doc.id, doc.target);
    }
    return found;
  }

  async #writeAliases(aliases: Map<PaperId, PaperId>): Promise<void> {
    if (aliases.size === 0) return;
    const docs = [...aliases].map(([id, target]): AliasDocument => ({ id, target }));
    await this.#task(`write ${docs.length} aliases`, () => this.#aliases.addDocuments(docs));
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
  if (
    current.faceting?.maxValuesPerFacet !== desired.faceting.maxValuesPerFacet ||
    !isDeepStrictEqual(current.faceting?.sortFacetValuesBy, desired.faceting.sortFacetValuesBy)
  )
    changes.faceting = desired.faceting;
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

/**
 * A value as a filter key: `k` and the hex of its UTF-8 bytes. Author keys and source names are
 * stored and filtered in this form, so a filter expression only ever holds `[0-9a-fk]`,
 * whatever the value.
 */
export function filterKey(value: string): string {
  return `k${Buffer.from(value, 'utf8').toString('hex')}`;
}

export function toDocument(paper: Paper): PaperDocument {
  const sourceNames = [...new Set(paper.sources.map((s) => s.name))].sort();
  const authorKeys = [...new Set(paper.authors.map(authorKey))].filter((k) => k !== '');
  return {
    ...paper,
    docVersion: DOCUMENT_VERSION,
    hasCode: paper.codeUrls.length > 0,
    year: yearOf(paper.publishedAt),
    publishedAtTs: paper.publishedAt ? dayStart(paper.publishedAt) : null,
    firstSeenAtTs: Date.parse(paper.firstSeenAt),
    firstSeenDay: firstSeenDay(paper),
    firstSeenYear: Number(firstSeenDay(paper).slice(0, 4)),
    listedUpvotes: listedUpvotes(paper),
    trending: trendingScore(paper),
    authorKeys: authorKeys.map(filterKey),
    sourceKeys: sourceNames.map(filterKey),
    sourceNames,
  };
}

/** The Paper inside a stored document: its own fields, nothing derived. */
export function toPaper(doc: Record<string, unknown>): Paper {
  return Object.fromEntries(PAPER_KEYS.map((key) => [key, doc[key]])) as Paper;
}

/**
 * The filter expression for checked filters (conditions in a list are ANDed). Only values this
 * code computed go in: epoch milliseconds, integers, booleans and `filterKey` strings.
 */
export function meiliFilter(filters: CheckedFilters): string[] {
  const conditions: string[] = [];
  if (filters.from !== undefined) conditions.push(`publishedAtTs >= ${dayStart(filters.from)}`);
  if (filters.to !== undefined) conditions.push(`publishedAtTs <= ${dayStart(filters.to)}`);
  if (filters.since !== undefined) conditions.push(`firstSeenAtTs >= ${Date.parse(filters.since)}`);
  if (filters.hasCode !== undefined) conditions.push(`hasCode = ${filters.hasCode ? 'true' : 'false'}`);
  if (filters.minUpvotes !== undefined) conditions.push(`upvotes >= ${integer(filters.minUpvotes)}`);
  if (filters.years !== undefined) conditions.push(`year IN [${filters.years.map(integer).join(', ')}]`);
  if (filters.authors !== undefined)
    conditions.push(`authorKeys IN [${filters.authors.map((a) => filterString(filterKey(a))).join(', ')}]`);
  if (filters.sources !== undefined)
    conditions.push(`sourceKeys IN [${filters.sources.map((s) => filterString(filterKey(s))).join(', ')}]`);
  return conditions;
}

/**
 * Sort criteria for a search. Documents without a value (publishedAt or upvotes unknown) come
 * after all others in either direction. A placeholder search has no relevance to break ties:
 * newest first, then id.
 */
export function meiliSort(sort: SearchSort, placeholder: boolean): string[] {
  const primary: Record<SearchSort, string[]> = {
    relevance: [],
    'publishedAt:desc': ['publishedAtTs:desc'],
    'publishedAt:asc': ['publishedAtTs:asc'],
    'firstSeenAt:desc': ['firstSeenAtTs:desc'],
    'upvotes:desc': ['upvotes:desc'],
    trending: ['trending:desc'],
  };
  return placeholder ? [...primary[sort], 'firstSeenAtTs:desc', 'id:asc'] : primary[sort];
}

/**
 * The `AUTHOR_FACET_SIZE` most frequent author keys of a facet distribution over `authorKeys`
 * (values in `filterKey` form): most frequent first, ties to the smaller key.
 */
export function topAuthorKeys(distribution: Record<string, number>): { key: string; count: number }[] {
  return Object.entries(distribution)
    .filter(([value]) => /^k(?:[0-9a-f]{2})+$/.test(value))
    .map(([value, count]) => ({ key: Buffer.from(value.slice(1), 'hex').toString('utf8'), count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, AUTHOR_FACET_SIZE);
}

/** Filter conditions for papers first seen in the days [from, to] (either end open when absent). */
export function firstSeenRange(from: string | undefined, to: string | undefined): string[] {
  const conditions: string[] = [];
  if (from !== undefined) conditions.push(`firstSeenAtTs >= ${dayStart(from)}`);
  if (to !== undefined) conditions.push(`firstSeenAtTs < ${dayStart(addDays(to, 1))}`);
  return conditions;
}

function dayStart(date: string): number {
  return Date.parse(`${date}T00:00:00.000Z`);
}

function integer(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer: ${value}`);
  return String(value);
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/** A filter string literal, quoted and escaped; the values given are ids and filter keys. */
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
