import { canonicalPaper, type Paper, type RawPageRef } from '@paperwire/schema';

/**
 * The papers of a body's last parse as `page`, a later capture of the same body from the same URL
 * and source, shows them: the same papers with the same counts, seen at the capture's time. Each
 * paper's source entry for the page takes the capture time, and firstSeenAt and lastSeenAt are
 * that time, so the result is what parsing the capture would give, and the index merges it like
 * any parse, in any order. Null when the papers came from a parse of another URL or source name:
 * they say nothing about this page.
 */
export function sightedPapers(
  papers: Paper[],
  page: Pick<RawPageRef, 'url' | 'sourceName' | 'capturedAt'>,
): Paper[] | null {
  const sighted: Paper[] = [];
  for (const paper of papers) {
    const sources = paper.sources.filter((s) => s.url === page.url && s.name === page.sourceName);
    if (sources.length === 0) return null;
    sighted.push(
      canonicalPaper({
        ...paper,
        sources: sources.map((s) => ({ ...s, capturedAt: page.capturedAt })),
        firstSeenAt: page.capturedAt,
        lastSeenAt: page.capturedAt,
      }),
    );
  }
  return sighted;
}
