import type { Logger } from '@paperwire/observability';
import { signatureHeader, SIGNATURE_HEADER, type Watches } from '@paperwire/pipeline';
import { createWorker, type JobContext, type QueueOptions, type WorkerObserver } from '@paperwire/queue';
import type { JobPayload, WatchDelivery } from '@paperwire/schema';
import type { Counter } from 'prom-client';
import { fetch, type Dispatcher } from 'undici';

import { checkUrl, redactUrl, refusalIn, type FetchPolicy } from './safety.js';

/** A receiver answers a webhook at once and does its work later; one that does not is retried. */
export const DELIVERY_TIMEOUT_MS = 10_000;

export interface DeliveryDeps {
  watches: Watches;
  policy: FetchPolicy;
  /** The fetcher's connection pool: it connects only to addresses the policy allows. */
  dispatcher: Dispatcher;
  userAgent: string;
  logger: Logger;
  deliveries: Counter<'result'>;
  timeoutMs?: number;
}

export type DeliveryResult = { delivered: true; status: number } | { delivered: false; reason: string };

/**
 * POSTs one watch match to its webhook, signed with the watch's secret. A 2xx answer is a
 * delivery; anything else (another status, no answer in time) fails the attempt, to be retried
 * with backoff. A forbidden address is refused before anything is sent, and never retried.
 * Redirects are not followed: a webhook URL names its receiver.
 */
export async function deliver(
  deps: DeliveryDeps,
  job: JobPayload<'watch.deliver'>,
  ctx: Pick<JobContext, 'id'>,
): Promise<DeliveryResult> {
  const watch = await deps.watches.withSecret(job.watchId);
  if (!watch) {
    deps.deliveries.inc({ result: 'skipped' });
    return { delivered: false, reason: `watch ${job.watchId} was deleted` };
  }
  const url = new URL(watch.url);
  const delivery: WatchDelivery = {
    deliveryId: ctx.id,
    watchId: watch.id,
    query: watch.query,
    filters: watch.filters,
    paper: job.paper,
  };
  const body = JSON.stringify(delivery);
  let status: number;
  try {
    checkUrl(url, deps.policy);
    const res = await fetch(url, {
      method: 'POST',
      body,
      redirect: 'manual',
      dispatcher: deps.dispatcher,
      signal: AbortSignal.timeout(deps.timeoutMs ?? DELIVERY_TIMEOUT_MS),
      headers: {
        'content-type': 'application/json',
        'user-agent': deps.userAgent,
        [SIGNATURE_HEADER]: signatureHeader(watch.secret, body),
        'paperwire-delivery': ctx.id,
      },
    });
    status = res.status;
    await res.body?.cancel().catch(() => undefined);
  } catch (error) {
    const refused = refusalIn(error);
    if (refused) {
      deps.deliveries.inc({ result: 'refused' });
      throw refused;
    }
    deps.deliveries.inc({ result: 'failed' });
    throw new Error(`POST ${redactUrl(url)} failed: ${(error as Error).message}`, { cause: error });
  }
  if (status < 200 || status > 299) {
    deps.deliveries.inc({ result: 'failed' });
    throw new Error(`POST ${redactUrl(url)} answered ${status}`);
  }
  deps.deliveries.inc({ result: 'delivered' });
  return { delivered: true, status };
}

/** The `deliver` queue's worker: watch matches to their webhooks, at least once. */
export function createDeliveryWorker(
  deps: DeliveryDeps,
  opts: QueueOptions & { concurrency: number; lockMs?: number; observer?: WorkerObserver },
): ReturnType<typeof createWorker> {
  return createWorker({
    queue: 'deliver',
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    lockMs: opts.lockMs,
    logger: deps.logger,
    observer: opts.observer,
    handlers: { 'watch.deliver': (job, ctx) => deliver(deps, job, ctx) },
    onFinalFailure: async (failure) => {
      // A refusal was counted when it happened; anything else has spent its attempts.
      if (!refusalIn(failure.error)) deps.deliveries.inc({ result: 'given-up' });
    },
  });
}
