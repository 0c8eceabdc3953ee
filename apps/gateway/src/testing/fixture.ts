import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { parsePage } from '@paperwire/parsers';
import {
  canonicalPaper,
  paperIdFromArxiv,
  paperIdFromTitle,
  type Paper,
  type PaperSource,
} from '@paperwire/schema';
import { repoRoot } from '@paperwire/testing';

/** The Hugging Face Daily Papers listing captured on 2025-11-03 (68 papers). */
export const HF_FIXTURE_PATH = join(repoRoot, 'infra', 'digests', 'hf-daily-papers-2025-11-03.txt');
export const HF_FIXTURE_URL = 'https://huggingface.co/papers?date=2025-11-03';
export const HF_CAPTURED_AT = '2025-11-03T00:00:00.000Z';
export const HF_SOURCE = 'hf';

/** The fixture's papers, as the parser reads them. */
export async function fixturePapers(): Promise<Paper[]> {
  const body = await readFile(HF_FIXTURE_PATH);
  const { papers } = parsePage(body, {
    url: HF_FIXTURE_URL,
    sourceName: HF_SOURCE,
    capturedAt: HF_CAPTURED_AT,
    contentType: 'text/plain',
    formatHint: null,
  });
  return papers;
}

interface Sighting {
  name: string;
  url: string;
  format: PaperSource['format'];
  capturedAt: string;
  upvotes: number | null;
}

function handBuilt(p: {
  title: string;
  abstract: string;
  authors: string[];
  publishedAt: string | null;
  upvotes: number | null;
  codeUrls?: string[];
  arxivId?: string;
  sources: Sighting[];
}): Paper {
  const seen = p.sources.map((s) => s.capturedAt).sort();
  return canonicalPaper({
    id: p.arxivId ? paperIdFromArxiv(p.arxivId) : paperIdFromTitle(p.title),
    title: p.title,
    abstract: p.abstract,
    authors: p.authors,
    authorCount: p.authors.length,
    publishedAt: p.publishedAt,
    upvotes: p.upvotes,
    codeUrls: p.codeUrls ?? [],
    arxivId: p.arxivId ?? null,
    sources: p.sources,
    firstSeenAt: seen[0] as string,
    lastSeenAt: seen[seen.length - 1] as string,
  });
}

const arxiv = (capturedAt: string): Sighting => ({
  name: 'arxiv',
  url: 'https://export.arxiv.org/api/query?search_query=cat:quant-ph',
  format: 'arxiv-atom',
  capturedAt,
  upvotes: null,
});

/**
 * Papers with what the fixture lacks: author names, arXiv ids, several sources, dates in other
 * years, first sightings after the fixture's capture, and markup in a title.
 */
export const QEC = handBuilt({
  title: 'Quantum Error Correction with Surface Codes at Scale',
  abstract:
    'We show that surface codes correct quantum errors below threshold on a superconducting processor, with a decoder that runs in real time.',
  authors: ['José García-López', 'Ada Lovelace'],
  publishedAt: '2024-01-05',
  upvotes: 120,
  codeUrls: ['https://github.com/example/surface-codes'],
  arxivId: '2401.00001',
  sources: [
    { ...arxiv('2024-01-06T09:00:00.000Z'), upvotes: null },
    {
      name: HF_SOURCE,
      url: 'https://huggingface.co/papers?date=2024-01-06',
      format: 'hf-json',
      capturedAt: '2024-01-07T00:00:00.000Z',
      upvotes: 120,
    },
  ],
});
export const MEMORIES = handBuilt({
  title: 'Topological Quantum Memories in Two Dimensions',
  abstract: 'Topological codes store quantum information in the ground space of local Hamiltonians.',
  authors: ['Alan Turing'],
  publishedAt: '2023-12-20',
  upvotes: null,
  arxivId: '2312.09999',
  sources: [arxiv('2023-12-21T10:00:00.000Z')],
});
export const ANNEALING = handBuilt({
  title: 'Quantum Annealing for Job Shop Scheduling',
  abstract: 'Annealing on quantum hardware schedules jobs on machines with fewer violated constraints.',
  authors: ['Grace Hopper', 'Ada Lovelace'],
  publishedAt: '2025-11-10',
  upvotes: 5,
  sources: [
    {
      name: HF_SOURCE,
      url: 'https://huggingface.co/papers?date=2025-11-10',
      format: 'hf-text',
      capturedAt: '2025-11-10T12:00:00.000Z',
      upvotes: 5,
    },
    arxiv('2025-11-11T08:30:00.000Z'),
  ],
});
export const MARKUP = handBuilt({
  title: 'Escaping <script>alert(1)</script> & "Quotes" in Quantum Titles',
  abstract: 'A title with <b>markup</b> & entities like &amp; must come back as text, never as HTML.',
  authors: ['Mallory <img src=x onerror=alert(1)>'],
  publishedAt: '2022-06-01',
  upvotes: 0,
  sources: [
    {
      name: 'rss',
      url: 'https://export.arxiv.org/rss/quant-ph',
      format: 'arxiv-rss',
      capturedAt: '2022-06-02T00:00:00.000Z',
      upvotes: null,
    },
  ],
});

export const HAND_BUILT: readonly Paper[] = [QEC, MEMORIES, ANNEALING, MARKUP];

/** Everything the gateway suites index: the fixture and the hand-built papers. */
export async function seedPapers(): Promise<Paper[]> {
  return [...(await fixturePapers()), ...HAND_BUILT];
}

/** When the fixture's page is captured again, in `recapturedPapers`. */
export const HF_RECAPTURED_AT = '2025-11-03T06:00:00.000Z';
/** Upvotes gained by the fixture's counted papers by the second capture, six hours later. */
const GAINED = [60, 12, 30, 0];

/**
 * The fixture's page captured again six hours later: every paper seen again, the papers that
 * showed a count having gained `GAINED` (10, 2, 5 and 0 upvotes an hour). Merged with the
 * fixture, three papers trend: the first counted one, then the third, then the second.
 */
export async function recapturedPapers(): Promise<Paper[]> {
  let counted = 0;
  return (await fixturePapers()).map((paper) => {
    const upvotes = paper.upvotes === null ? null : paper.upvotes + (GAINED[counted++] ?? 0);
    return canonicalPaper({
      ...paper,
      upvotes,
      sources: paper.sources.map((s) => ({ ...s, capturedAt: HF_RECAPTURED_AT, upvotes })),
      firstSeenAt: HF_RECAPTURED_AT,
      lastSeenAt: HF_RECAPTURED_AT,
    });
  });
}
