import { jobOptions, withLocks, type Producer } from '@paperwire/queue';
import type { JobPayload } from '@paperwire/schema';
import type { Source } from '@paperwire/sources';
import type { Redis } from 'ioredis';

/** Scheduler ids of sources; other schedulers on the queue (none today) are left alone. */
const SCHEDULER_PREFIX = 'source-';

export function schedulerIdOf(source: string): string {
  return `${SCHEDULER_PREFIX}${source}`;
}

/**
 * The scheduler tick a job was made for, read from its id: BullMQ names each job of a scheduler
 * `repeat:<schedulerId>:<tick in ms>`. Null for jobs not made by a source's scheduler.
 */
export function tickOf(jobId: string): { source: string; at: number } | null {
  const m = /^repeat:source-([A-Za-z0-9_-]+):(\d+)$/.exec(jobId);
  return m ? { source: m[1]!, at: Number(m[2]) } : null;
}

export interface ScheduleChanges {
  upserted: string[];
  removed: string[];
}

/**
 * Makes the fetch queue's schedulers match `sources`: one per enabled source with a schedule
 * (cron patterns in UTC, or a fixed interval), and none for a source that is gone, disabled or
 * unscheduled. Runs under a Redis lock, so replicas starting together apply one file after the
 * other instead of interleaving upserts and removals. Upserting an unchanged scheduler keeps its
 * next tick, so a restart causes no extra fetch.
 */
export async function applySchedules(
  deps: { producer: Producer; locks: Redis; prefix: string },
  sources: Source[],
): Promise<ScheduleChanges> {
  return withLocks(
    deps.locks,
    ['schedules'],
    async () => {
      const queue = deps.producer.queue('fetch');
      const wanted = sources.filter((s) => s.enabled && s.schedule !== null);
      const upserted: string[] = [];
      for (const source of wanted) {
        const schedule = source.schedule!;
        const data: JobPayload<'page.fetch'> = {
          url: source.url,
          sourceName: source.name,
          formatHint: source.format,
          capturedAt: source.capturedAt,
        };
        // The tick's own id is BullMQ's; everything else (retries, backoff, retention) is the catalog's.
        const { jobId: _jobId, ...opts } = jobOptions('page.fetch', data);
        await queue.upsertJobScheduler(
          schedulerIdOf(source.name),
          'every' in schedule ? { every: schedule.every } : { pattern: schedule.pattern, tz: 'UTC' },
          { name: 'page.fetch', data, opts },
        );
        upserted.push(source.name);
      }
      const keep = new Set(wanted.map((s) => schedulerIdOf(s.name)));
      const removed: string[] = [];
      for (const scheduler of await queue.getJobSchedulers(0, -1)) {
        const id = scheduler.key;
        if (!id.startsWith(SCHEDULER_PREFIX) || keep.has(id)) continue;
        await queue.removeJobScheduler(id);
        // BullMQ removes the next tick only while it is delayed; one already due would still run.
        if (scheduler.next) {
          const next = await queue.getJob(`repeat:${id}:${scheduler.next}`);
          if (next && ['waiting', 'prioritized', 'delayed'].includes(await next.getState())) {
            await next.remove().catch(() => undefined);
          }
        }
        removed.push(id.slice(SCHEDULER_PREFIX.length));
      }
      return { upserted, removed };
    },
    { prefix: `${deps.prefix}:lock:`, ttlMs: 30_000, waitMs: 120_000 },
  );
}
