import { describe, expect, it } from 'vitest';

import {
  daysBetween,
  expandUrl,
  formatAge,
  freshness,
  nominalIntervalMs,
  parseSchedule,
  parseSources,
  SourcesError,
  utcDay,
} from './index.js';

const parse = (text: string, file = 'sources.yaml') =>
  parseSources(text, { file, baseDir: '/srv/paperwire/infra' });

function problemsOf(text: string, file = 'sources.yaml'): string[] {
  try {
    parse(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(SourcesError);
    return (error as SourcesError).message.split('\n');
  }
  throw new Error('expected the sources file to be rejected');
}

describe('parseSources', () => {
  it('reads sources with their defaults, resolving file paths against the file', () => {
    const { sources } = parse(`
sources:
  - name: hf-api
    url: https://huggingface.co/api/daily_papers?date={date}
    format: hf-json
    schedule: 6h
    rateLimit: { every: 2s, burst: 2, concurrency: 1 }
  - name: bundled
    url: file:digests/hf-{date}.txt
    capturedAt: 2025-11-03
    schedule: "0 6 * * *"
    enabled: false
`);
    expect(sources).toEqual([
      {
        name: 'hf-api',
        url: 'https://huggingface.co/api/daily_papers?date={date}',
        kind: 'http',
        host: 'huggingface.co',
        format: 'hf-json',
        schedule: { text: '6h', every: 6 * 3_600_000 },
        rateLimit: { everyMs: 2000, burst: 2, concurrency: 1 },
        enabled: true,
        capturedAt: null,
      },
      {
        name: 'bundled',
        url: 'file:///srv/paperwire/infra/digests/hf-{date}.txt',
        kind: 'file',
        host: null,
        format: null,
        schedule: { text: '0 6 * * *', pattern: '0 6 * * *' },
        rateLimit: null,
        enabled: false,
        capturedAt: '2025-11-03T00:00:00.000Z',
      },
    ]);
  });

  it('names the line and field of every problem', () => {
    const problems = problemsOf(`sources:
  - name: ok
    url: https://example.org/feed
  - name: bad-schedule
    url: https://example.org/{date}
    schedule: every day
  - name: typo
    url: https://example.org/x
    shedule: 1h
  - name: bad-url
    url: ftp://example.org/x
  - name: bad-placeholder
    url: https://example.org/{day}
  - name: bad-limit
    url: https://example.org/y
    rateLimit:
      every: 2s
      burst: 0
`);
    expect(problems).toEqual([
      expect.stringMatching(/^sources\.yaml:6: sources\[1\]\.schedule: "every day" is neither an interval/),
      expect.stringMatching(/^sources\.yaml:9: sources\[2\]: .*shedule/),
      expect.stringMatching(/^sources\.yaml:11: sources\[3\]\.url: ftp: URLs are not fetched/),
      expect.stringMatching(/^sources\.yaml:13: sources\[4\]\.url: unknown placeholder \{day\}/),
      expect.stringMatching(/^sources\.yaml:18: sources\[5\]\.rateLimit\.burst: /),
    ]);
  });

  it('reports a missing field at the entry that lacks it, and duplicate names', () => {
    expect(
      problemsOf('sources:\n  - name: a\n    url: https://a.example/\n  - url: https://b.example/\n'),
    ).toEqual([expect.stringMatching(/^sources\.yaml:4: sources\[1\]\.name: /)]);
    expect(
      problemsOf(
        'sources:\n  - name: a\n    url: https://a.example/\n  - name: a\n    url: https://b.example/\n',
      ),
    ).toEqual(['sources.yaml:4: sources[1].name: "a" is already the name of sources[0]']);
  });

  it('reads JSON too, with its line numbers', () => {
    const problems = problemsOf(
      '{\n  "sources": [\n    { "name": "x", "url": "https://x.example/", "schedule": "5x" }\n  ]\n}\n',
      'sources.json',
    );
    expect(problems).toEqual([expect.stringMatching(/^sources\.json:3: sources\[0\]\.schedule: "5x"/)]);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problemsOf('sources:\n  - name: a\n    url: [unclosed\n')[0]).toMatch(/^sources\.yaml:\d+: /);
  });

  it('rejects bad names, capture times and formats', () => {
    const problems = problemsOf(`sources:
  - name: has space
    url: https://a.example/
    capturedAt: yesterday
    format: pdf
`);
    expect(problems).toEqual([
      expect.stringMatching(/^sources\.yaml:2: sources\[0\]\.name: a source name is/),
      expect.stringMatching(/^sources\.yaml:4: sources\[0\]\.capturedAt: /),
      expect.stringMatching(/^sources\.yaml:5: sources\[0\]\.format: /),
    ]);
  });
});

