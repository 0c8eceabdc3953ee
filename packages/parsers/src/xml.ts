import { decodeEntities } from './entities.js';

/**
 * One element of a feed. `nodes` holds its content in document order: decoded text and child
 * elements. `closed` is false for an element whose end tag never came (the page was cut, or
 * an ancestor was closed first).
 */
export interface XmlElement {
  /** Qualified name as written: `entry`, `arxiv:primary_category`, `rdf:RDF`. */
  readonly name: string;
  /** Name without its prefix: `primary_category`, `RDF`. */
  readonly local: string;
  readonly attrs: ReadonlyMap<string, string>;
  readonly nodes: (string | XmlElement)[];
  closed: boolean;
}

export interface XmlDocument {
  /** The first top-level element, or null when the text has none. */
  root: XmlElement | null;
  /** The text ended inside an element, tag, comment or CDATA section. */
  truncated: boolean;
  /**
   * The entities the DOCTYPE's internal subset declares (`<!ENTITY name …>`), in order. They are
   * never expanded: a reference to one stays as written.
   */
  declaredEntities: DeclaredEntity[];
  /** Reading stopped at the element that passed `maxElements`: its offset. Null when it did not. */
  elementLimitAt: number | null;
}

export interface DeclaredEntity {
  name: string;
  /** Declared with SYSTEM or PUBLIC: its value would be read from a file or URL. */
  external: boolean;
}

export interface XmlLimits {
  /**
   * Elements read at most. Each costs about 150 bytes of memory, so this bounds what a page of
   * millions of tiny elements can take (a 20 MB page of `<x/>` would take 800 MB); the largest
   * arXiv responses hold a few tens of thousands.
   */
  maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxElements: 500_000 };

const NO_ATTRS: ReadonlyMap<string, string> = new Map();

/**
 * Reads XML the way feeds need it read: tolerant, never throwing. It is not a validating
 * parser — namespaces are left as prefixes, a DTD is skipped, an end tag that matches no open
 * element is ignored, one that matches an outer element closes the ones inside it, and text
 * after a cut ends the document. What it guarantees is what the formats rely on: elements,
 * attributes, text with character references decoded, CDATA kept as written, and whether the
 * document (and each element) was complete.
 */
export function parseXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlDocument {
  const top: XmlElement = { name: '', local: '', attrs: NO_ATTRS, nodes: [], closed: false };
  const stack: XmlElement[] = [top];
  const open = new Map<string, number>();
  let current = top;
  let pos = 0;
  const end = text.length;
  let truncated = false;
  const declaredEntities: DeclaredEntity[] = [];
  let elements = 0;
  let elementLimitAt: number | null = null;

  while (pos < end) {
    const lt = text.indexOf('<', pos);
    if (lt === -1) {
      appendText(current, text.slice(pos), true);
      break;
    }
    if (lt > pos) appendText(current, text.slice(pos, lt), true);
    const next = text.charCodeAt(lt + 1);

    if (next === 0x2f /* / */) {
      const gt = text.indexOf('>', lt + 2);
      if (gt === -1) {
        truncated = true;
        break;
      }
      const name = text.slice(lt + 2, gt).trim();
      // Counting open elements by name makes an end tag that matches nothing cost nothing,
      // rather than a walk down a stack a hostile page can make deep.
      if ((open.get(name) ?? 0) > 0) {
        for (let i = stack.length - 1; i > 0; i--) {
          const element = stack[i]!;
          open.set(element.name, open.get(element.name)! - 1);
          if (element.name !== name) continue;
          element.closed = true;
          stack.length = i;
          current = stack[i - 1]!;
          break;
        }
      }
      pos = gt + 1;
      continue;
    }

    if (next === 0x21 /* ! */) {
      if (text.startsWith('<!--', lt)) {
        const close = text.indexOf('-->', lt + 4);
        if (close === -1) {
          truncated = true;
          break;
        }
        pos = close + 3;
      } else if (text.startsWith('<![CDATA[', lt)) {
        const close = text.indexOf(']]>', lt + 9);
        if (close === -1) {
          truncated = true;
          break;
        }
        appendText(current, text.slice(lt + 9, close), false);
        pos = close + 3;
      } else {
        const close = skipDeclaration(text, lt + 2);
        if (close === -1) {
          truncated = true;
          break;
        }
        if (/^<!DOCTYPE/i.test(text.slice(lt, lt + 9))) {
          declaredEntities.push(...entityDeclarations(text.slice(lt, close)));
        }
        pos = close;
      }
      continue;
    }

    if (next === 0x3f /* ? */) {
      const close = text.indexOf('?>', lt + 2);
      if (close === -1) {
        truncated = true;
        break;
      }
      pos = close + 2;
      continue;
    }

    if (!isNameStart(next)) {
      // A stray `<` in text (`a < b` written unescaped): keep it as text.
      appendText(current, '<', false);
      pos = lt + 1;
      continue;
    }

    if (elements >= limits.maxElements) {
      elementLimitAt = lt;
      break;
    }
    const tag = readStartTag(text, lt + 1);
    if (tag === null) {
      truncated = true;
      break;
    }
    elements++;
    const colon = tag.name.indexOf(':');
    const element: XmlElement = {
      name: tag.name,
      local: colon === -1 ? tag.name : tag.name.slice(colon + 1),
      attrs: tag.attrs,
      nodes: [],
      closed: tag.selfClosing,
    };
    current.nodes.push(element);
    if (!tag.selfClosing) {
      stack.push(element);
      open.set(element.name, (open.get(element.name) ?? 0) + 1);
      current = element;
    }
    pos = tag.end;
  }

  if (stack.length > 1) truncated = true;
  let root: XmlElement | null = null;
  for (const node of top.nodes) {
    if (typeof node !== 'string') {
      root = node;
      break;
    }
  }
  return { root, truncated, declaredEntities, elementLimitAt };
}

