/**
 * The named character references of HTML 4 (plus `apos`): the set feeds and papers pages
 * actually use. HTML5 knows two thousand more; a name outside this table is left as written
 * rather than guessed.
 */
// prettier-ignore
const NAMED: Readonly<Record<string, number>> = {
  quot: 34, amp: 38, apos: 39, lt: 60, gt: 62,
  nbsp: 160, iexcl: 161, cent: 162, pound: 163, curren: 164, yen: 165, brvbar: 166, sect: 167,
  uml: 168, copy: 169, ordf: 170, laquo: 171, not: 172, shy: 173, reg: 174, macr: 175,
  deg: 176, plusmn: 177, sup2: 178, sup3: 179, acute: 180, micro: 181, para: 182, middot: 183,
  cedil: 184, sup1: 185, ordm: 186, raquo: 187, frac14: 188, frac12: 189, frac34: 190,
  iquest: 191, Agrave: 192, Aacute: 193, Acirc: 194, Atilde: 195, Auml: 196, Aring: 197,
  AElig: 198, Ccedil: 199, Egrave: 200, Eacute: 201, Ecirc: 202, Euml: 203, Igrave: 204,
  Iacute: 205, Icirc: 206, Iuml: 207, ETH: 208, Ntilde: 209, Ograve: 210, Oacute: 211,
  Ocirc: 212, Otilde: 213, Ouml: 214, times: 215, Oslash: 216, Ugrave: 217, Uacute: 218,
  Ucirc: 219, Uuml: 220, Yacute: 221, THORN: 222, szlig: 223, agrave: 224, aacute: 225,
  acirc: 226, atilde: 227, auml: 228, aring: 229, aelig: 230, ccedil: 231, egrave: 232,
  eacute: 233, ecirc: 234, euml: 235, igrave: 236, iacute: 237, icirc: 238, iuml: 239,
  eth: 240, ntilde: 241, ograve: 242, oacute: 243, ocirc: 244, otilde: 245, ouml: 246,
  divide: 247, oslash: 248, ugrave: 249, uacute: 250, ucirc: 251, uuml: 252, yacute: 253,
  thorn: 254, yuml: 255,
  OElig: 338, oelig: 339, Scaron: 352, scaron: 353, Yuml: 376, fnof: 402, circ: 710,
  tilde: 732,
  Alpha: 913, Beta: 914, Gamma: 915, Delta: 916, Epsilon: 917, Zeta: 918, Eta: 919,
  Theta: 920, Iota: 921, Kappa: 922, Lambda: 923, Mu: 924, Nu: 925, Xi: 926, Omicron: 927,
  Pi: 928, Rho: 929, Sigma: 931, Tau: 932, Upsilon: 933, Phi: 934, Chi: 935, Psi: 936,
  Omega: 937, alpha: 945, beta: 946, gamma: 947, delta: 948, epsilon: 949, zeta: 950,
  eta: 951, theta: 952, iota: 953, kappa: 954, lambda: 955, mu: 956, nu: 957, xi: 958,
  omicron: 959, pi: 960, rho: 961, sigmaf: 962, sigma: 963, tau: 964, upsilon: 965, phi: 966,
  chi: 967, psi: 968, omega: 969, thetasym: 977, upsih: 978, piv: 982,
  ensp: 8194, emsp: 8195, thinsp: 8201, zwnj: 8204, zwj: 8205, lrm: 8206, rlm: 8207,
  ndash: 8211, mdash: 8212, lsquo: 8216, rsquo: 8217, sbquo: 8218, ldquo: 8220, rdquo: 8221,
  bdquo: 8222, dagger: 8224, Dagger: 8225, bull: 8226, hellip: 8230, permil: 8240,
  prime: 8242, Prime: 8243, lsaquo: 8249, rsaquo: 8250, oline: 8254, frasl: 8260, euro: 8364,
  image: 8465, weierp: 8472, real: 8476, trade: 8482, alefsym: 8501, larr: 8592, uarr: 8593,
  rarr: 8594, darr: 8595, harr: 8596, crarr: 8629, lArr: 8656, uArr: 8657, rArr: 8658,
  dArr: 8659, hArr: 8660, forall: 8704, part: 8706, exist: 8707, empty: 8709, nabla: 8711,
  isin: 8712, notin: 8713, ni: 8715, prod: 8719, sum: 8721, minus: 8722, lowast: 8727,
  radic: 8730, prop: 8733, infin: 8734, ang: 8736, and: 8743, or: 8744, cap: 8745, cup: 8746,
  int: 8747, there4: 8756, sim: 8764, cong: 8773, asymp: 8776, ne: 8800, equiv: 8801, le: 8804,
  ge: 8805, sub: 8834, sup: 8835, nsub: 8836, sube: 8838, supe: 8839, oplus: 8853,
  otimes: 8855, perp: 8869, sdot: 8901, lceil: 8968, rceil: 8969, lfloor: 8970, rfloor: 8971,
  lang: 9001, rang: 9002, loz: 9674, spades: 9824, clubs: 9827, hearts: 9829, diams: 9830,
};

