import { createServer, type Server } from 'node:http';

import { paperIdFromTitle, type Paper, type SearchResponse } from '@paperwire/schema';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { startStack, type Stack } from './stack.js';

const TITLE = 'Sparse Mixture-of-Experts at the Edge: Routing Under a 1 GB Budget';
const ABSTRACT = 'We route tokens to experts under a hard memory budget and show that few experts suffice.';

/** The same paper as three digests announce it. */
const PAGES: Record<string, { type: string; body: string; capturedAt: string }> = {
  '/hf.txt': {
    type: 'text/plain; charset=utf-8',
    capturedAt: '2025-11-03',
    body: `Daily Papers\n\nNov 3\n\n${TITLE}\n\n${ABSTRACT}\n\n  • 3 authors\n·\nOct 30 5\n`,
  },
  '/daily_papers.json': {
    type: 'application/json',
    capturedAt: '2025-11-04',
    body: JSON.stringify([
      {
        paper: {
          id: '2510.27001',
          authors: [{ name: 'Ingrid Solberg' }, { name: 'Tomás Ferreira' }, { name: 'Wei Zhang' }],
          publishedAt: '2025-10-30T17:59:58.000Z',
          title: 'Sparse Mixture-of-Experts at the Edge:\n  Routing Under a 1\u00a0GB Budget',
          summary: ABSTRACT,
          upvotes: 42,
          githubRepo: 'https://github.com/edge-moe/SparseEdge.git',
        },
        publishedAt: '2025-11-04T00:41:12.345Z',
        title: TITLE,
        numComments: 3,
      },
    ]),
  },
  '/query.atom': {
    type: 'application/atom+xml',
    capturedAt: '2025-11-05',
    body: `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>http://arxiv.org/api/abc</id>
  <title>ArXiv Query</title>
  <updated>2025-11-05T00:00:00-05:00</updated>
  <entry>
    <id>http://arxiv.org/abs/2510.27001v2</id>
    <updated>2025-11-01T10:02:11Z</updated>
    <published>2025-10-30T17:59:58Z</published>
    <title>Sparse Mixture-of-Experts at the Edge: Routing Under a 1 GB
  Budget</title>
    <summary>  ${ABSTRACT}
</summary>
    <author><name>Ingrid Solberg</name></author>
    <author><name>Tom&#225;s Ferreira</name></author>
    <author><name>Wei Zhang</name></author>
    <link href="http://arxiv.org/abs/2510.27001v2" rel="alternate" type="text/html"/>
  </entry>
</feed>
`,
  },
};

describe('one record per paper across digest formats, whatever the order', () => {
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const page = PAGES[req.url ?? ''];
      if (!page) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': page.type }).end(page.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  async function ingestInOrder(order: string[]): Promise<{ record: Paper; stack: Stack }> {
    const stack = await startStack(inject('redisUrl'));
    try {
      for (const path of order) {
        await stack.cli(['ingest', origin + path, '--captured-at', PAGES[path]!.capturedAt, '--wait']);
      }
      const { body } = await stack.get<SearchResponse>(
        `/v1/search?q=${encodeURIComponent('Sparse Mixture-of-Experts edge')}`,
      );
      expect(body.total).toBe(1);
      expect((await stack.get<{ papers: number }>('/v1/stats')).body.papers).toBe(1);
      return { record: body.hits[0]!, stack };
    } catch (error) {
      await stack.stop();
      throw error;
    }
  }

  it('merges hf-text, hf-json and arxiv-atom sightings into one arXiv record, in either order', async () => {
    const forward = await ingestInOrder(['/hf.txt', '/daily_papers.json', '/query.atom']);
    let reverse: Awaited<ReturnType<typeof ingestInOrder>> | undefined;
    try {
      reverse = await ingestInOrder(['/query.atom', '/daily_papers.json', '/hf.txt']);
      expect(reverse.record).toEqual(forward.record);

      const merged = forward.record;
      expect(merged.id).toBe('arxiv-2510_27001');
      expect(merged.arxivId).toBe('2510.27001');
      expect(merged.authors).toEqual(['Ingrid Solberg', 'Tomás Ferreira', 'Wei Zhang']);
      expect(merged.authorCount).toBe(3);
      expect(merged.upvotes).toBe(42);
      expect(merged.codeUrls).toEqual(['https://github.com/edge-moe/SparseEdge']);
      expect(merged.publishedAt).toBe('2025-10-30');
      expect(merged.firstSeenAt).toBe('2025-11-03T00:00:00.000Z');
      expect(merged.lastSeenAt).toBe('2025-11-05T00:00:00.000Z');
      expect(merged.sources.map((s) => s.format).sort()).toEqual(['arxiv-atom', 'hf-json', 'hf-text']);

      // The title-only id the text digest gave the paper now points at the arXiv record.
      for (const { stack } of [forward, reverse]) {
        const res = await fetch(`${stack.gateway}/v1/papers/${paperIdFromTitle(TITLE)}`, {
          redirect: 'manual',
        });
        expect(res.status).toBe(301);
        expect(res.headers.get('location')).toBe('/v1/papers/arxiv-2510_27001');
      }
    } finally {
      await forward.stack.stop();
      await reverse?.stack.stop();
    }
  });
});
