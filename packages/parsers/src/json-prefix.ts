/** A JSON document read whole, or as much of it as a cut page still holds. */
export interface RecoveredJson {
  value: unknown;
  /**
   * Null for a complete document; otherwise the character offset at which the kept prefix
   * ends (everything after it was dropped).
   */
  cutAt: number | null;
}

/** `too-deep`: refused before parsing, for nesting past `MAX_JSON_DEPTH`. */
export type JsonFailure = { ok: false; reason: 'invalid' | 'too-deep'; message: string };

/**
 * Containers nested deeper than this are refused unread. A daily-papers document nests about six
 * deep; a hostile one nests millions deep, which `JSON.parse` builds (a 20 MB page of `[` takes
 * 1 GB and eight seconds) before anything can look at it.
 */
export const MAX_JSON_DEPTH = 100;

/**
 * Parses JSON; when the text ends before the document does (a cut download), parses the
 * longest prefix that ends between two values of a container at depth at most `keepDepth`
 * (1: elements of a top-level array; 2: also those of an array inside a top-level object),
 * with the open containers closed. Elements deeper than that are never cut in half: a list of
 * papers comes back with its complete entries only. A document that is complete but invalid
 * is a failure, not something to recover from.
 */
export function parseJsonRecovering(text: string, keepDepth: number): RecoveredJson | JsonFailure {
  const tooDeepAt = depthOverflowAt(text, MAX_JSON_DEPTH);
  if (tooDeepAt !== -1) {
    return {
      ok: false,
      reason: 'too-deep',
      message: `JSON nests deeper than ${MAX_JSON_DEPTH} levels (at offset ${tooDeepAt}); refused unread`,
    };
  }
  try {
    return { value: JSON.parse(text) as unknown, cutAt: null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const cut = lastCut(text, keepDepth);
    if (cut === null) return { ok: false, reason: 'invalid', message };
    try {
      return { value: JSON.parse(text.slice(0, cut.at) + cut.closers) as unknown, cutAt: cut.at };
    } catch {
      return { ok: false, reason: 'invalid', message };
    }
  }
}

/**
 * Offset of the `[` or `{` that opens a container more than `maxDepth` deep, or -1. Brackets
 * inside strings do not count; whether the text is JSON at all is left to `JSON.parse`.
 */
export function depthOverflowAt(text: string, maxDepth: number): number {
  let depth = 0;
  const end = text.length;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < end; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return -1;
}

export function isJsonFailure(r: RecoveredJson | JsonFailure): r is JsonFailure {
  return 'ok' in r;
}

interface Cut {
  at: number;
  closers: string;
}

/**
 * The last place the text can be cut and closed, or null when the text does not end inside
 * a container (it is then complete, and its error lies elsewhere). Only brackets, strings and
 * commas are looked at; whether the kept prefix is valid is left to `JSON.parse`.
 */
function lastCut(text: string, keepDepth: number): Cut | null {
  const stack: number[] = [];
  let inString = false;
  let cut: Cut | null = null;
  const closers = (): string => {
    let s = '';
    for (let i = stack.length - 1; i >= 0; i--) s += stack[i] === 0x5b ? ']' : '}';
    return s;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    switch (c) {
      case 0x22:
        inString = true;
        break;
      case 0x5b /* [ */:
      case 0x7b /* { */:
        stack.push(c);
        if (stack.length <= keepDepth) cut = { at: i + 1, closers: closers() };
        break;
      case 0x5d /* ] */:
      case 0x7d /* } */:
        if (stack.length === 0) return null;
        stack.pop();
        if (stack.length === 0) return null;
        if (stack.length <= keepDepth) cut = { at: i + 1, closers: closers() };
        break;
      case 0x2c /* , */:
        if (stack.length > 0 && stack.length <= keepDepth) cut = { at: i, closers: closers() };
        break;
    }
  }
  if (stack.length === 0 && !inString) return null;
  return cut;
}
