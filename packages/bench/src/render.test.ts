import { parsePage } from '@paperwire/parsers';
import { describe, expect, it } from 'vitest';

import { makeCorpus } from './corpus.js';
import { render, RENDITIONS } from './render.js';

describe('benchmark renditions', () => {
  const corpus = makeCorpus(300, 7);

  it('are the same for the same seed', () => {
    expect(makeCorpus(300, 7)).toEqual(corpus);
    expect(makeCorpus(300, 8)).not.toEqual(corpus);
  });

  it.each(RENDITIONS)('%s parses back to every paper, without warnings', (rendition) => {
    const result = parsePage(new TextEncoder().encode(render(rendition, corpus)), {
      url: `https://example.org/${rendition}`,
      sourceName: 'bench',
      capturedAt: '2025-11-03T12:00:00.000Z',
      contentType: null,
      formatHint: null,
    });
    expect(result.format).toBe(rendition === 'arxiv-rss-1.0' ? 'arxiv-rss' : rendition);
    expect(result.warnings).toEqual([]);
    expect(result.papers).toHaveLength(corpus.length);
    if (rendition !== 'hf-text') {
      expect(result.papers.map((p) => p.arxivId)).toEqual(
        corpus.map((p) => p.arxivIdWithVersion.replace(/v\d+$/, '')),
      );
    }
  });
});
