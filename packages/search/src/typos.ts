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
  return typoMatcher(query, maxTypos, prefix)(candidate);
}

/**
 * `typoCost` of one query word against many candidates: the word is read once, the rows of the
 * distance are reused, and a candidate that lacks more of the word's letters (or holds more
 * letters the word lacks) than the budget allows is refused before any distance is computed.
 */
export function typoMatcher(
  query: string,
  maxTypos: number,
  prefix = false,
): (candidate: string) => number | null {
  const a = Array.from(query, (c) => c.codePointAt(0)!);
  const n = a.length;
  const queryMask = wordLetterMask(query);
  // No candidate longer than this is read: past it, a whole word is too long and a word being
  // typed is compared by its start.
  const limit = n + maxTypos;
  const b = new Int32Array(limit);
  let before = new Int32Array(limit + 1);
  let previous = new Int32Array(limit + 1);
  let current = new Int32Array(limit + 1);
  return (candidate) => {
    if (n === 0) return null;
    let full = 0;
    for (const c of candidate) {
      if (full === limit) {
        full += 1;
        break;
      }
      b[full] = c.codePointAt(0)!;
      full += 1;
    }
    if (full === 0) return null;
    const firstLetterPenalty = a[0] === b[0] ? 0 : 1;
    // Words that differ in their first letter are at least one edit apart, so they need a
    // budget left after the penalty.
    const budget = maxTypos - firstLetterPenalty;
    if (budget < firstLetterPenalty) return null;
    if (prefix ? full < n - budget : Math.abs(n - full) > budget) return null;
    const m = prefix ? Math.min(full, n + budget) : full;
    if (!lettersWithin(queryMask, letterMask(b, m), budget, !prefix)) return null;
    // Optimal string alignment distance, row by row.
    for (let j = 0; j <= m; j += 1) previous[j] = j;
    for (let i = 1; i <= n; i += 1) {
      const ai = a[i - 1]!;
      current[0] = i;
      let rowMin = i;
      for (let j = 1; j <= m; j += 1) {
        const cost = ai === b[j - 1] ? 0 : 1;
        let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
        if (i > 1 && j > 1 && ai === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
        current[j] = d;
        if (d < rowMin) rowMin = d;
      }
      // Every later row is at least this row's minimum (a swap reaches back two rows, hence +1).
      if (rowMin > budget + 1) return null;
      const spare = before;
      before = previous;
      previous = current;
      current = spare;
    }
    let distance = previous[m]!;
    if (prefix)
      for (let j = Math.max(0, n - budget); j < m; j += 1) distance = Math.min(distance, previous[j]!);
    return distance <= budget ? distance + firstLetterPenalty : null;
  };
}

/**
 * Whether a candidate whose letters are `candidate` may be within `budget` typos of a query word
 * whose letters are `query` (masks of `wordLetterMask`): each of the word's letters missing from
 * the candidate takes an edit of its own, and so does each letter of a `whole` candidate that the
 * word lacks.
 */
export function lettersWithin(query: number, candidate: number, budget: number, whole: boolean): boolean {
  return popcount(query & ~candidate) <= budget && (!whole || popcount(candidate & ~query) <= budget);
}

/** The letters of a word, folded into 32 bits. */
export function wordLetterMask(word: string): number {
  let mask = 0;
  for (const c of word) mask |= letterBit(c.codePointAt(0)!);
  return mask;
}

/** `wordLetterMask` of the first `length` code points. */
function letterMask(codePoints: ArrayLike<number>, length: number): number {
  let mask = 0;
  for (let i = 0; i < length; i += 1) mask |= letterBit(codePoints[i]!);
  return mask;
}

function letterBit(codePoint: number): number {
  return 1 << (codePoint & 31);
}

function popcount(bits: number): number {
  let v = bits - ((bits >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