describe('parseSchedule', () => {
  it('reads intervals and UTC cron patterns', () => {
    expect(parseSchedule('30m')).toEqual({ text: '30m', every: 1_800_000 });
    expect(parseSchedule('1d')).toEqual({ text: '1d', every: 86_400_000 });
    expect(parseSchedule('2s')).toEqual({ text: '2s', every: 2000 });
    expect(parseSchedule(' 0 6 * * 1-5 ')).toEqual({ text: '0 6 * * 1-5', pattern: '0 6 * * 1-5' });
    expect(parseSchedule('*/10 * * * * *')).toEqual({ text: '*/10 * * * * *', pattern: '*/10 * * * * *' });
  });

  it('says what is wrong with a bad one', () => {
    expect(() => parseSchedule('0s')).toThrow(/shorter than 1s/);
    expect(() => parseSchedule('6 hours')).toThrow(/neither an interval/);
    expect(() => parseSchedule('6')).toThrow(/not an interval/);
    expect(() => parseSchedule('61 * * * *')).toThrow(/not a valid cron pattern/);
  });

  it('knows the usual gap between runs', () => {
    expect(nominalIntervalMs(parseSchedule('6h'))).toBe(6 * 3_600_000);
    expect(nominalIntervalMs(parseSchedule('0 */6 * * *'), new Date('2025-11-03T01:00:00Z'))).toBe(
      6 * 3_600_000,
    );
  });
});

describe('freshness', () => {
  const now = new Date('2025-11-03T12:00:00Z');
  it('is fresh within two intervals, stale after, never without a good fetch', () => {
    const hourly = parseSchedule('1h');
    expect(freshness('2025-11-03T10:30:00.000Z', hourly, now)).toEqual({
      state: 'fresh',
      ageMs: 90 * 60_000,
    });
    expect(freshness('2025-11-03T09:00:00.000Z', hourly, now)).toEqual({
      state: 'stale',
      ageMs: 3 * 3_600_000,
    });
    expect(freshness(null, hourly, now)).toEqual({ state: 'never' });
    expect(freshness('2025-11-02T13:00:00.000Z', null, now).state).toBe('fresh');
  });

  it('formats ages', () => {
    expect([
      formatAge(5_000),
      formatAge(180_000),
      formatAge(5 * 3_600_000),
      formatAge(3 * 86_400_000),
    ]).toEqual(['5s', '3m', '5h', '3d']);
  });
});

describe('templates', () => {
  it('expands {date} to the UTC day', () => {
    expect(expandUrl('https://huggingface.co/api/daily_papers?date={date}', '2025-11-03')).toBe(
      'https://huggingface.co/api/daily_papers?date=2025-11-03',
    );
    expect(expandUrl('https://huggingface.co/papers/date/{date}', '2025-11-03')).toBe(
      'https://huggingface.co/papers/date/2025-11-03',
    );
    expect(expandUrl('https://x.example/feed', '2025-11-03')).toBe('https://x.example/feed');
    // 23:30 in New York on Nov 2 is already Nov 3 in UTC.
    expect(utcDay(new Date('2025-11-02T23:30:00-05:00'))).toBe('2025-11-03');
    expect(() => expandUrl('https://x.example/{date}', '2025-02-30')).toThrow(/not a date/);
  });

  it('lists every day of a range, both ends included', () => {
    expect(daysBetween('2025-02-27', '2025-03-02')).toEqual([
      '2025-02-27',
      '2025-02-28',
      '2025-03-01',
      '2025-03-02',
    ]);
    expect(daysBetween('2025-11-03', '2025-11-03')).toEqual(['2025-11-03']);
    expect(() => daysBetween('2025-11-04', '2025-11-03')).toThrow(/before/);
  });
});
