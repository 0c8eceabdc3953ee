import { canonicalPaper, mergePapers, type Paper } from '@paperwire/schema';
import { describe, expect, it } from 'vitest';

import { sightedPapers } from './sighting.js';

const URL = 'https://huggingface.co/papers?date=2025-11-03';
const PARSED_AT = '2025-11-03T08:00:00.000Z';
const SEEN_AT = '2025-11-05T08:00:00.000Z';

function parsed(over: Partial<Paper> = {}): Paper {
  return canonicalPaper({
    id: 'arxiv-2511_00001',
    title: 'Routing Under a Budget',
    abstract: 'We route.',
    authors: ['A. Author'],
    authorCount: 1,
    publishedAt: '2025-11-01',
    upvotes: 7,
    codeUrls: ['https://github.com/example/routing'],
    arxivId: '2511.00001',
    sources: [{ name: 'hf', url: URL, format: 'hf-html', capturedAt: PARSED_AT, upvotes: 7 }],
    firstSeenAt: PARSED_AT,
    lastSeenAt: PARSED_AT,
    ...over,
  });
}

const page = { url: URL, sourceName: 'hf', capturedAt: SEEN_AT };

describe('sightedPapers', () => {
  it('stamps each paper with the capture, keeping what the same body shows (title, counts, …)', () => {
    const [sut] = sightedPapers([parsed()], page)!;
    expect(sut).toEqual(
      parsed({
        sources: [{ name: 'hf', url: URL, format: 'hf-html', capturedAt: SEEN_AT, upvotes: 7 }],
        firstSeenAt: SEEN_AT,
        lastSeenAt: SEEN_AT,
      }),
    );
    // Canonical, like a parse: merging it with itself changes nothing.
    expect(mergePapers(sut!, sut!)).toEqual(sut);
  });

  it('keeps the page order and every paper', () => {
    const papers = [parsed(), parsed({ id: 'arxiv-2511_00002', arxivId: '2511.00002', title: 'Another' })];
    expect(sightedPapers(papers, page)?.map((p) => p.id)).toEqual(['arxiv-2511_00001', 'arxiv-2511_00002']);
    expect(sightedPapers([], page)).toEqual([]);
  });

  it('is null for papers parsed from another URL or source name: they are no sighting of this page', () => {
    expect(sightedPapers([parsed()], { ...page, url: 'https://mirror.example/papers' })).toBeNull();
    expect(sightedPapers([parsed()], { ...page, sourceName: 'mirror' })).toBeNull();
  });
});
