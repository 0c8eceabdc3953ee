import type { Logger } from '@paperwire/observability';
import type { JobName, JobNameOf, JobPayload, QueueName } from '@paperwire/schema';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';

import { checkPayload, isJobName, jobNamesOf, queueOf } from './catalog.js';
import { UnrecoverableJobError } from './errors.js';
import type { QueueOptions } from './producer.js';
import { JOB_ATTEMPTS, retryDelay } from './options.js';
import { attachErrorListener } from './redis.js';
import { untilStarted } from './started.js';

/** BullMQ's own default lock. */
const DEFAULT_LOCK_MS = 30_000;

export interface JobContext {
  id: string;
  name: JobName;
  /** Attempts that failed before this one. */
  attemptsMade: number;
  /** Appends a line to the job's log in Redis (visible next to the job in dashboards). */
  log(message: string): Promise<void>;
  /**
   * Puts this job off until `untilMs` (epoch ms) without counting an attempt: for waits that are
   * not failures (a host's rate limit, a server's Retry-After). The job goes to the delayed set
   * and this run of the handler ends: return or throw what it gives, it never resolves. The wait
   * is added to the job's total and, when given, to the total of `tally`.
   */
  delay(untilMs: number, tally?: string): Promise<never>;
  /** How long this job has been put off by `delay` so far: in all, or under `tally`. */
  delayedMs(tally?: string): Promise<number>;
}

/** Field of a job's own hash in Redis (so removed with the job) that sums the delays it asked for. */
function delayedField(tally?: string): string {
  return tally === undefined ? 'paperwireDelayedMs' : `paperwireDelayedMs:${tally}`;
}

/** One handler per job name of queue `Q`: a missing or extra one is a compile error. */
export type JobHandlers<Q extends QueueName> = {
  [N in JobNameOf<Q>]: (payload: JobPayload<N>, ctx: JobContext) => Promise<unknown>;
};

export interface WorkerObserver {
  completed(queue: QueueName, name: string, ms: number): void;
  failed(queue: QueueName, name: string, ms: number, error: Error): void;
}

/** A job that failed for good: its attempts are spent, or its error was unrecoverable. */
export interface FinalFailure {
  jobId: string;
  name: string;
  /** The payload as stored (it may be the reason the job failed, so it is not parsed here). */
  data: unknown;
  /** What failed the job; an UnrecoverableJobError arrives as BullMQ's UnrecoverableError, caused by it. */
  error: Error;
}

export interface WorkerOptions<Q extends QueueName> extends QueueOptions {
  queue: Q;
  handlers: JobHandlers<Q>;
  concurrency?: number;
  /**
   * Lock of an active job (WORKER_LOCK_MS): renewed while it runs, and checked as often, so the
   * jobs of a worker that died go back to the queue within about twice this. Default 30 s.
   */
  lockMs?: number;
  logger: Logger;
  observer?: WorkerObserver;
  /**
   * Called once for every job of this worker that fails for good, whatever failed: its handler,
   * its payload check, or BullMQ itself (a job stalled too often). The one place for
   * bookkeeping that must happen when work is given up (run counters, source status).
   */
  onFinalFailure?: (failure: FinalFailure) => Promise<void>;
}

/** Throws, naming them, when handlers miss job names of the queue or cover names from elsewhere. */
export function assertHandlersCover(queue: QueueName, handlers: object): void {
  const expected = jobNamesOf(queue);
  const given = Object.keys(handlers);
  const missing = expected.filter((name) => !given.includes(name));
  const extra = given.filter((name) => !(expected as string[]).includes(name));
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`no handler for ${missing.join(', ')}`);
  if (extra.length > 0) {
    const where = extra.map((name) =>
      isJobName(name) ? `${name} (runs on queue ${queueOf(name)})` : `${name} (not in JOB_CATALOG)`,
    );
    problems.push(`handlers for job names that do not run on it: ${where.join(', ')}`);
  }
  if (problems.length > 0) {
    throw new Error(
      `worker for queue ${queue}: ${problems.join('; ')}. A worker handles exactly the job names JOB_CATALOG ` +
        `(@paperwire/schema) puts on its queue: ${expected.join(', ')}.`,
    );
  }
}

/**
 * A BullMQ worker for one queue. Each job is dispatched by name to its handler with its payload
 * parsed by the catalog schema; a job whose name or payload does not fit the catalog fails at once
 * as unrecoverable, with the reason in the failed set, and is never retried or dropped.
 */
