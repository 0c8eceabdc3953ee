import { queueDepths, type Producer } from '@paperwire/queue';
import type { QueueName } from '@paperwire/schema';

/**
 * Reports every queue's job counts every `everyMs` (for a queue-depth gauge); returns the
 * function that stops it. While Redis is away the last values stand and the next tick retries.
 */
export function watchQueueDepths(
  producer: Producer,
  report: (queue: QueueName, state: string, count: number) => void,
  everyMs = 5000,
): () => void {
  const update = async () => {
    try {
      const depths = await queueDepths(producer);
      for (const [queue, counts] of Object.entries(depths) as [QueueName, object][]) {
        for (const [state, n] of Object.entries(counts) as [string, number][]) report(queue, state, n);
      }
    } catch {
      // Redis away: keep the last values.
    }
  };
  void update();
  const timer = setInterval(() => void update(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
