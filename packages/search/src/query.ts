import { endsInWord, searchWords } from './words.js';

/**
 * Words beyond this are dropped: Meilisearch reads the first ten words of a query, and the
 * SQLite index does the same, so both engines answer a long query alike.
 */
export const MAX_QUERY_TERMS = 10;

export interface QueryTerms {
  /** The words of the query as the index holds them (`searchWords`), in order. */
  terms: string[];
  /** The last word is still being typed (the query does not end with a separator). */
  lastIsPrefix: boolean;
}

/**
 * Splits what a user typed into plain words. Every character that is not a letter or a digit
 * is a separator, so engine syntax (`"`, `*`, `-`, `:`, parentheses) never reaches an engine
 * as syntax; operator words like NEAR, AND, OR become ordinary lower-case words.
 */
export function queryTerms(q: string): QueryTerms {
  const all = searchWords(q);
  const terms = all.slice(0, MAX_QUERY_TERMS);
  return { terms, lastIsPrefix: terms.length > 0 && terms.length === all.length && endsInWord(q) };
}

/** Query text for an engine that parses its own query language: the words alone. */
export function plainQuery({ terms, lastIsPrefix }: QueryTerms): string {
  // A trailing space tells Meilisearch the last word is complete (no prefix match).
  return terms.join(' ') + (lastIsPrefix || terms.length === 0 ? '' : ' ');
}

/** Common English words that say nothing about what a paper is about. */
const STOP_WORDS = new Set(
  (
    'a about above after again against all also although among an and any are as at be because been before ' +
    'being below between both but by can could did do does doing down during each either even ever few for ' +
    'from further had has have having here how however i if in into is it its itself just less many may might ' +
    'more most much must no nor not now of off often on once one only or other our out over own per rather ' +
    'same several should since so some such than that the their them then there these they this those ' +
    'through thus to too two under until up upon us use used using very via was we were what when where ' +
    'whether which while who whom why will with within without would yet you your based show shows propose ' +
    'proposed paper approach method methods new novel results work existing furthermore moreover ' +
    'specifically extensive experiments demonstrate achieves achieve state art code available'
  ).split(' '),
);

export function isStopWord(term: string): boolean {
  return STOP_WORDS.has(term);
}

/**
 * Term frequencies of a paper's own words, title words counting more, without stop words,
 * numbers and very short words: the raw material of "papers like this one".
 */
export function paperTermWeights(title: string, abstract: string, titleWeight = 3): Map<string, number> {
  const weights = new Map<string, number>();
  const add = (text: string, weight: number): void => {
    for (const term of searchWords(text)) {
      if (term.length < 3 || /^\p{N}+$/u.test(term) || isStopWord(term)) continue;
      weights.set(term, (weights.get(term) ?? 0) + weight);
    }
  };
  add(title, titleWeight);
  add(abstract, 1);
  return weights;
}
