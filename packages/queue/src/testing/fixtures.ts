import type { JobInput, Paper } from '@paperwire/schema';

export const capturedAt = '2025-11-03T08:00:00.000Z';

export function rawPage(n: number): JobInput<'page.fetched'>['page'] {
  const hex = n.toString(16).padStart(2, '0');
  return {
    key: hex.repeat(32),
    manifestId: hex.repeat(16),
    url: `https://huggingface.co/papers?page=${n}`,
    sourceName: 'hf',
    capturedAt,
    contentType: 'text/html',
    formatHint: 'hf-html',
    size: 100,
  };
}

export function paper(n: number): Paper {
  return {
    id: `arxiv-2511_${String(n).padStart(5, '0')}`,
    title: `Paper ${n}`,
    abstract: '',
    authors: [],
    authorCount: null,
    publishedAt: null,
    upvotes: null,
    codeUrls: [],
    arxivId: `2511.${String(n).padStart(5, '0')}`,
    sources: [
      { name: 'hf', url: 'https://huggingface.co/papers', format: 'hf-html', capturedAt, upvotes: null },
    ],
    firstSeenAt: capturedAt,
    lastSeenAt: capturedAt,
  };
}
