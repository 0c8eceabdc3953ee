/**
 * Characters XML 1.0 does not allow in a document at all, not even as references: C0 controls
 * other than tab, newline and carriage return, U+FFFE, U+FFFF and lone surrogates. Paper text
 * comes from pages paperwire does not control, so they are dropped rather than emitted.
 */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text as the content of an XML element (a carriage return as a reference, which parsers keep). */
export function xmlText(value: string): string {
  return value
    .replace(NOT_XML, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('\r', '&#13;');
}

/**
 * Text as the value of an XML attribute in double quotes. Tab, newline and carriage return are
 * written as references, which attribute-value normalization keeps (a literal one becomes a space).
 */
export function xmlAttribute(value: string): string {
  return xmlText(value)
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;')
    .replaceAll('\t', '&#9;')
    .replaceAll('\n', '&#10;');
}
