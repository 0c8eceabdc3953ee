import { parseArxivId } from '@paperwire/schema';

import { extractCodeUrls, normalizeCodeUrl } from './code-urls.js';
import { isoDatePart } from './dates.js';
import { cleanText, clip } from './text.js';
import type { PaperDraft } from './types.js';

/**
 * Reads the entries of a Hugging Face daily-papers list (the `/api/daily_papers` array, or
 * `dailyPapers` in a papers page's props). Each entry is
 *
 *     { paper: { id, title, summary, authors: [{ name }], publishedAt, upvotes, githubRepo, … },
 *       publishedAt, title, summary, numComments, submittedBy, … }
 *
 * Fields came and went over the years, so every one is optional: a missing or mistyped field
 * is unknown (null or empty), with a warning when it was there but unreadable. An entry
 * without a title cannot be identified and is skipped. The entry's own `publishedAt` is the
 * day the digest listed the paper, not the paper's date; the schema has no place for it, so
 * it is not read.
 */
export function draftsFromDailyPapers(entries: readonly unknown[], warnings: string[]): PaperDraft[] {
  const drafts: PaperDraft[] = [];
  for (let i = 0; i < entries.length; i++) {
    const draft = draftFromEntry(entries[i], i, warnings);
    if (draft !== null) drafts.push(draft);
  }
  return drafts;
}

/**
 * The paper list inside a decoded JSON value: the value itself when it is an array, else its
 * `dailyPapers` or `papers` array. Null when there is none.
 */
export function dailyPapersList(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value;
  if (!isRecord(value)) return null;
  for (const key of ['dailyPapers', 'papers']) {
    const list = value[key];
    if (Array.isArray(list)) return list;
  }
  return null;
}

function draftFromEntry(entry: unknown, index: number, warnings: string[]): PaperDraft | null {
  const where = `entry ${index + 1}`;
  if (!isRecord(entry)) {
    warnings.push(`${where} is not an object; skipped`);
    return null;
  }
  // Some lists hold the paper itself rather than a listing of it.
  const paper = isRecord(entry.paper) ? entry.paper : entry;

  const rawTitle = stringField(paper, 'title') ?? stringField(entry, 'title');
  const title = rawTitle === null ? '' : cleanText(rawTitle);
  if (title === '') {
    warnings.push(`${where} has no title; skipped`);
    return null;
  }
  const label = `"${clip(title)}" (${where})`;
  const rawAbstract = stringField(paper, 'summary') ?? stringField(entry, 'summary');
  const abstract = rawAbstract === null ? '' : cleanText(rawAbstract);

  const authors = authorNames(paper.authors, label, warnings);

  let arxivId: string | null = null;
  const id = paper.id;
  if (typeof id === 'string') {
    arxivId = parseArxivId(id)?.id ?? null;
    if (arxivId === null) warnings.push(`${label}: id "${clip(id)}" is not an arXiv id; identified by title`);
  } else if (id !== undefined && id !== null) {
    warnings.push(`${label}: id is not a string; identified by title`);
  }

  let publishedAt: string | null = null;
  const published = paper.publishedAt;
  if (typeof published === 'string') {
    publishedAt = isoDatePart(published);
    if (publishedAt === null)
      warnings.push(`${label}: publishedAt "${clip(published)}" is not a date; publishedAt unknown`);
  } else if (published !== undefined && published !== null) {
    warnings.push(`${label}: publishedAt is not a string; publishedAt unknown`);
  }

  let upvotes: number | null = null;
  const votes = paper.upvotes;
  if (typeof votes === 'number' && Number.isSafeInteger(votes) && votes >= 0) upvotes = votes;
  else if (votes !== undefined && votes !== null)
    warnings.push(`${label}: upvotes ${clip(JSON.stringify(votes))} is not a count; upvotes unknown`);

  const codeUrls: string[] = [];
  const repo = paper.githubRepo;
  if (typeof repo === 'string' && repo.trim() !== '') {
    const url = normalizeCodeUrl(repo);
    if (url === null)
      warnings.push(`${label}: githubRepo "${clip(repo)}" is not a GitHub repository; ignored`);
    else codeUrls.push(url);
  }
  for (const url of extractCodeUrls(abstract)) {
    const key = url.toLowerCase();
    if (!codeUrls.some((u) => u.toLowerCase() === key)) codeUrls.push(url);
  }

  return {
    title,
    abstract,
    authors,
    authorCount: authors.length > 0 ? authors.length : null,
    publishedAt,
    upvotes,
    codeUrls,
    arxivId,
  };
}

/** Names of `[{ name }, …]` (or of plain strings), in order; unnamed authors are left out. */
function authorNames(value: unknown, label: string, warnings: string[]): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    warnings.push(`${label}: authors is not a list; authors unknown`);
    return [];
  }
  const names: string[] = [];
  for (const author of value) {
    const raw = typeof author === 'string' ? author : isRecord(author) ? author.name : undefined;
    if (typeof raw !== 'string') continue;
    const name = cleanText(raw);
    if (name !== '') names.push(name);
  }
  return names;
}

function stringField(record: Record<string, unknown>, key: string): string | null {
  const value = record[key];
  return typeof value === 'string' ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
