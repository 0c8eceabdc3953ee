import { paperIdFromTitle, type Paper } from '@paperwire/schema';
import { createSqliteIndex } from '@paperwire/search';
import { tempDir } from '@paperwire/testing';
import { describe, expect, it } from 'vitest';

import { recordsTouched } from './handlers.js';

const TITLE = 'Routing Under a Budget';
const AT = '2025-11-03T00:00:00.000Z';

function sighting(over: Partial<Paper>): Paper {
  return {
    id: paperIdFromTitle(TITLE),
    title: TITLE,
    abstract: 'We route.',
    authors: [],
    authorCount: null,
    publishedAt: null,
    upvotes: null,
    codeUrls: [],
    arxivId: null,
    sources: [{ name: 'hf', url: 'https://hf.example/p', format: 'hf-text', capturedAt: AT, upvotes: 3 }],
    firstSeenAt: AT,
    lastSeenAt: AT,
    ...over,
  };
}

describe('recordsTouched', () => {
  it('adds the arXiv record a title id was merged into, so both writers take the same lock', async () => {
    const dir = await tempDir('indexer-locks');
    const index = createSqliteIndex({ path: `${dir.path}/index.sqlite` });
    try {
      const titleId = paperIdFromTitle(TITLE);
      expect(await recordsTouched(index, [titleId])).toEqual([titleId]);

      await index.upsert([sighting({})]);
      await index.upsert([
        sighting({
          id: 'arxiv-2510_27001',
          arxivId: '2510.27001',
          sources: [
            {
              name: 'arxiv',
              url: 'https://arxiv.example/q',
              format: 'arxiv-atom',
              capturedAt: AT,
              upvotes: null,
            },
          ],
        }),
      ]);

      expect(await recordsTouched(index, [titleId])).toEqual(['arxiv-2510_27001', titleId].sort());
      expect(await recordsTouched(index, ['arxiv-2510_27001'])).toEqual(['arxiv-2510_27001']);
    } finally {
      await index.close();
      await dir.remove();
    }
  });
});
