import type { Producer } from '@paperwire/queue';
import type { Source } from '@paperwire/sources';

import { Runs } from './runs.js';

/**
 * Queues one fetch of each source now, as one run (what `paperwire up` does at start, so the
 * index does not wait for the first scheduled tick). Returns the fetches queued.
 */
export async function fetchSourcesNow(
  deps: { producer: Producer; runs?: Runs },
  sources: Source[],
  runId: string,
): Promise<number> {
  const runs = deps.runs ?? (await Runs.of(deps.producer));
  await runs.start(runId, { kind: 'up', expected: 0 });
  for (const source of sources) {
    await runs.expect(runId, 1);
    await deps.producer.enqueue('page.fetch', {
      url: source.url,
      sourceName: source.name,
      formatHint: source.format,
      capturedAt: source.capturedAt,
      runId,
    });
  }
  return sources.length;
}
