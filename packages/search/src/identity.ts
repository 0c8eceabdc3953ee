import { isDeepStrictEqual } from 'node:util';

import type { Paper, PaperId } from '@paperwire/schema';
import { isTitlePaperId, mergePapersAs, paperIdFromTitle } from '@paperwire/schema';

import type { UpsertResult } from './port.js';

/**
 * Identity across formats. A paper's identity is its arXiv id where any source gives one, else
 * the fingerprint of its title (`title-…`). When both name the same paper (same normalized
 * title), the index keeps one record, under the arXiv id:
 * - an arXiv sighting claims its title's fingerprint id: an alias `title-… → arxiv-…` is
 *   stored, and a record stored under that title id is merged into the arXiv record and deleted;
 * - a title-only sighting whose id is an alias is merged into the arXiv record it names.
 * Every sighting thus ends up merged (by `mergePapers`) into the same record whatever order
 * they arrive in. The first arXiv id to claim a title keeps it: a later, different paper with
 * the same normalized title keeps its own record and leaves the title's sightings where they are.
 *
 * Claims are made for every arXiv sighting, not only when a title record exists, because a
 * title-only sighting that arrives later must still find where its paper lives.
 */

/** What the adapter read before planning: aliases and stored records for the keys asked. */
export interface IdentityLookup {
  /** title id → arXiv id, for the ids of `aliasKeys`. */
  aliases: ReadonlyMap<PaperId, PaperId>;
  /** Stored records, for the ids of `recordKeys`. */
  stored: ReadonlyMap<PaperId, Paper>;
}

export interface IdentityPlan {
  /** Records to store (merged, canonical). */
  writes: Paper[];
  /** Title records merged into an arXiv record, to delete once the writes are stored. */
  deletes: PaperId[];
  /** New aliases, title id → arXiv id, to store before the writes. */
  aliases: Map<PaperId, PaperId>;
  result: UpsertResult;
}

/** The title ids whose aliases a batch needs: its own title ids and its arXiv papers' fingerprints. */
export function aliasKeys(incoming: readonly Paper[]): PaperId[] {
  return unique(incoming.map((p) => (isTitlePaperId(p.id) ? p.id : paperIdFromTitle(p.title))));
}

/** The records a batch needs: its own ids, the alias targets and the title records it may absorb. */
export function recordKeys(incoming: readonly Paper[], aliases: ReadonlyMap<PaperId, PaperId>): PaperId[] {
  const keys = incoming.map((p) => p.id);
  for (const titleId of aliasKeys(incoming))
    keys.push(titleId, ...(aliases.has(titleId) ? [aliases.get(titleId)!] : []));
  return unique(keys);
}

/**
 * What to write for a batch of canonical papers with distinct ids (`mergeBatch`). Counts are
 * per resulting record: a title record absorbed into a new arXiv record counts as created.
 */
export function planUpsert(incoming: readonly Paper[], { aliases, stored }: IdentityLookup): IdentityPlan {
  const claims = new Map<PaperId, PaperId>();
  const groups = new Map<PaperId, Paper[]>();
  const absorbed = new Set<PaperId>();
  /** Records that take in a stored title record: not new papers even when created. */
  const absorbing = new Set<PaperId>();
  const add = (id: PaperId, paper: Paper): void => {
    const group = groups.get(id);
    if (group) group.push(paper);
    else groups.set(id, [paper]);
  };
  const absorb = (titleId: PaperId, into: PaperId): void => {
    const record = stored.get(titleId);
    if (!record || absorbed.has(titleId)) return;
    absorbed.add(titleId);
    absorbing.add(into);
    add(into, record);
  };

  // arXiv papers first, in id order, so two of them claiming one title resolve the same way
  // whatever order the batch lists them in.
  const strong = incoming.filter((p) => !isTitlePaperId(p.id)).sort((a, b) => compare(a.id, b.id));
  for (const paper of strong) {
    const titleId = paperIdFromTitle(paper.title);
    const owner = aliases.get(titleId) ?? claims.get(titleId);
    if (owner === undefined) claims.set(titleId, paper.id);
    // Also when the claim is already ours: a title record may be left from an interrupted write.
    if ((owner ?? paper.id) === paper.id) absorb(titleId, paper.id);
    add(paper.id, paper);
  }
  for (const paper of incoming) {
    if (!isTitlePaperId(paper.id)) continue;
    const target = aliases.get(paper.id) ?? claims.get(paper.id);
    if (target === undefined) {
      add(paper.id, paper);
      continue;
    }
    add(target, paper);
    absorb(paper.id, target);
  }

  const plan: IdentityPlan = {
    writes: [],
    deletes: [...absorbed].sort(compare),
    aliases: claims,
    result: { created: 0, updated: 0, unchanged: 0, newIds: [] },
  };
  for (const [id, papers] of groups) {
    const before = stored.get(id);
    const merged = mergePapersAs(id, before ? [before, ...papers] : papers);
    if (!before) {
      plan.writes.push(merged);
      plan.result.created += 1;
      if (!absorbing.has(id)) plan.result.newIds.push(id);
    } else if (isDeepStrictEqual(merged, before)) {
      plan.result.unchanged += 1;
    } else {
      plan.writes.push(merged);
      plan.result.updated += 1;
    }
  }
  plan.result.newIds.sort(compare);
  return plan;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
