import { PARSER_VERSION, ParseError, parsePage } from '@paperwire/parsers';
import { UnrecoverableJobError, type Producer } from '@paperwire/queue';
import type { RawStore } from '@paperwire/rawstore';
import { PAPERS_PER_CHUNK, type JobInput, type JobPayload, type Paper } from '@paperwire/schema';

import { sightedPapers } from './sighting.js';

export interface PageOutcome {
  papers: number;
  chunks: number;
  /** True when the page was not parsed again: its last parse's papers were sent as seen now. */
  sighted: boolean;
  warnings: string[];
  /** Ids of the papers.parsed or papers.sighted jobs queued for the page. */
  jobIds: string[];
}

/**
 * page.fetched → papers.parsed (new page) or papers.sighted (this URL's last parse was of the same
 * body, by this parser version: its papers, stamped with this capture). A page that cannot be
 * parsed fails its job for good with the reason; its raw body stays archived for a reparse after a
 * parser fix.
 */
export async function handlePage(
  deps: { store: RawStore; producer: Producer },
  { page, unchanged, runId }: JobPayload<'page.fetched'>,
): Promise<PageOutcome> {
  const run = runId === undefined ? {} : { runId };
  if (unchanged) {
    // A body without papers stored for this parser version (an older store, a parse that never
    // finished) or stored by a parse of another URL or source name is parsed below.
    const stored = await deps.store.papers(page.key, PARSER_VERSION);
    const papers = stored === null ? null : sightedPapers(stored, page);
    if (papers !== null) {
      const chunks = chunk(papers);
      const jobIds = await enqueueInBatches(
        deps.producer,
        'papers.sighted',
        chunks.map((part) => ({ manifestId: page.manifestId, papers: part, ...run })),
      );
      return { papers: papers.length, chunks: chunks.length, sighted: true, warnings: [], jobIds };
    }
  }

  const body = await deps.store.read(page.key);
  let papers: Paper[];
  let warnings: string[];
  try {
    ({ papers, warnings } = parsePage(body, {
      url: page.url,
      sourceName: page.sourceName,
      capturedAt: page.capturedAt,
      contentType: page.contentType,
      formatHint: page.formatHint,
    }));
  } catch (error) {
    if (error instanceof ParseError) {
      throw new UnrecoverableJobError(`cannot parse page ${page.key} from ${page.url}: ${error.message}`);
    }
    throw error;
  }

  const chunks = chunk(papers);
  const jobIds = await enqueueInBatches(
    deps.producer,
    'papers.parsed',
    chunks.map((part, i) => ({
      manifestId: page.manifestId,
      chunk: i,
      chunks: chunks.length,
      papers: part,
      ...run,
    })),
  );
  // Recorded only once the chunks are queued, so a later unchanged fetch never points at papers
  // that were never sent to the index, nor takes a URL whose papers never were for unchanged.
  await deps.store.putPapers(page.key, PARSER_VERSION, papers);
  await deps.store.putLastParse(page);
  return { papers: papers.length, chunks: chunks.length, sighted: false, warnings, jobIds };
}

/**
 * Chunks queued per round trip. Each is checked and serialized when it is sent, so a page of
 * 50,000 papers (250 chunks) never has all of them in flight as payload copies at once. Job ids
 * are deterministic, so a parse that dies between two batches and runs again adds no duplicates.
 */
const CHUNKS_PER_BATCH = 10;

async function enqueueInBatches<N extends 'papers.parsed' | 'papers.sighted'>(
  producer: Producer,
  name: N,
  payloads: JobInput<N>[],
): Promise<string[]> {
  const jobIds: string[] = [];
  for (let at = 0; at < payloads.length; at += CHUNKS_PER_BATCH) {
    jobIds.push(...(await producer.enqueueMany(name, payloads.slice(at, at + CHUNKS_PER_BATCH))));
  }
  return jobIds;
}

function chunk<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += PAPERS_PER_CHUNK) out.push(items.slice(i, i + PAPERS_PER_CHUNK));
  return out;
}
