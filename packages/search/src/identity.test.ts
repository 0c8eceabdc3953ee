import type { Paper, PaperId } from '@paperwire/schema';
import { mergePapersAs, paperIdFromTitle } from '@paperwire/schema';
import { describe, expect, it } from 'vitest';

import { aliasKeys, planUpsert, recordKeys } from './identity.js';
import type { IdentityPlan } from './identity.js';
import { identitySightings } from './testing/contract-identity.js';
import { mergeBatch } from './upsert.js';

/** An index reduced to what identity needs: records and aliases, in memory. */
class Store {
  records = new Map<PaperId, Paper>();
  aliases = new Map<PaperId, PaperId>();

  plan(papers: Paper[]): IdentityPlan {
    const incoming = mergeBatch(papers);
    const aliases = new Map(
      aliasKeys(incoming).flatMap((id) =>
        this.aliases.has(id) ? [[id, this.aliases.get(id)!] as const] : [],
      ),
    );
    const stored = new Map(
      recordKeys(incoming, aliases).flatMap((id) =>
        this.records.has(id) ? [[id, this.records.get(id)!] as const] : [],
      ),
    );
    return planUpsert(incoming, { aliases, stored });
  }

  /** Applies a plan's steps in the order the Meilisearch adapter does, up to `steps` of them. */
  apply(plan: IdentityPlan, steps = 3): void {
    if (steps >= 1) for (const [id, target] of plan.aliases) this.aliases.set(id, target);
    if (steps >= 2) for (const paper of plan.writes) this.records.set(paper.id, paper);
    if (steps >= 3) for (const id of plan.deletes) this.records.delete(id);
  }

  upsert(papers: Paper[]): void {
    this.apply(this.plan(papers));
  }
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** Every way to cut a sequence into consecutive non-empty batches. */
function batchings<T>(items: T[]): T[][][] {
  if (items.length === 0) return [[]];
  const result: T[][][] = [];
  for (let cut = 1; cut <= items.length; cut += 1)
    for (const rest of batchings(items.slice(cut))) result.push([items.slice(0, cut), ...rest]);
  return result;
}

describe('planUpsert', () => {
  const { titleOnly, hfJson, atom } = identitySightings(1);
  const expected = mergePapersAs(hfJson.id, [titleOnly, hfJson, atom]);

  it('gives one record under the arXiv id for every order and batching of the sightings', () => {
    let runs = 0;
    for (const order of permutations([titleOnly, hfJson, atom])) {
      for (const batches of batchings(order)) {
        const store = new Store();
        for (const batch of batches) store.upsert(batch);
        expect([...store.records.values()]).toEqual([expected]);
        expect(store.aliases).toEqual(new Map([[titleOnly.id, hfJson.id]]));
        runs += 1;
      }
    }
    expect(runs).toBe(6 * 4);
  });

  it('is completed by the next upsert after an interrupted one', () => {
    for (const steps of [1, 2]) {
      for (const next of [titleOnly, hfJson, atom]) {
        const store = new Store();
        store.upsert([titleOnly]);
        store.apply(store.plan([hfJson]), steps);
        store.upsert([next]);
        store.upsert([hfJson, atom, titleOnly].filter((p) => p !== next));
        expect(
          [...store.records.values()],
          `stopped after ${steps}, then ${next.sources[0]!.format}`,
        ).toEqual([expected]);
      }
    }
  });

  it('counts per resulting record and claims the title of every arXiv paper', () => {
    const store = new Store();
    const first = store.plan([titleOnly]);
    expect(first.result).toEqual({ created: 1, updated: 0, unchanged: 0, newIds: [titleOnly.id] });
    store.apply(first);
    const second = store.plan([hfJson]);
    expect(second).toMatchObject({
      // Created under the arXiv id, from the title record: no new paper.
      result: { created: 1, updated: 0, unchanged: 0, newIds: [] },
      deletes: [titleOnly.id],
      aliases: new Map([[paperIdFromTitle(hfJson.title), hfJson.id]]),
    });
    store.apply(second);
    expect(store.plan([hfJson]).result).toEqual({ created: 0, updated: 0, unchanged: 1, newIds: [] });
    expect(store.plan([hfJson]).aliases.size).toBe(0);
  });
});
