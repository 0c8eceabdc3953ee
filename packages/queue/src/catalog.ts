import { JOB_CATALOG, type JobName, type JobPayload, type QueueName } from '@paperwire/schema';
import { z } from 'zod';

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOB_CATALOG, name);
}

export function queueOf(name: JobName): QueueName {
  return JOB_CATALOG[name].queue;
}

/** Job names that run on `queue`, in catalog order. */
export function jobNamesOf(queue: QueueName): JobName[] {
  return (Object.keys(JOB_CATALOG) as JobName[]).filter((name) => JOB_CATALOG[name].queue === queue);
}

export type PayloadCheck<N extends JobName> =
  { ok: true; payload: JobPayload<N> } | { ok: false; message: string; issues: z.core.$ZodIssue[] };

/** Parses `data` with the catalog schema of `name`, applying its defaults. */
export function checkPayload<N extends JobName>(name: N, data: unknown): PayloadCheck<N> {
  const schema: z.ZodType = JOB_CATALOG[name].payload;
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, payload: result.data as JobPayload<N> };
  return { ok: false, message: z.prettifyError(result.error), issues: result.error.issues };
}
