import type { z } from 'zod';

/**
 * Thrown by handlers for input that no retry can fix (a page that is not what its format says, a
 * reference to something that does not exist). The job fails at once and stays in the failed set.
 */
export class UnrecoverableJobError extends Error {
  override name = 'UnrecoverableJobError';
}

/**
 * Thrown by handlers for a failure that a retry at a known time can fix (a server that answered
 * 429 or 503 with Retry-After). The attempt counts; the next one waits `retryAfterMs`. Honoured for
 * jobs whose backoff type is RETRY_LATER_BACKOFF; others back off exponentially.
 */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
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