const NAMED_MAP: ReadonlyMap<string, string> = new Map(
  Object.entries(NAMED).map(([name, code]) => [name, String.fromCodePoint(code)]),
);

/** `&name;`, `&#39;`, `&#x27;`: the semicolon is required, as in XML. */
const REFERENCE = /&(?:#(\d{1,8})|#[xX]([0-9A-Fa-f]{1,8})|([A-Za-z][A-Za-z0-9]{1,31}));/g;

/** Above this length a character scan beats a regular-expression replace (measured). */
const SCAN_THRESHOLD = 2048;

/**
 * Decodes character references once: `&amp;lt;` becomes `&lt;`, not `<`. Numeric references
 * to code points no text may hold (NUL, surrogates, beyond U+10FFFF) become U+FFFD, as HTML
 * does; unknown names stay as written.
 */
export function decodeEntities(s: string): string {
  if (s.indexOf('&') === -1) return s;
  return s.length > SCAN_THRESHOLD ? decodeEntitiesByScan(s) : decodeEntitiesByRegex(s);
}

/** The reference implementation: one regular-expression pass. */
export function decodeEntitiesByRegex(s: string): string {
  return s.replace(REFERENCE, replaceReference);
}

function replaceReference(whole: string, dec?: string, hex?: string, name?: string): string {
  if (name !== undefined) return NAMED_MAP.get(name) ?? whole;
  return String.fromCodePoint(
    safeCodePoint(dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex!, 16)),
  );
}

function safeCodePoint(code: number): number {
  return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? 0xfffd : code;
}

/**
 * The same decoding as `decodeEntitiesByRegex`, as one pass over UTF-16 code units into a
 * buffer. A papers page's `data-props` is megabytes of JSON with a reference for every quote;
 * replacing a million matches through a callback costs five times as much, mostly in garbage.
 */
export function decodeEntitiesByScan(s: string): string {
  const n = s.length;
  // A reference is never shorter than what it decodes to, so the output fits.
  const out = new Uint16Array(n);
  let j = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x26 /* & */) {
      out[j++] = c;
      continue;
    }
    const ref = readReference(s, i);
    if (ref === null) {
      out[j++] = c;
      continue;
    }
    const code = ref.code;
    if (code > 0xffff) {
      const v = code - 0x10000;
      out[j++] = 0xd800 + (v >> 10);
      out[j++] = 0xdc00 + (v & 0x3ff);
    } else out[j++] = code;
    i = ref.end - 1;
  }
  return Buffer.from(out.buffer, 0, j * 2).toString('utf16le');
}

const HIT = { code: 0, end: 0 };

/** The reference starting at `s[at]` (an `&`), in a reused object; null when there is none. */
function readReference(s: string, at: number): { code: number; end: number } | null {
  const first = s.charCodeAt(at + 1);
  // The common ones, without building a name.
  if (first === 0x71 /* q */ && s.startsWith('quot;', at + 1)) return hit(0x22, at + 6);
  if (first === 0x61 /* a */ && s.startsWith('amp;', at + 1)) return hit(0x26, at + 5);
  if (first === 0x23 /* # */) {
    const hex = s.charCodeAt(at + 2) === 0x78 || s.charCodeAt(at + 2) === 0x58;
    const from = at + (hex ? 3 : 2);
    const maxDigits = 8;
    let i = from;
    let code = 0;
    while (i < s.length && i - from < maxDigits) {
      const d = digitValue(s.charCodeAt(i), hex);
      if (d < 0) break;
      code = code * (hex ? 16 : 10) + d;
      i++;
    }
    if (i === from || s.charCodeAt(i) !== 0x3b /* ; */) return null;
    return hit(safeCodePoint(code), i + 1);
  }
  if (!isAsciiLetter(first)) return null;
  let i = at + 2;
  const limit = Math.min(s.length, at + 1 + 32);
  while (i < limit && isAsciiAlphanumeric(s.charCodeAt(i))) i++;
  if (i === at + 2 || s.charCodeAt(i) !== 0x3b) return null;
  const decoded = NAMED_MAP.get(s.slice(at + 1, i));
  if (decoded === undefined) return null;
  return hit(decoded.codePointAt(0)!, i + 1);
}

function hit(code: number, end: number): { code: number; end: number } {
  HIT.code = code;
  HIT.end = end;
  return HIT;
}

function digitValue(c: number, hex: boolean): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (!hex) return -1;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function isAsciiAlphanumeric(c: number): boolean {
  return isAsciiLetter(c) || (c >= 0x30 && c <= 0x39);
}
