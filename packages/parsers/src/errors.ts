import type { Format } from '@paperwire/schema';

export type ParseErrorCode = 'unknown-format' | 'malformed' | 'empty';

/**
 * A page that cannot be turned into papers. Deterministic for a given body and context, so a
 * caller should not retry it: the same bytes fail the same way until the parser changes.
 */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  readonly code: ParseErrorCode;
  /** The format the page was parsed as, or null when no format was settled on. */
  readonly format: Format | null;

  constructor(code: ParseErrorCode, format: Format | null, message: string) {
    super(message);
    this.code = code;
    this.format = format;
  }
}
