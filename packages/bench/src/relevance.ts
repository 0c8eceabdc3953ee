/**
 * How close a search engine's pages come to a reference ranking of the same queries: for each
 * query, whether the page is the reference page (same ids, same order), whether its first hit
 * is, and what share of the reference page it holds in any order.
 */

export interface PageComparison {
  identical: boolean;
  sameFirst: boolean;
  /** Ids of the reference page the page also holds, over the reference page's ids. */
  shared: number;
}

export interface Agreement {
  /** Queries the reference answers with at least one hit; the others are not compared. */
  queries: number;
  identical: number;
  sameFirst: number;
  /** Mean `shared` over the compared queries. */
  meanShared: number;
}

/** One query's page against the reference's page; undefined when the reference has no hits. */
export function comparePage(
  page: readonly string[],
  reference: readonly string[],
): PageComparison | undefined {
  if (reference.length === 0) return undefined;
  const held = new Set(page);
  return {
    identical: page.length === reference.length && page.every((id, i) => id === reference[i]),
    sameFirst: page[0] === reference[0],
    shared: reference.filter((id) => held.has(id)).length / reference.length,
  };
}

export function agreement(comparisons: readonly (PageComparison | undefined)[]): Agreement {
  const compared = comparisons.filter((c): c is PageComparison => c !== undefined);
  const count = (pick: (c: PageComparison) => boolean) => compared.filter(pick).length;
  return {
    queries: compared.length,
    identical: count((c) => c.identical),
    sameFirst: count((c) => c.sameFirst),
    meanShared: compared.length === 0 ? 0 : compared.reduce((sum, c) => sum + c.shared, 0) / compared.length,
  };
}
