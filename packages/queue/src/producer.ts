import type { Logger } from '@paperwire/observability';
import { JOB_CATALOG, type JobInput, type JobName, type JobPayload, type QueueName } from '@paperwire/schema';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { checkPayload } from './catalog.js';
import { InvalidJobPayloadError } from './errors.js';
import { jobOptions } from './options.js';

export interface QueueOptions {
  connection: Redis;
  /** Prefix of every BullMQ key, so several deployments (or tests) can share one Redis. */
  prefix: string;
}

/** Enqueues catalog jobs; payloads are validated here, before they reach Redis. */
export class Producer {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(private readonly opts: QueueOptions & { logger?: Logger }) {}

  /** The connection the queues use, for state kept beside them (run counters, ledgers). */
  get connection(): Redis {
    return this.opts.connection;
  }

  get prefix(): string {
    return this.opts.prefix;
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.opts.connection, prefix: this.opts.prefix });
      queue.on('error', (err) => this.opts.logger?.warn({ err, queue: name }, 'queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  async enqueue<N extends JobName>(name: N, payload: JobInput<N>): Promise<string> {
    const data = validPayload(name, payload);
    const job = await this.queue(JOB_CATALOG[name].queue).add(name, data, jobOptions(name, data));
    return jobIdOrThrow(job.id, name);
  }

  async enqueueMany<N extends JobName>(name: N, payloads: JobInput<N>[]): Promise<string[]> {
    if (payloads.length === 0) return [];
    const jobs = payloads.map((payload) => {
      const data = validPayload(name, payload);
      return { name, data, opts: jobOptions(name, data) };
    });
    const added = await this.queue(JOB_CATALOG[name].queue).addBulk(jobs);
    return added.map((job) => jobIdOrThrow(job.id, name));
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}

function validPayload<N extends JobName>(name: N, payload: JobInput<N>): JobPayload<N> {
  const checked = checkPayload(name, payload);
  if (!checked.ok) {
    throw new InvalidJobPayloadError(`invalid payload for job ${name}:\n${checked.message}`, checked.issues);
  }
  return checked.payload;
}

function jobIdOrThrow(id: string | undefined, name: JobName): string {
  if (id === undefined) throw new Error(`BullMQ returned no id for a ${name} job`);
  return id;
}
