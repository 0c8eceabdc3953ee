import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { Paper } from '@paperwire/schema';
import { canonicalPaper, paperIdFromTitle } from '@paperwire/schema';

/** The Hugging Face Daily Papers listing captured on 2025-11-03: 68 papers on neighbouring topics. */
export const HF_FIXTURE_PATH = fileURLToPath(
  new URL('../../../../infra/digests/hf-daily-papers-2025-11-03.txt', import.meta.url),
);
export const HF_FIXTURE_URL = 'https://huggingface.co/papers?date=2025-11-03';
export const HF_FIXTURE_CAPTURED_AT = '2025-11-03T00:00:00.000Z';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const AUTHORS_LINE = /^\s*•\s*(\d+)\s+authors?$/;
const DATE_LINE = /^([A-Z][a-z]{2}) (\d{1,2})(?:, (\d{4}))?(?: (\d+))?$/;

/**
 * Papers of the fixture, read with the least parsing that works for it (the real parser lives
 * in @paperwire/parsers): each `• N authors` line follows title, blank line, abstract, blank
 * line, and precedes `·` and the date, with the upvote count after the date when there is one.
 */
export function readHfFixture(text = readFileSync(HF_FIXTURE_PATH, 'utf8')): Paper[] {
  const lines = text.split(/\r?\n/);
  const papers: Paper[] = [];
  for (const [i, line] of lines.entries()) {
    const authors = AUTHORS_LINE.exec(line);
    if (!authors) continue;
    const abstract = lines[i - 2]?.trim() ?? '';
    const title = lines[i - 4]?.trim() ?? '';
    if (!title || !abstract || lines[i - 1]?.trim() !== '' || lines[i - 3]?.trim() !== '') {
      throw new Error(
        `fixture line ${i + 1}: expected title, blank, abstract, blank before "${line.trim()}"`,
      );
    }
    const date = DATE_LINE.exec(lines[i + 2]?.trim() ?? '');
    const upvotes = date?.[4] ? Number(date[4]) : null;
    papers.push(
      canonicalPaper({
        id: paperIdFromTitle(title),
        title,
        abstract,
        authors: [],
        authorCount: Number(authors[1]),
        publishedAt: date ? isoDate(date[1]!, Number(date[2]), date[3] ? Number(date[3]) : 2025) : null,
        upvotes,
        codeUrls: [],
        arxivId: null,
        sources: [
          { name: 'hf', url: HF_FIXTURE_URL, format: 'hf-text', capturedAt: HF_FIXTURE_CAPTURED_AT, upvotes },
        ],
        firstSeenAt: HF_FIXTURE_CAPTURED_AT,
        lastSeenAt: HF_FIXTURE_CAPTURED_AT,
      }),
    );
  }
  return papers;
}

function isoDate(month: string, day: number, year: number): string {
  const m = MONTHS.indexOf(month) + 1;
  return `${year}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
