import { authorKey, type Paper, type SearchFilters } from '@paperwire/schema';

import { checkFilters, type CheckedFilters } from './filters.js';
import { searchWords } from './words.js';

/** A standing query made ready to test papers against, once for many papers. */
export interface WatchMatcher {
  /** The query's words as the index holds them. */
  words: string[];
  filters: CheckedFilters;
}

/**
 * Compiles a watch's query and filters. Filters are checked as a search's are (a bad one
 * throws a RangeError naming it).
 */
export function watchMatcher(query: string, filters: SearchFilters | undefined): WatchMatcher {
  return { words: [...new Set(searchWords(query))], filters: checkFilters(filters) };
}

/**
 * Whether `paper` matches a standing query, in memory, whatever the engine: every query word is a
 * word of its title, abstract or author names, as the index tokenizes them (no typos, no
 * prefixes: a watch says exactly what it wants), and every filter holds as in a search. A query
 * without words matches every paper that passes the filters.
 */
export function paperMatches(paper: Paper, matcher: WatchMatcher): boolean {
  return filtersHold(paper, matcher.filters) && hasWords(paper, matcher.words);
}

function hasWords(paper: Paper, words: string[]): boolean {
  if (words.length === 0) return true;
  const text = new Set(searchWords(`${paper.title} ${paper.abstract} ${paper.authors.join(', ')}`));
  return words.every((word) => text.has(word));
}

/** The search filters' meaning (see `filterWhere` in sqlite.ts): unknown values never pass. */
function filtersHold(paper: Paper, f: CheckedFilters): boolean {
  const published = paper.publishedAt;
  if (f.from !== undefined && (published === null || published < f.from)) return false;
  if (f.to !== undefined && (published === null || published > f.to)) return false;
  if (f.since !== undefined && Date.parse(paper.firstSeenAt) < Date.parse(f.since)) return false;
  if (f.hasCode !== undefined && paper.codeUrls.length > 0 !== f.hasCode) return false;
  if (f.minUpvotes !== undefined && (paper.upvotes === null || paper.upvotes < f.minUpvotes)) return false;
  if (f.years !== undefined && (published === null || !f.years.includes(Number(published.slice(0, 4)))))
    return false;
  if (f.authors !== undefined) {
    const keys = new Set(paper.authors.map(authorKey));
    if (!f.authors.some((key) => keys.has(key))) return false;
  }
  if (f.sources !== undefined && !paper.sources.some((s) => f.sources!.includes(s.name))) return false;
  return true;
}
