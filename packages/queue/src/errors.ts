import type { z } from 'zod';

/**
 * Thrown by handlers for input that no retry can fix (a page that is not what its format says, a
 * reference to something that does not exist). The job fails at once and stays in the failed set.
 */
export class UnrecoverableJobError extends Error {
  override name = 'UnrecoverableJobError';
}

/** A payload that does not match the job catalog, rejected before it reaches Redis. */
export class InvalidJobPayloadError extends Error {
  override name = 'InvalidJobPayloadError';
  constructor(
    message: string,
    readonly issues: z.core.$ZodIssue[],
  ) {
    super(message);
  }
}