/** `<!ENTITY name "v">`, `<!ENTITY name SYSTEM "file:…">`, `<!ENTITY % name …>` in a DOCTYPE. */
const ENTITY_DECLARATION = /<!ENTITY\s+(?:%\s+)?([^\s>]+)([^>]*)>?/g;

function entityDeclarations(doctype: string): DeclaredEntity[] {
  const out: DeclaredEntity[] = [];
  for (const m of doctype.matchAll(ENTITY_DECLARATION)) {
    out.push({ name: m[1]!, external: /^\s*(?:SYSTEM|PUBLIC)\b/.test(m[2] ?? '') });
  }
  return out;
}

/**
 * Why a feed is not read at all, or null. A DOCTYPE that declares entities is how XML external
 * entity (a file or URL read into the page) and entity expansion (billion laughs) attacks are
 * written; no feed we read declares any, and leaving the references unexpanded would index
 * `&xxe;` as a title. A document past the element limit is refused rather than read in part.
 */
export function xmlRefusal(doc: XmlDocument, limits: XmlLimits = DEFAULT_XML_LIMITS): string | null {
  if (doc.declaredEntities.length > 0) {
    const shown = doc.declaredEntities.slice(0, 5).map((e) => (e.external ? `${e.name} (external)` : e.name));
    const more = doc.declaredEntities.length > 5 ? `, … ${doc.declaredEntities.length} in all` : '';
    return `refused: its DOCTYPE declares entities (${shown.join(', ')}${more}); DTD entities are never expanded, since they are how XML external entity and entity expansion (billion laughs) attacks are written`;
  }
  if (doc.elementLimitAt !== null) {
    return `refused: more than ${limits.maxElements} elements (the limit was passed at offset ${doc.elementLimitAt})`;
  }
  return null;
}

function appendText(element: XmlElement, raw: string, decode: boolean): void {
  const text = decode ? decodeEntities(raw) : raw;
  const nodes = element.nodes;
  const last = nodes.length - 1;
  if (last >= 0 && typeof nodes[last] === 'string') nodes[last] = (nodes[last] as string) + text;
  else nodes.push(text);
}

function isNameStart(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    code === 0x5f /* _ */ ||
    code === 0x3a /* : */ ||
    code >= 0x80
  );
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d;
}

/** End of `<!DOCTYPE …>` (with an internal subset in brackets) or any other `<!…>`; -1 if cut. */
function skipDeclaration(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b /* [ */) depth++;
    else if (c === 0x5d /* ] */) depth = Math.max(0, depth - 1);
    else if (c === 0x3e /* > */ && depth === 0) return i + 1;
  }
  return -1;
}

interface StartTag {
  name: string;
  attrs: ReadonlyMap<string, string>;
  selfClosing: boolean;
  /** Offset just after the `>`. */
  end: number;
}

