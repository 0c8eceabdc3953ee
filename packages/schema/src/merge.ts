import type { Paper, PaperId, PaperSource } from './paper.js';

/**
 * Merges two sightings of the same paper into one record.
 *
 * The merge is commutative, associative and idempotent, so any number of indexer replicas
 * receiving sightings in any order converge on the same record. Every field is therefore
 * chosen by a rule that only looks at the values themselves (a merged record no longer
 * knows which sighting each of its fields came from):
 * - firstSeenAt is the earliest sighting, lastSeenAt the latest;
 * - sources keep, per page URL and source name, the latest capture and, of the captures that
 *   showed a count, the latest (so a page that stops showing a count never erases it), the
 *   first and the first to show the highest count (so the record knows how fast the page's
 *   count grew: `upvoteVelocity`);
 * - upvotes come from the latest capture that showed a count, so a backfill of old pages
 *   never brings back a stale count;
 * - the title is the one of the most recently seen sighting (ties: the greater title);
 * - the abstract is the longest non-empty one (ties: the greater text), so a feed that
 *   truncates abstracts never replaces a full one; authors are the longest list (ties: the
 *   greater list); codeUrls are the union; null or empty never overwrites a value;
 * - publishedAt is the earliest date; arxivId the smallest known one.
 */
export function mergePapers(a: Paper, b: Paper): Paper {
  if (a.id !== b.id) throw new Error(`cannot merge different papers: ${a.id} and ${b.id}`);
  const sources = mergeSources(a.sources, b.sources);
  const authors = longestAuthors(a.authors, b.authors);
  return {
    id: a.id,
    title:
      a.lastSeenAt !== b.lastSeenAt ? (a.lastSeenAt > b.lastSeenAt ? a : b).title : greater(a.title, b.title),
    abstract: longestText(a.abstract, b.abstract),
    authors,
    authorCount: maxNullable(maxNullable(a.authorCount, b.authorCount), authors.length || null),
    publishedAt: minNullable(a.publishedAt, b.publishedAt),
    upvotes: upvotesOf(sources),
    codeUrls: [...new Set([...a.codeUrls, ...b.codeUrls])].sort(),
    arxivId: minNullable(a.arxivId, b.arxivId),
    sources,
    firstSeenAt: a.firstSeenAt < b.firstSeenAt ? a.firstSeenAt : b.firstSeenAt,
    lastSeenAt: a.lastSeenAt > b.lastSeenAt ? a.lastSeenAt : b.lastSeenAt,
  };
}

/**
 * Merges sightings of one paper that were recorded under different ids into one record under
 * `id`: how a title-only record (`title-…`) joins the arXiv record of the same paper once a
 * source gives its arXiv id. Every field follows the rules of `mergePapers`, so the record is
 * the same whichever id each sighting was first stored under and in whatever order they came.
 */
export function mergePapersAs(id: PaperId, papers: Paper[]): Paper {
  const [first, ...rest] = papers.map((p) => (p.id === id ? p : { ...p, id }));
  if (!first) throw new Error(`no sightings to merge into ${id}`);
  return rest.reduce(mergePapers, canonicalPaper(first));
}

/** Brings a freshly parsed paper into canonical form, so merging it with itself is a no-op. */
export function canonicalPaper(paper: Paper): Paper {
  return mergePapers(paper, paper);
}

function greater(a: string, b: string): string {
  return a > b ? a : b;
}

function longestText(a: string, b: string): string {
  if (a.length !== b.length) return a.length > b.length ? a : b;
  return greater(a, b);
}

function longestAuthors(a: string[], b: string[]): string[] {
  if (a.length !== b.length) return a.length > b.length ? a : b;
  return a.join('\u0000') >= b.join('\u0000') ? a : b;
}

function mergeSources(a: PaperSource[], b: PaperSource[]): PaperSource[] {
  // Per page URL and source name: the latest capture; of the captures that showed a count, the
  // latest, the first, and the first to show the highest count (what `upvoteVelocity` needs).
  // Each is the best capture under a total order, so keeping them is commutative, associative
  // and idempotent.
  const best = new Map<string, PaperSource>();
  const consider = (role: string, s: PaperSource, pick: (x: PaperSource, y: PaperSource) => PaperSource) => {
    const key = `${role}\u0000${s.url}\u0000${s.name}`;
    const seen = best.get(key);
    best.set(key, seen ? pick(seen, s) : s);
  };
  for (const s of [...a, ...b]) {
    // One page may be listed under two source names; each name keeps its own captures.
    consider('latest', s, laterSource);
    if (s.upvotes === null) continue;
    consider('latestCounted', s, laterSource);
    consider('firstCounted', s, earlierSource);
    consider('peak', s, peakSource);
  }
  // One capture may be best in several roles; it is kept once.
  const kept = new Map<string, PaperSource>();
  for (const s of best.values())
    kept.set(`${s.url}\u0000${s.name}\u0000${s.capturedAt}\u0000${s.upvotes ?? ''}\u0000${s.format}`, s);
  return [...kept.values()].sort(
    (x, y) =>
      compare(x.url, y.url) ||
      compare(x.name, y.name) ||
      compare(x.capturedAt, y.capturedAt) ||
      (x.upvotes ?? -1) - (y.upvotes ?? -1) ||
      compare(x.format, y.format),
  );
}

function compare(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Of two captures made at the same instant: the one that knows a count, deterministically. */
function sameInstantSource(x: PaperSource, y: PaperSource): PaperSource {
  if ((x.upvotes ?? -1) !== (y.upvotes ?? -1)) return (x.upvotes ?? -1) > (y.upvotes ?? -1) ? x : y;
  return `${x.name}\u0000${x.format}` <= `${y.name}\u0000${y.format}` ? x : y;
}

function laterSource(x: PaperSource, y: PaperSource): PaperSource {
  if (x.capturedAt !== y.capturedAt) return x.capturedAt > y.capturedAt ? x : y;
  return sameInstantSource(x, y);
}

function earlierSource(x: PaperSource, y: PaperSource): PaperSource {
  if (x.capturedAt !== y.capturedAt) return x.capturedAt < y.capturedAt ? x : y;
  return sameInstantSource(x, y);
}

/** The higher count; of equal counts, the capture that showed it first. */
function peakSource(x: PaperSource, y: PaperSource): PaperSource {
  if (x.upvotes !== y.upvotes) return (x.upvotes ?? -1) > (y.upvotes ?? -1) ? x : y;
  return earlierSource(x, y);
}

function upvotesOf(sources: PaperSource[]): number | null {
  let best: PaperSource | undefined;
  for (const s of sources) {
    if (s.upvotes === null) continue;
    if (
      !best ||
      s.capturedAt > best.capturedAt ||
      (s.capturedAt === best.capturedAt && s.upvotes > (best.upvotes ?? -1))
    )
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
