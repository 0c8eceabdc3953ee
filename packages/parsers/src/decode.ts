import { ParseError } from './errors.js';
import { previewBytes } from './preview.js';

/**
 * Decodes a page body as strict UTF-8, dropping a leading BOM. A body with NUL bytes or
 * invalid UTF-8 is not a text page of any format we read, so it fails as an unknown format
 * rather than being parsed with replacement characters.
 */
export function decodeBody(body: Uint8Array): string {
  // Buffer's indexOf is memchr; a typed array's is a plain loop, several times slower.
  const nul = Buffer.from(body.buffer, body.byteOffset, body.byteLength).indexOf(0);
  if (nul !== -1) {
    throw new ParseError(
      'unknown-format',
      null,
      `binary content, not a text page (NUL byte at offset ${nul}); first bytes: ${previewBytes(body)}`,
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    const at = invalidUtf8Offset(body);
    const where = at === -1 ? '' : ` (first invalid byte at offset ${at})`;
    throw new ParseError(
      'unknown-format',
      null,
      `body is not valid UTF-8${where}; first bytes: ${previewBytes(body)}`,
    );
  }
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    // Valid range of the byte after the lead byte (RFC 3629 table 3-7): excludes overlong
    // forms, surrogates and code points above U+10FFFF.
    let length: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) lo = 0xa0;
      if (lead === 0xed) hi = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) lo = 0x90;
      if (lead === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const b = bytes[i + k];
      if (b === undefined) return i;
      const [min, max] = k === 1 ? [lo, hi] : [0x80, 0xbf];
      if (b < min || b > max) return i;
    }
    i += length;
  }
  return -1;
}

/** A page body decoded for parsing, and how many bytes of a cut final character were dropped. */
export interface DecodedPage {
  text: string;
  droppedBytes: number;
}

/**
 * `decodeBody`, except that a body ending inside a multi-byte character (a download cut
 * mid-character) loses that partial character instead of failing: everything before it is
 * still a page. Any other invalid byte fails as in `decodeBody`.
 */
export function decodePageBody(body: Uint8Array): DecodedPage {
  try {
    return { text: decodeBody(body), droppedBytes: 0 };
  } catch (error) {
    const at = invalidUtf8Offset(body);
    if (at === -1 || body.length - at > 3 || !isIncompleteSequence(body.subarray(at))) throw error;
    return { text: decodeBody(body.subarray(0, at)), droppedBytes: body.length - at };
  }
}

/** Whether `tail` is the start of a well-formed UTF-8 sequence that the body ended before finishing. */
function isIncompleteSequence(tail: Uint8Array): boolean {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(tail, { stream: true }) === '';
  } catch {
    return false;
  }
}