export function createWorker<Q extends QueueName>(opts: WorkerOptions<Q>): Worker {
  const { queue, logger, observer } = opts;
  assertHandlersCover(queue, opts.handlers);
  const handlers = opts.handlers as unknown as Record<
    string,
    (payload: unknown, ctx: JobContext) => Promise<unknown>
  >;

  // Never the producer's connection: a worker blocks on its own, and must not fail commands
  // while Redis reconnects. BullMQ does not close a connection it was handed, so this one is
  // closed with the worker.
  const connection = opts.connection.duplicate({
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    lazyConnect: true,
    connectionName: `paperwire-worker-${queue}`,
  });
  attachErrorListener(connection, `worker:${queue}`, logger);

  const processJob = async (job: Job, token?: string): Promise<unknown> => {
    const started = performance.now();
    try {
      const result = await dispatch(job, token);
      observer?.completed(queue, job.name, performance.now() - started);
      return result;
    } catch (err) {
      // The job put itself off (ctx.delay): neither done nor failed.
      if (err instanceof DelayedError) throw err;
      const error = err instanceof Error ? err : new Error(String(err));
      observer?.failed(queue, job.name, performance.now() - started, error);
      if (error instanceof UnrecoverableJobError) {
        const unrecoverable = new UnrecoverableError(error.message);
        unrecoverable.stack = error.stack;
        // What the handler threw stays reachable for onFinalFailure (a refusal is not a failure).
        unrecoverable.cause = error;
        throw unrecoverable;
      }
      throw error;
    }
  };

  const dispatch = async (job: Job, token: string | undefined): Promise<unknown> => {
    const id = job.id ?? '';
    const name = job.name;
    if (!isJobName(name) || queueOf(name) !== queue) {
      throw new UnrecoverableError(
        `unknown job name "${name}" on queue ${queue} (job ${id}); this queue runs: ${jobNamesOf(queue).join(', ')}`,
      );
    }
    const checked = checkPayload(name, job.data);
    if (!checked.ok) {
      throw new UnrecoverableError(`invalid payload for job ${name} (job ${id}):\n${checked.message}`);
    }
    const handler = handlers[name];
    if (!handler) throw new UnrecoverableError(`no handler for job ${name} on queue ${queue}`);
    const jobKey = `${job.queueQualifiedName}:${id}`;
    const ctx: JobContext = {
      id,
      name,
      attemptsMade: job.attemptsMade,
      log: async (message) => {
        await job.log(message);
      },
      delay: async (untilMs, tally) => {
        if (token === undefined) throw new Error(`job ${id} cannot be delayed: no lock token`);
        const ms = Math.max(0, Math.round(untilMs - Date.now()));
        const added = connection.multi().hincrby(jobKey, delayedField(), ms);
        if (tally !== undefined) added.hincrby(jobKey, delayedField(tally), ms);
        await added.exec();
        await job.moveToDelayed(untilMs, token);
        throw new DelayedError(`job ${id} put off for ${ms} ms`);
      },
      delayedMs: async (tally) => Number((await connection.hget(jobKey, delayedField(tally))) ?? 0),
    };
    return handler(checked.payload, ctx);
  };

  const worker = new StartedWorker(queue, processJob, {
    connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency ?? 1,
    lockDuration: opts.lockMs ?? DEFAULT_LOCK_MS,
    stalledInterval: opts.lockMs ?? DEFAULT_LOCK_MS,
    // A job whose worker died is run again, as often as it has attempts: a worker killed three
    // times in one job's run loses nothing. Only a job that kills its worker every time fails.
    maxStalledCount: JOB_ATTEMPTS,
    // Called for jobs whose backoff type is not built in: RETRY_LATER_BACKOFF (see jobOptions).
    settings: { backoffStrategy: (attemptsMade, _type, err) => retryDelay(attemptsMade, err) },
  });

  worker.on('error', (err) => logger.error({ err, queue }, 'worker error'));
  worker.on('completed', (job) => {
    logger.info({ queue, jobId: job.id, job: job.name, ms: elapsed(job) }, 'job completed');
  });
  worker.on('failed', (job, err) => {
    if (!job) {
      logger.error({ err, queue }, 'job failed');
      return;
    }
    const maxAttempts = job.opts.attempts ?? 1;
    const final =
      err instanceof UnrecoverableError ||
      err.name === 'UnrecoverableError' ||
      job.attemptsMade >= maxAttempts;
    const fields = { err, queue, jobId: job.id, job: job.name, attemptsMade: job.attemptsMade, maxAttempts };
    if (!final) {
      logger.warn(fields, 'job failed; will retry');
      return;
    }
    logger.error(fields, 'job failed; kept in the failed set');
    opts
      .onFinalFailure?.({ jobId: job.id ?? '', name: job.name, data: job.data, error: err })
      .catch((hookErr: unknown) =>
        logger.error(
          { err: hookErr, queue, jobId: job.id, job: job.name },
          'bookkeeping of a failed job failed',
        ),
      );
  });
  worker.once('closed', () => {
    connection.disconnect();
  });
  return worker;
}

/**
 * A worker whose close waits for its start first (see `untilStarted`): a worker closed while
 * BullMQ still starts its connections leaves a failure nothing listens for, which Node treats
 * as fatal.
 */
class StartedWorker extends Worker {
  override async close(force?: boolean): Promise<void> {
    await untilStarted(this);
    return super.close(force);
  }
}

function elapsed(job: Job): number | undefined {
  return job.finishedOn !== undefined && job.processedOn !== undefined
    ? job.finishedOn - job.processedOn
    : undefined;
}
