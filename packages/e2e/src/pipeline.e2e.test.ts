import { createServer, type Server } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { createRedis, Producer } from '@paperwire/queue';
import { RawStore } from '@paperwire/rawstore';
import type { Paper, SearchResponse, StatsResponse } from '@paperwire/schema';
import { repoRoot, waitFor } from '@paperwire/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { appLogs, startStack, type Stack } from './stack.js';

const FIXTURE = join(repoRoot, 'infra/digests/hf-daily-papers-2025-11-03.txt');

/** Every GitHub repository the fixture's abstracts link, normalized by hand. */
const FIXTURE_CODE_URLS = [
  'https://github.com/wangkiw/TEEN',
  'https://github.com/kleinzcy/Cr-KD-NCD',
  'https://github.com/mashijie1028/ProtoGCD',
  'https://github.com/mashijie1028/Happy-CGCD',
  'https://github.com/Cliffia123/LegoGCD',
  'https://github.com/owenzx/data4comp',
  'https://github.com/Rain-Bus/MSGCoOp',
  'https://github.com/shlomenu/symbolically_synthesized_networks',
  'https://github.com/mashijie1028/ActiveGCD',
  'https://github.com/GitGyun/chameleon',
  'https://github.com/andreimargeloiu/TabEBM',
  'https://github.com/TamashaM/NAPA-VQ',
  'https://github.com/ML-GSAI/Revisiting-Dis-vs-Gen-Classifiers',
  'https://github.com/clovaai/ProxyDet',
  'https://github.com/jeff024/PALM',
  'https://github.com/ZHUANGHP/Analytic-continual-learning',
  'https://github.com/wangkiw/ICLR23-MEMO',
  'https://github.com/zhoudw-zdw/CIL_Survey',
  'https://github.com/yfzhang114/AdaNPC',
  'https://github.com/mrflogs/ICLR24',
];

const EXTRA_PAGE = `Daily Papers

Nov 4

A Late Paper About Queue Recovery

We show that a pipeline keeps flowing after a malformed page.

  • 2 authors
·
Nov 4 7
`;

