import { join } from 'node:path';

import type { AppMetrics } from '@paperwire/observability';
import { queueDepths, type Producer } from '@paperwire/queue';

export function rawStoreRoot(dataDir: string): string {
  return join(dataDir, 'raw');
}

/** Keeps the queue-depth gauge current; returns the function that stops it. */
export function watchQueueDepth(producer: Producer, metrics: AppMetrics, everyMs = 5000): () => void {
  const update = async () => {
    try {
      const depths = await queueDepths(producer);
      for (const [queue, counts] of Object.entries(depths)) {
        for (const [state, n] of Object.entries(counts)) metrics.queueDepth.set({ queue, state }, n);
      }
    } catch {
      // Redis away: the gauge keeps its last values and the next tick tries again.
    }
  };
  void update();
  const timer = setInterval(() => void update(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