/** Reads `name attr="v" …>` from just after the `<`; null when the text ends inside the tag. */
function readStartTag(text: string, from: number): StartTag | null {
  const end = text.length;
  let i = from;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (isSpace(c) || c === 0x3e /* > */ || c === 0x2f /* / */) break;
    i++;
  }
  if (i >= end) return null;
  const name = text.slice(from, i);
  let attrs: Map<string, string> | null = null;

  for (;;) {
    while (i < end && isSpace(text.charCodeAt(i))) i++;
    if (i >= end) return null;
    const c = text.charCodeAt(i);
    if (c === 0x3e /* > */) {
      return { name, attrs: attrs ?? NO_ATTRS, selfClosing: false, end: i + 1 };
    }
    if (c === 0x2f /* / */) {
      if (i + 1 >= end) return null;
      if (text.charCodeAt(i + 1) === 0x3e) {
        return { name, attrs: attrs ?? NO_ATTRS, selfClosing: true, end: i + 2 };
      }
      i++;
      continue;
    }
    const nameStart = i;
    while (i < end) {
      const d = text.charCodeAt(i);
      if (isSpace(d) || d === 0x3d /* = */ || d === 0x3e || d === 0x2f) break;
      i++;
    }
    const attrName = text.slice(nameStart, i);
    while (i < end && isSpace(text.charCodeAt(i))) i++;
    if (i >= end) return null;
    let value = '';
    if (text.charCodeAt(i) === 0x3d /* = */) {
      i++;
      while (i < end && isSpace(text.charCodeAt(i))) i++;
      if (i >= end) return null;
      const q = text.charCodeAt(i);
      if (q === 0x22 || q === 0x27) {
        const close = text.indexOf(q === 0x22 ? '"' : "'", i + 1);
        if (close === -1) return null;
        value = decodeEntities(text.slice(i + 1, close));
        i = close + 1;
      } else {
        const valueStart = i;
        while (i < end) {
          const d = text.charCodeAt(i);
          if (isSpace(d) || d === 0x3e) break;
          i++;
        }
        value = decodeEntities(text.slice(valueStart, i));
      }
    }
    if (attrName !== '') {
      attrs ??= new Map();
      if (!attrs.has(attrName)) attrs.set(attrName, value);
    }
  }
}

/** Child elements of `element`, in order. */
export function childElements(element: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const node of element.nodes) if (typeof node !== 'string') out.push(node);
  return out;
}

/** First child element with this local name, or null. */
export function firstChild(element: XmlElement, local: string): XmlElement | null {
  for (const node of element.nodes) if (typeof node !== 'string' && node.local === local) return node;
  return null;
}

/** Every child element with this local name. */
export function childrenNamed(element: XmlElement, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const node of element.nodes) if (typeof node !== 'string' && node.local === local) out.push(node);
  return out;
}

/**
 * All text inside `element`, descendants included, in document order. Iterative, since a
 * hostile page can nest elements deeper than the call stack goes.
 */
export function textContent(element: XmlElement): string {
  const nodes = element.nodes;
  if (nodes.length === 1 && typeof nodes[0] === 'string') return nodes[0];
  let out = '';
  const pending: (string | XmlElement)[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) pending.push(nodes[i]!);
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (typeof node === 'string') {
      out += node;
      continue;
    }
    for (let i = node.nodes.length - 1; i >= 0; i--) pending.push(node.nodes[i]!);
  }
  return out;
}

/** An attribute by its qualified name or, failing that, by local name (`about` finds `rdf:about`). */
export function attribute(element: XmlElement, name: string): string | null {
  const exact = element.attrs.get(name);
  if (exact !== undefined) return exact;
  for (const [key, value] of element.attrs) {
    const colon = key.indexOf(':');
    if (colon !== -1 && key.slice(colon + 1) === name) return value;
  }
  return null;
}

/**
 * The local name of the first element of a document, read from its start without parsing the
 * rest: `feed`, `rss`, `RDF`, `html`. Null when the text does not start like XML.
 */
export function rootElementName(text: string, limit = 4096): string | null {
  let i = 0;
  const end = Math.min(text.length, limit);
  while (i < end) {
    const c = text.charCodeAt(i);
    if (isSpace(c) || c === 0xfeff) {
      i++;
      continue;
    }
    if (c !== 0x3c /* < */) return null;
    if (text.startsWith('<?', i)) {
      const close = text.indexOf('?>', i + 2);
      if (close === -1) return null;
      i = close + 2;
    } else if (text.startsWith('<!--', i)) {
      const close = text.indexOf('-->', i + 4);
      if (close === -1) return null;
      i = close + 3;
    } else if (text.startsWith('<!', i)) {
      const close = skipDeclaration(text, i + 2);
      if (close === -1) return null;
      i = close;
    } else {
      const m = /^<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)[\s/>]/.exec(text.slice(i, i + 200));
      if (!m?.[1]) return null;
      const colon = m[1].indexOf(':');
      return colon === -1 ? m[1] : m[1].slice(colon + 1);
    }
  }
  return null;
}
