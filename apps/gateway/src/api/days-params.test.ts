import { describe, expect, it } from 'vitest';

import { parseDayRequest, parseDaysRequest } from './days-params.js';

describe('parseDayRequest', () => {
  it('turns a date and a span into the days the engine lists', () => {
    expect(parseDayRequest('2025-11-05', {})).toEqual({
      ok: true,
      request: {
        date: '2025-11-05',
        span: 'day',
        listed: { from: '2025-11-05', to: '2025-11-05', limit: 100, offset: 0 },
      },
    });
    expect(parseDayRequest('2025-11-05', { span: 'week', limit: '10', offset: '20' })).toMatchObject({
      ok: true,
      request: { span: 'week', listed: { from: '2025-11-03', to: '2025-11-09', limit: 10, offset: 20 } },
    });
    expect(parseDayRequest('2024-02-10', { span: 'month' })).toMatchObject({
      request: { listed: { from: '2024-02-01', to: '2024-02-29' } },
    });
  });

  it('names every bad part at once', () => {
    expect(parseDayRequest('2025-02-30', { span: 'year', limit: '0' })).toEqual({
      ok: false,
      issues: [
        { parameter: 'date', message: 'date must be a date, YYYY-MM-DD' },
        { parameter: 'span', message: 'span must be one of day, week, month' },
        { parameter: 'limit', message: 'limit must be at least 1' },
      ],
    });
    expect(parseDayRequest('2101-01-01', {})).toMatchObject({
      ok: false,
      issues: [{ parameter: 'date', message: 'date must be from 1900-01-01 to 2100-12-31' }],
    });
  });
});

describe('parseDaysRequest', () => {
  it('takes an optional range and a limit, and refuses a reversed range', () => {
    expect(parseDaysRequest({})).toEqual({ ok: true, request: { limit: 100 } });
    expect(parseDaysRequest({ from: '2025-11-01', to: '2025-11-30', limit: '5' })).toEqual({
      ok: true,
      request: { from: '2025-11-01', to: '2025-11-30', limit: 5 },
    });
    expect(parseDaysRequest({ from: '2025-12-01', to: '2025-11-30' })).toMatchObject({
      ok: false,
      issues: [{ parameter: 'from' }],
    });
  });
});
