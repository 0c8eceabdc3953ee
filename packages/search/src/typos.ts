/**
 * Typo rules as Meilisearch counts them, so both engines accept the same misspellings:
 * - an inserted, deleted or substituted letter, or two neighbouring letters swapped, is one typo
 *   (optimal string alignment distance);
 * - a typo on the first letter counts as two;
 * - a query word of fewer than 5 letters allows no typo, 5 to 8 letters one, 9 or more two.
 */

export const ONE_TYPO_MIN_LENGTH = 5;
export const TWO_TYPOS_MIN_LENGTH = 9;
/** Longer "words" are not typos of anything (and would make the distance costly). */
const MAX_TYPO_WORD = 40;

/** How many typos a query word may carry, by its length in characters. */
export function typoBudget(word: string): number {
  const length = [...word].length;
  if (length > MAX_TYPO_WORD) return 0;
  if (length >= TWO_TYPOS_MIN_LENGTH) return 2;
  if (length >= ONE_TYPO_MIN_LENGTH) return 1;
  return 0;
}

/**
 * The typos between what was typed (`query`) and an indexed word, or null when they exceed
 * `maxTypos`. With `prefix`, `query` is a word still being typed: it is compared with the best
 * matching start of `candidate`.
 */
export function typoCost(query: string, candidate: string, maxTypos: number, prefix = false): number | null {
  const a = [...query];
  const full = [...candidate];
  if (a.length === 0 || full.length === 0) return null;
  const firstLetterPenalty = a[0] === full[0] ? 0 : 1;
  // Words that differ in their first letter are at least one edit apart, so they need a
  // budget left after the penalty.
  const budget = maxTypos - firstLetterPenalty;
  if (budget < firstLetterPenalty) return null;
  if (prefix ? full.length < a.length - budget : Math.abs(a.length - full.length) > budget) return null;
  const b = prefix ? full.slice(0, a.length + budget) : full;
  // Optimal string alignment distance, row by row.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, before[j - 2]! + 1);
      current.push(d);
      rowMin = Math.min(rowMin, d);
    }
    // Every later row is at least this row's minimum (a swap reaches back two rows, hence +1).
    if (rowMin > budget + 1) return null;
    before = previous;
    previous = current;
  }
  const distance = prefix ? Math.min(...previous.slice(Math.max(0, a.length - budget))) : previous[b.length]!;
  return distance <= budget ? distance + firstLetterPenalty : null;
}
