import { describe, expect, it } from 'vitest';

import { checkFilters } from './filters.js';

describe('checkFilters', () => {
  it('gives since in the stored instant form', () => {
    expect(checkFilters({ since: '2025-11-03T09:00:00+01:00' })).toEqual({
      since: '2025-11-03T08:00:00.000Z',
    });
    expect(checkFilters({ since: '9999-12-31T23:59:59Z' })).toEqual({ since: '9999-12-31T23:59:59.000Z' });
    expect(checkFilters({ since: '0000-01-01T00:00:00Z' })).toEqual({ since: '0000-01-01T00:00:00.000Z' });
  });

  it.each([
    '+010000-01-01T00:00:00Z',
    '9999-12-31T23:59:59-05:00',
    '-000001-06-01T00:00:00Z',
    '0000-01-01T00:00:00+01:00',
  ])('refuses since=%s, whose year has no four-digit form', (since) => {
    expect(() => checkFilters({ since })).toThrow(RangeError);
    expect(() => checkFilters({ since })).toThrow(/since must be in the years 0000-9999/);
  });
});
