import { hash } from 'node:crypto';

import type { PaperId } from './paper.js';

/**
 * Version of the title normalization behind `title-…` ids. Changing `normalizeTitle` changes
 * ids, so it must come with a new version (and a reindex), never silently.
 */
export const TITLE_FINGERPRINT_VERSION = 1;

const NON_ASCII = /[\u0080-\uffff]/;

/** Case-, accent-, punctuation- and whitespace-insensitive form of a title. */
export function normalizeTitle(title: string): string {
  // Most titles are ASCII, where NFKD and mark removal change nothing and the only letters and
  // digits are [a-z0-9] once lower-cased: the same result, several times faster.
  if (!NON_ASCII.test(title)) {
    return title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
  }
  return normalizeTitleUnicode(title);
}

/** The general form of `normalizeTitle`, for any Unicode title. */
export function normalizeTitleUnicode(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function titleFingerprint(title: string): string {
  return hash('sha256', `v${TITLE_FINGERPRINT_VERSION}\n${normalizeTitle(title)}`, 'hex').slice(0, 24);
}

export function paperIdFromTitle(title: string): PaperId {
  return `title-${titleFingerprint(title)}`;
}

/**
 * Whether `id` is a title fingerprint id: the identity of a paper no source has given an arXiv
 * id for yet. Such an id is provisional: once a source names the paper's arXiv id, the record
 * moves to the arXiv id and the title id becomes an alias of it.
 */
export function isTitlePaperId(id: string): boolean {
  return id.startsWith('title-');
}

const NEW_STYLE_ARXIV = /^(\d{4}\.\d{4,5})(?:v(\d+))?$/;
const OLD_STYLE_ARXIV = /^([a-z-]+(?:\.[A-Z]{2})?\/\d{7})(?:v(\d+))?$/;

export interface ArxivIdParts {
  /** The id without its version: `2401.12345`, `hep-th/9901001`. */
  id: string;
  version: number | null;
}

/**
 * Parses an arXiv identifier in any of the forms sources print it (`arXiv:2401.12345v2`,
 * `http://arxiv.org/abs/hep-th/9901001v1`, `2401.12345`); null when it is not one.
 */
export function parseArxivId(raw: string): ArxivIdParts | null {
  const s = raw
    .trim()
    .replace(/^https?:\/\/(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf)\//i, '')
    .replace(/^arxiv:/i, '')
    .replace(/\.pdf$/i, '');
  const m = NEW_STYLE_ARXIV.exec(s) ?? OLD_STYLE_ARXIV.exec(s);
  if (!m?.[1]) return null;
  return { id: m[1], version: m[2] ? Number(m[2]) : null };
}

/** `2401.12345` → `arxiv-2401_12345`; `hep-th/9901001` → `arxiv-hep-th_9901001`. */
export function paperIdFromArxiv(arxivId: string): PaperId {
  return `arxiv-${arxivId.replace(/[./]/g, '_')}`;
}

/**
 * The key an author filter matches: case-, accent- and punctuation-insensitive, so
 * "José  García-López" and "jose garcia lopez" are the same author.
 */
export function authorKey(name: string): string {
  return normalizeTitle(name).replace(/ /g, '-');
}
