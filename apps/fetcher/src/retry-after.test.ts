import { describe, expect, it } from 'vitest';

import { parseRetryAfter } from './http.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-11-03T08:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 03 Nov 2025 08:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 03 Nov 2025 07:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
