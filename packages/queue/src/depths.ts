import { QUEUES, type QueueName } from '@paperwire/schema';

import type { Producer } from './producer.js';

export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

/** Job counts of every queue by state. */
export async function queueDepths(producer: Producer): Promise<Record<QueueName, QueueDepth>> {
  const entries = await Promise.all(
    QUEUES.map(async (name) => {
      const c = await producer
        .queue(name)
        .getJobCounts('waiting', 'prioritized', 'paused', 'active', 'delayed', 'failed', 'completed');
      // Prioritized and paused jobs are waiting too, just not at the head of the plain list.
      const depth: QueueDepth = {
        waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.paused ?? 0),
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
        failed: c.failed ?? 0,
        completed: c.completed ?? 0,
      };
      return [name, depth] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<QueueName, QueueDepth>;
}
