import type { Paper } from '@paperwire/schema';
import { canonicalPaper, mergePapers } from '@paperwire/schema';

/**
 * Collapses a batch to one canonical record per paper id, so a batch that names a paper twice
 * is stored as the merge of both sightings, whatever their order in the batch.
 */
export function mergeBatch(papers: Paper[]): Paper[] {
  const byId = new Map<string, Paper>();
  for (const paper of papers) {
    const seen = byId.get(paper.id);
    byId.set(paper.id, seen ? mergePapers(seen, paper) : canonicalPaper(paper));
  }
  return [...byId.values()];
}
