import { RetryLaterError } from '@paperwire/queue';
import { describe, expect, it } from 'vitest';

import { httpStatusOf, PermanentFetchError, TransientFetchError } from './http.js';

describe('httpStatusOf', () => {
  it('finds the status of the answer that failed a fetch, through the errors wrapping it', () => {
    expect(httpStatusOf(new PermanentFetchError('GET x answered 404 Not Found', 404))).toBe(404);
    const transient = new TransientFetchError('GET x answered 503', 30_000, 503);
    expect(httpStatusOf(new RetryLaterError(transient.message, 30_000, { cause: transient }))).toBe(503);
    // As the worker hands over an unrecoverable error: BullMQ's own, caused by the fetch's.
    const wrapped = new Error('GET x answered 410 Gone', { cause: new PermanentFetchError('gone', 410) });
    expect(httpStatusOf(wrapped)).toBe(410);
  });

  it('is null when no answer failed the fetch', () => {
    expect(httpStatusOf(new TransientFetchError('GET x failed: ECONNREFUSED'))).toBeNull();
    expect(httpStatusOf(new PermanentFetchError('body exceeds the limit'))).toBeNull();
    expect(httpStatusOf(new Error('archive failed'))).toBeNull();
    expect(httpStatusOf('not an error')).toBeNull();
  });
});
