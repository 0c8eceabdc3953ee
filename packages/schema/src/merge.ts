import type { Paper, PaperSource } from './paper.js';

/**
 * Merges two sightings of the same paper into one record.
 *
 * The merge is commutative, associative and idempotent, so any number of indexer replicas
 * receiving sightings in any order converge on the same record:
 * - firstSeenAt is the earliest sighting, lastSeenAt the latest;
 * - sources are a set keyed by page URL, each keeping its latest capture;
 * - upvotes come from the latest capture that showed a count, so a backfill of old pages
 *   never brings back a stale count;
 * - list fields are unions or the fullest list; null never overwrites a value;
 * - title and abstract come from the most recently seen sighting that has them, with a
 *   deterministic tie-break.
 */
export function mergePapers(a: Paper, b: Paper): Paper {
  if (a.id !== b.id) throw new Error(`cannot merge different papers: ${a.id} and ${b.id}`);
  const [older, newer] = ordered(a, b);
  const sources = mergeSources(a.sources, b.sources);
  const authors = fullest(older.authors, newer.authors);
  return {
    id: a.id,
    title: newer.title || older.title,
    abstract: newer.abstract || older.abstract,
    authors,
    authorCount: maxNullable(maxNullable(a.authorCount, b.authorCount), authors.length || null),
    publishedAt: minNullable(a.publishedAt, b.publishedAt),
    upvotes: upvotesOf(sources),
    codeUrls: [...new Set([...a.codeUrls, ...b.codeUrls])].sort(),
    arxivId: a.arxivId ?? b.arxivId,
    sources,
    firstSeenAt: a.firstSeenAt < b.firstSeenAt ? a.firstSeenAt : b.firstSeenAt,
    lastSeenAt: a.lastSeenAt > b.lastSeenAt ? a.lastSeenAt : b.lastSeenAt,
  };
}

/**
 * Records that the papers of an unchanged page were seen again at `capturedAt` from `url`:
 * lastSeenAt advances and the page's source entry takes the new capture time.
 */
export function recordSighting(paper: Paper, url: string, capturedAt: string): Paper {
  return {
    ...paper,
    sources: paper.sources.map((s) =>
      s.url === url && s.capturedAt < capturedAt ? { ...s, capturedAt } : s,
    ),
    lastSeenAt: paper.lastSeenAt > capturedAt ? paper.lastSeenAt : capturedAt,
  };
}

/** Brings a freshly parsed paper into canonical form, so merging it with itself is a no-op. */
export function canonicalPaper(paper: Paper): Paper {
  return mergePapers(paper, paper);
}

function ordered(a: Paper, b: Paper): [Paper, Paper] {
  if (a.lastSeenAt !== b.lastSeenAt) return a.lastSeenAt < b.lastSeenAt ? [a, b] : [b, a];
  // Same instant: break the tie on content so the result does not depend on argument order.
  return fingerprint(a) <= fingerprint(b) ? [a, b] : [b, a];
}

function fingerprint(p: Paper): string {
  return `${p.title}\u0000${p.abstract}\u0000${p.authors.join('\u0001')}`;
}

function fullest(older: string[], newer: string[]): string[] {
  if (newer.length !== older.length) return newer.length > older.length ? newer : older;
  return newer.length > 0 ? newer : older;
}

function mergeSources(a: PaperSource[], b: PaperSource[]): PaperSource[] {
  const byUrl = new Map<string, PaperSource>();
  for (const s of [...a, ...b]) {
    const seen = byUrl.get(s.url);
    byUrl.set(s.url, seen ? laterSource(seen, s) : s);
  }
  return [...byUrl.values()].sort((x, y) => (x.url < y.url ? -1 : x.url > y.url ? 1 : 0));
}

function laterSource(x: PaperSource, y: PaperSource): PaperSource {
  if (x.capturedAt !== y.capturedAt) return x.capturedAt > y.capturedAt ? x : y;
  // Same capture of the same page: keep whichever knows a count, deterministically.
  if ((x.upvotes ?? -1) !== (y.upvotes ?? -1)) return (x.upvotes ?? -1) > (y.upvotes ?? -1) ? x : y;
  return `${x.name}\u0000${x.format}` <= `${y.name}\u0000${y.format}` ? x : y;
}

function upvotesOf(sources: PaperSource[]): number | null {
  let best: PaperSource | undefined;
  for (const s of sources) {
    if (s.upvotes === null) continue;
    if (!best || s.capturedAt > best.capturedAt || (s.capturedAt === best.capturedAt && s.upvotes > (best.upvotes ?? -1)))
      best = s;
  }
  return best ? best.upvotes : null;
}

function maxNullable(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

function minNullable(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}
