const PREVIEW_CHARS = 80;
const PREVIEW_BYTES = 32;

/** The start of a text, quoted with control characters escaped, for error messages. */
export function previewText(text: string, max = PREVIEW_CHARS): string {
  const chars = Array.from(text.slice(0, max * 2)).slice(0, max);
  const head = chars.join('');
  return JSON.stringify(head) + (head.length < text.length ? '…' : '');
}

/** The first bytes of a body as hex and as escaped Latin-1, for error messages. */
export function previewBytes(bytes: Uint8Array, max = PREVIEW_BYTES): string {
  const head = bytes.subarray(0, max);
  const hex = Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const escaped = Array.from(head, (b) =>
    b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c
      ? String.fromCharCode(b)
      : `\\x${b.toString(16).padStart(2, '0')}`,
  ).join('');
  const more = bytes.length > max ? '…' : '';
  return `[${hex}${more}] "${escaped}"${more}`;
}
