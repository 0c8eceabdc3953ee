export { PARSER_VERSION, parsePage } from './parse-page.js';
export { ParseError, type ParseErrorCode } from './errors.js';
export type { FormatOutput, FormatParser, PaperDraft, ParseContext, ParseResult } from './types.js';
export { detectFormat, FORMAT_PARSERS } from './registry.js';
export { decodeBody } from './decode.js';
export { extractCodeUrls, normalizeCodeUrl } from './code-urls.js';
