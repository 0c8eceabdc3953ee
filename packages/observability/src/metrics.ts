import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface AppMetrics {
  registry: Registry;
  jobs: Counter<'queue' | 'name' | 'status'>;
  /** Seconds. */
  jobDuration: Histogram<'queue' | 'name'>;
  queueDepth: Gauge<'queue' | 'state'>;
  papersIndexed: Counter<'result'>;
  /** Seconds. */
  searchLatency: Histogram<'route'>;
  pagesFetched: Counter<'result'>;
  /** Search answers served from the result cache (hit) or computed (miss). */
  searchCache: Counter<'result'>;
  /** Hits over lookups since start, and what the cache holds. */
  searchCacheHitRatio: Gauge;
  searchCacheBytes: Gauge;
  /** Searches waiting for a search thread. */
  searchQueueDepth: Gauge;
  /** Searches refused because every search thread was busy and the queue was full. */
  searchRejected: Counter;
  /** Newly indexed papers that matched a watch, queued for delivery. */
  watchMatches: Counter;
  /** Webhook delivery attempts by result: delivered, failed (to be retried), given-up, refused, skipped. */
  webhookDeliveries: Counter<'result'>;
}

/** A registry of its own per app (never the global one), so tests and apps in one process don't collide. */
export function createMetrics(app: string): AppMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    jobs: new Counter({
      name: 'paperwire_jobs_total',
      help: 'Jobs finished by this process, by queue, job name and status (completed or failed).',
      labelNames: ['queue', 'name', 'status'] as const,
      registers,
    }),
    jobDuration: new Histogram({
      name: 'paperwire_job_duration_seconds',
      help: 'Time from a job starting on this worker to it finishing.',
      labelNames: ['queue', 'name'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'paperwire_queue_depth',
      help: 'Jobs in each queue by state (waiting, active, delayed, failed, completed).',
      labelNames: ['queue', 'state'] as const,
      registers,
    }),
    papersIndexed: new Counter({
      name: 'paperwire_papers_indexed_total',
      help: 'Papers written to the search index, by result (created, updated, unchanged).',
      labelNames: ['result'] as const,
      registers,
    }),
    searchLatency: new Histogram({
      name: 'paperwire_search_latency_seconds',
      help: 'Time to answer a search API request, by route.',
      labelNames: ['route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    pagesFetched: new Counter({
      name: 'paperwire_pages_fetched_total',
      help: 'Pages fetched, by result (new, unchanged, not-modified, error).',
      labelNames: ['result'] as const,
      registers,
    }),
    searchCache: new Counter({
      name: 'paperwire_search_cache_total',
      help: 'Search requests by cache result: hit (answered from the result cache) or miss.',
      labelNames: ['result'] as const,
      registers,
    }),
    searchCacheHitRatio: new Gauge({
      name: 'paperwire_search_cache_hit_ratio',
      help: 'Search cache hits over lookups since the process started.',
      registers,
    }),
    searchCacheBytes: new Gauge({
      name: 'paperwire_search_cache_bytes',
      help: 'Approximate bytes of search answers the result cache holds.',
      registers,
    }),
    searchQueueDepth: new Gauge({
      name: 'paperwire_search_queue_depth',
      help: 'Searches waiting for a search thread.',
      registers,
    }),
    searchRejected: new Counter({
      name: 'paperwire_search_rejected_total',
      help: 'Searches answered 503 because every search thread was busy and the queue was full.',
      registers,
    }),
    watchMatches: new Counter({
      name: 'paperwire_watch_matches_total',
      help: 'Newly indexed papers that matched a watch, queued for delivery to its webhook.',
      registers,
    }),
    webhookDeliveries: new Counter({
      name: 'paperwire_webhook_deliveries_total',
      help:
        'Webhook delivery attempts by result: delivered, failed (retried later), given-up (attempts ' +
        'spent), refused (forbidden address, never retried), skipped (the watch was deleted).',
      labelNames: ['result'] as const,
      registers,
    }),
  };
}

/**
 * Job metrics fed by a worker. Its shape matches the queue package's `WorkerObserver`, so the
 * two packages stay independent.
 */
export function workerObserver(metrics: AppMetrics): {
  completed(queue: string, name: string, ms: number): void;
  failed(queue: string, name: string, ms: number, error: Error): void;
} {
  return {
    completed(queue, name, ms) {
      metrics.jobs.inc({ queue, name, status: 'completed' });
      metrics.jobDuration.observe({ queue, name }, ms / 1000);
    },
    failed(queue, name, ms) {
      metrics.jobs.inc({ queue, name, status: 'failed' });
      metrics.jobDuration.observe({ queue, name }, ms / 1000);
    },
  };
}
