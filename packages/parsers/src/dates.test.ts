import { describe, expect, it } from 'vitest';

import {
  feedDatePart,
  isoDate,
  isoDatePart,
  monthNumber,
  resolveYearlessDate,
  rfc822DatePart,
} from './dates.js';

describe('resolveYearlessDate', () => {
  it.each([
    // [month, day, capturedAt, expected]
    [7, 17, '2025-11-03T12:00:00.000Z', '2025-07-17'],
    [12, 20, '2025-11-03T12:00:00.000Z', '2024-12-20'],
    [11, 3, '2025-11-03T00:00:00.000Z', '2025-11-03'],
    [11, 4, '2025-11-03T23:59:59.999Z', '2024-11-04'],
    [12, 30, '2026-01-05T08:00:00.000Z', '2025-12-30'],
    [1, 5, '2026-01-05T08:00:00.000Z', '2026-01-05'],
    [1, 6, '2026-01-05T08:00:00.000Z', '2025-01-06'],
    [12, 31, '2026-01-01T00:00:00.000Z', '2025-12-31'],
    [1, 1, '2026-01-01T00:00:00.000Z', '2026-01-01'],
    [2, 29, '2025-11-03T12:00:00.000Z', '2024-02-29'],
    [2, 29, '2024-03-01T00:00:00.000Z', '2024-02-29'],
    [2, 29, '2024-02-28T00:00:00.000Z', '2020-02-29'],
  ])('%i/%i captured %s → %s', (month, day, capturedAt, expected) => {
    expect(resolveYearlessDate(month, day, capturedAt)).toBe(expected);
  });

  it('gives null for a day no year has', () => {
    expect(resolveYearlessDate(2, 30, '2025-11-03T12:00:00.000Z')).toBeNull();
    expect(resolveYearlessDate(4, 31, '2025-11-03T12:00:00.000Z')).toBeNull();
  });

  it('refuses a capture time that is not a datetime', () => {
    expect(() => resolveYearlessDate(1, 1, 'yesterday')).toThrow(RangeError);
  });
});

describe('isoDate and monthNumber', () => {
  it('validates calendar dates', () => {
    expect(isoDate(2023, 12, 8)).toBe('2023-12-08');
    expect(isoDate(2024, 2, 29)).toBe('2024-02-29');
    expect(isoDate(2023, 2, 29)).toBeNull();
    expect(isoDate(2023, 13, 1)).toBeNull();
    expect(isoDate(2023, 1, 0)).toBeNull();
  });

  it('reads English month names and abbreviations in any case', () => {
    expect(['Jan', 'feb', 'MAR', 'Sept', 'Sep.', 'December'].map(monthNumber)).toEqual([1, 2, 3, 9, 9, 12]);
    expect(monthNumber('Foo')).toBeNull();
  });
});

describe('isoDatePart, rfc822DatePart, feedDatePart', () => {
  it.each([
    ['2025-10-30T17:59:58.000Z', '2025-10-30'],
    ['2003-07-07T13:46:39-04:00', '2003-07-07'],
    [' 2024-01-22 ', '2024-01-22'],
    ['2024-02-30T00:00:00Z', null],
    ['20240122', null],
    ['2024-01-222', null],
    ['not a date', null],
  ])('ISO %j → %s', (s, expected) => {
    expect(isoDatePart(s)).toBe(expected);
  });

  it.each([
    ['Mon, 03 Nov 2025 00:00:00 -0500', '2025-11-03'],
    ['3 Nov 2025 23:59:59 GMT', '2025-11-03'],
    ['Tue, 29 Feb 00 10:00:00 +0000', '2000-02-29'],
    ['Wed, 01 Jan 99 10:00:00 +0000', '1999-01-01'],
    ['Mon, 31 Nov 2025 00:00:00 -0500', null],
    ['Mon, 03 Foo 2025', null],
  ])('RFC 822 %j → %s', (s, expected) => {
    expect(rfc822DatePart(s)).toBe(expected);
  });

  it('reads either', () => {
    expect(feedDatePart('2023-12-20T20:30:00-05:00')).toBe('2023-12-20');
    expect(feedDatePart('Mon, 03 Nov 2025 00:00:00 -0500')).toBe('2025-11-03');
    expect(feedDatePart('soon')).toBeNull();
  });
});

describe('isoDate', () => {
  it('knows the length of every month of every year, as the Date object does', () => {
    for (let year = 1000; year <= 9999; year += year < 2200 ? 1 : 97) {
      for (let month = 1; month <= 12; month++) {
        const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
        expect(isoDate(year, month, days), `${year}-${month}`).not.toBeNull();
        expect(isoDate(year, month, days + 1), `${year}-${month}`).toBeNull();
      }
    }
  });
});