describe('pipeline end to end: fetcher → parser → indexer → gateway', () => {
  let stack: Stack;
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    const pages: Record<string, { type: string; body: Buffer }> = {
      '/papers/2025-11-03.txt': { type: 'text/plain; charset=utf-8', body: await readFile(FIXTURE) },
      '/garbage.bin': {
        type: 'application/octet-stream',
        body: Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x37, 0x00, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]),
      },
      '/empty.txt': { type: 'text/plain', body: Buffer.alloc(0) },
      '/extra.txt': { type: 'text/plain', body: Buffer.from(EXTRA_PAGE) },
    };
    server = createServer((req, res) => {
      const page = pages[req.url ?? ''];
      if (!page) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': page.type, 'content-length': page.body.length }).end(page.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    stack = await startStack(inject('redisUrl'));
  });

  afterAll(async () => {
    await stack?.stop();
    await new Promise((r) => server?.close(r));
  });

  const allPapers = async (): Promise<Paper[]> => {
    const { body } = await stack.get<SearchResponse>('/v1/search?limit=100');
    return body.hits;
  };

  it('ingests the fixture over HTTP and serves every paper with its fields', async () => {
    const output = await stack
      .cli(['ingest', `${origin}/papers/2025-11-03.txt`, '--captured-at', '2025-11-03', '--wait'])
      .catch(async (e: Error) => Promise.reject(new Error(`${e.message}\n${await appLogs(stack.dataDir)}`)));
    expect(output).toContain('68 papers in the index');

    const stats = await stack.get<StatsResponse>('/v1/stats');
    expect(stats).toEqual({ status: 200, body: { papers: 68 } });

    const papers = await allPapers();
    expect(papers).toHaveLength(68);
    const byTitle = new Map(papers.map((p) => [p.title, p]));

    const glad = byTitle.get('GLAD: Generalizable Tuning for Vision-Language Models');
    expect(glad?.publishedAt).toBe('2025-07-17');
    expect(glad?.authorCount).toBe(4);
    expect(glad?.upvotes).toBeNull();

    const onlyIf = papers.find((p) => p.title.startsWith('Only-IF'));
    expect(onlyIf?.upvotes).toBe(2);
    expect(onlyIf?.sources).toEqual([
      {
        name: '127.0.0.1',
        url: `${origin}/papers/2025-11-03.txt`,
        format: 'hf-text',
        capturedAt: '2025-11-03T00:00:00.000Z',
        upvotes: 2,
      },
    ]);
    for (const p of papers) {
      expect(p.firstSeenAt).toBe('2025-11-03T00:00:00.000Z');
      expect(p.lastSeenAt).toBe('2025-11-03T00:00:00.000Z');
    }

    expect(new Set(papers.flatMap((p) => p.codeUrls))).toEqual(new Set(FIXTURE_CODE_URLS));
  });

  it('ranks LegoGCD and every exact title first', async () => {
    const lego = await stack.get<SearchResponse>('/v1/search?q=LegoGCD&limit=5');
    expect(lego.body.hits[0]?.title).toBe(
      'Solving the Catastrophic Forgetting Problem in Generalized Category Discovery',
    );

    const misses: string[] = [];
    for (const paper of await allPapers()) {
      const { body } = await stack.get<SearchResponse>(
        `/v1/search?limit=1&q=${encodeURIComponent(paper.title)}`,
      );
      if (body.hits[0]?.id !== paper.id) misses.push(`${paper.title} → ${body.hits[0]?.title ?? '(none)'}`);
    }
    expect(misses).toEqual([]);

    const one = (await allPapers())[0]!;
    expect((await stack.get<Paper>(`/v1/papers/${one.id}`)).body).toEqual(one);
    expect((await stack.get(`/v1/papers/title-${'0'.repeat(24)}`)).status).toBe(404);
  });

  it('records a second sighting of the same page without duplicating or re-parsing', async () => {
    const before = new Map((await allPapers()).map((p) => [p.id, p]));
    const output = await stack.cli([
      'ingest',
      `${origin}/papers/2025-11-03.txt`,
      '--captured-at',
      '2025-11-05',
      '--wait',
    ]);
    expect(output).toContain('68 papers in the index');

    const after = await allPapers();
    expect(after).toHaveLength(68);
    for (const p of after) {
      expect(p.firstSeenAt).toBe(before.get(p.id)?.firstSeenAt);
      expect(p.lastSeenAt).toBe('2025-11-05T00:00:00.000Z');
    }
    const parser = await readFile(join(stack.dataDir, 'logs', 'parser.log'), 'utf8');
    const parsedLines = parser.split('\n').filter((l) => l.includes('"page parsed"'));
    expect(parsedLines).toHaveLength(2);
    expect(parsedLines[1]).toContain('"sighted":true');
  });

  it('fails malformed pages with the reason kept, archives them, and keeps flowing', async () => {
    // `--wait` exits 1 when a page failed, naming the reason and where the raw page is kept.
    const garbage = await stack.cliResult(['ingest', `${origin}/garbage.bin`, '--wait']);
    expect(garbage.code).toBe(1);
    expect(garbage.output).toMatch(/failed: parse of .*garbage\.bin.*binary content/);
    expect(garbage.output).toMatch(/raw page: .*[0-9a-f]{64}/);
    const emptyFile = join(stack.dataDir, 'empty-digest.txt');
    await writeFile(emptyFile, '');
    const empty = await stack.cliResult(['ingest', emptyFile, '--wait', '--json']);
    expect(empty.code).toBe(1);
    const summary = JSON.parse(empty.output.trim().split('\n').at(-1)!) as {
      ok: boolean;
      failures: { stage: string; reason: string }[];
    };
    expect(summary.ok).toBe(false);
    expect(summary.failures).toEqual([
      expect.objectContaining({ stage: 'parse', reason: expect.stringMatching(/empty|no papers/i) }),
    ]);
    await stack.cli(['ingest', `${origin}/extra.txt`, '--captured-at', '2025-11-04', '--wait']);

    const producer = new Producer({
      connection: createRedis(inject('redisUrl'), 'producer'),
      prefix: stack.env.QUEUE_PREFIX!,
    });
    try {
      const failed = await waitFor(
        async () => {
          const jobs = await producer.queue('parse').getFailed();
          return jobs.length >= 2 ? jobs : undefined;
        },
        { what: 'two failed parse jobs', timeoutMs: 30_000 },
      );
      expect(failed).toHaveLength(2);
      const store = RawStore.inDataDir(stack.dataDir);
      for (const job of failed) {
        expect(job.failedReason).toMatch(/cannot parse page [0-9a-f]{64}/);
        expect(job.attemptsMade).toBe(1);
        const key = (job.data as { page: { key: string } }).page.key;
        // The raw page stays archived, byte for byte, for a reparse.
        expect((await store.read(key)).length).toBeGreaterThanOrEqual(0);
      }
      const reasons = failed.map((j) => j.failedReason).join('\n');
      expect(reasons).toMatch(/unknown-format|binary|not UTF-8|unknown format/i);
      expect(reasons).toMatch(/empty|no papers/i);
    } finally {
      await producer.close();
    }

    expect((await stack.get<StatsResponse>('/v1/stats')).body.papers).toBe(69);
    const late = await stack.get<SearchResponse>('/v1/search?q=queue%20recovery');
    expect(late.body.hits[0]?.upvotes).toBe(7);
    expect(late.body.hits[0]?.publishedAt).toBe('2025-11-04');
  });
});
