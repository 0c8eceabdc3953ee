import { PARSER_VERSION, ParseError, parsePage } from '@paperwire/parsers';
import { UnrecoverableJobError, type Producer } from '@paperwire/queue';
import type { RawStore } from '@paperwire/rawstore';
import { PAPERS_PER_CHUNK, type JobPayload, type Paper, type PaperId } from '@paperwire/schema';

export interface PageOutcome {
  papers: number;
  chunks: number;
  /** True when the page was not parsed again: its known papers were recorded as seen. */
  sighted: boolean;
  warnings: string[];
  /** Ids of the papers.parsed or papers.sighted jobs queued for the page. */
  jobIds: string[];
}

/**
 * page.fetched → papers.parsed (new page) or papers.sighted (a body already parsed by this
 * parser version). A page that cannot be parsed fails its job for good with the reason; its raw
 * body stays archived for a reparse after a parser fix.
 */
export async function handlePage(
  deps: { store: RawStore; producer: Producer },
  { page, unchanged, runId }: JobPayload<'page.fetched'>,
): Promise<PageOutcome> {
  const run = runId === undefined ? {} : { runId };
  if (unchanged) {
    const stored = await deps.store.papers(page.key, PARSER_VERSION);
    if (stored) {
      const ids = stored.map((p) => p.id);
      const chunks = chunk(ids as PaperId[]);
      const jobIds = await deps.producer.enqueueMany(
        'papers.sighted',
        chunks.map((part) => ({
          manifestId: page.manifestId,
          url: page.url,
          capturedAt: page.capturedAt,
          ids: part,
          page,
          ...run,
        })),
      );
      return { papers: ids.length, chunks: chunks.length, sighted: true, warnings: [], jobIds };
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
  const jobIds = await deps.producer.enqueueMany(
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

function chunk<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += PAPERS_PER_CHUNK) out.push(items.slice(i, i + PAPERS_PER_CHUNK));
  return out;
}
