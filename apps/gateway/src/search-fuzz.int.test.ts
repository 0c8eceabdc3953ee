import { parse } from 'node:querystring';

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { searchParameters } from './api/search-params.js';
import { seedPapers } from './testing/fixture.js';
import { seededSqliteIndex, serve, type Running, type SeededIndex } from './testing/serve.js';

/*
 * Hostile query strings against `GET /v1/search` over HTTP, from a fixed seed so a failure
 * replays. 1,000 requests in all: whatever arrives, the answer is never a 5xx, a 400 names every
 * parameter it is about, query syntax in q is text, and an injection attempt in a filter value
 * never widens what the filter matches.
 */

const SEED = 20251103;
const KNOWN = Object.keys(searchParameters);

const INJECTIONS = [
  `" OR hasCode = true`,
  `x" OR hasCode = true`,
  `') OR 1=1--`,
  `' OR '1'='1`,
  `" OR source != "`,
  `\\" OR 1=1 OR \\"`,
  `; DROP TABLE papers; --`,
  `' UNION SELECT doc FROM papers --`,
  `*`,
  `%`,
  `_`,
  `") OR ("1"="1`,
  ` OR year > 0`,
  `\u0000`,
  `NOT x`,
  `hf OR arxiv`,
  `hf,arxiv) OR (1`,
];
const SYNTAX = [
  ...`"'*-+():^~!&|{}[]\\/,.;=<>@#$%?\``,
  ' AND ',
  ' OR ',
  ' NOT ',
  ' NEAR ',
  'title:',
  '\u0000',
  '\u202e',
];
const HUGE_NUMBERS = [
  '99999999999999999999999999',
  '-99999999999999999999',
  '1e309',
  'NaN',
  'Infinity',
  '-0',
  '0x7fffffff',
  '9007199254740993',
  '1'.repeat(400),
  '00000000000000000000001',
  '+5',
  ' 5 ',
];

const unicode = fc.string({ unit: 'binary', maxLength: 40 });
const hostileValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 2, arbitrary: fc.constantFrom(...HUGE_NUMBERS) },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      ',',
      'true',
      'false',
      '2025',
      '2024,2025',
      '2025-11-03',
      '2025-11-03T08:00:00Z',
      'relevance',
      'upvotes:desc',
      'year,source',
      '20',
      '0',
      'hf',
      'Ada Lovelace',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: unicode },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.constantFrom(200, 1000, 1001, 5000, 20_000).map((n) => 'x'.repeat(n)) },
  {
    weight: 2,
    arbitrary: fc.array(fc.constantFrom(...SYNTAX), { maxLength: 12 }).map((parts) => parts.join('')),
  },
);
const parameterKey = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KNOWN) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'Q', 'LIMIT'),
  },
);
const bracket = fc.constantFrom('', '', '', '', '[]', '[a]', '[0]', '[', '][', '[__proto__]');

/** One `key=value` pair, percent-encoded or left raw (as some clients send it). */
const pair = fc
  .record({ key: parameterKey, suffix: bracket, value: hostileValue, raw: fc.boolean() })
  .map(({ key, suffix, value, raw }) => {
    const name = key + suffix;
    const encodedName = encodeURIComponent(name).replace(/%5B/g, '[').replace(/%5D/g, ']');
    return raw
      ? `${encodedName}=${value.replace(/[&#\s]/g, '')}`
      : `${encodedName}=${encodeURIComponent(value)}`;
  });
/** Valid parameters around one hostile value in a parameter that takes free text. */
const VALID_PAIRS = [
  'limit=5',
  'offset=3',
  'sort=upvotes:desc',
  'facets=year,source',
  'highlight=true',
  'hasCode=false',
  'year=2024,2025',
  'from=2020-01-01',
];
const textual = fc
  .record({
    parameter: fc.constantFrom('q', 'q', 'source', 'authors'),
    value: hostileValue,
    valid: fc.subarray(VALID_PAIRS, { maxLength: 3 }),
  })
  .map(({ parameter, value, valid }) => [`${parameter}=${encodeURIComponent(value)}`, ...valid].join('&'));
const hostileQuery = fc.oneof(
  { weight: 5, arbitrary: textual },
  { weight: 8, arbitrary: fc.array(pair, { minLength: 1, maxLength: 4 }).map((pairs) => pairs.join('&')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((s) => s.replace(/[#\s]/g, '')) },
  { weight: 1, arbitrary: fc.constantFrom('&&&', '=', '==', '&=&', 'q', 'q&q', '%', '%E0%A4%A', 'q=%FF%FE') },
);

/** The parameter names the gateway sees in a query string (Node's querystring, brackets cut). */
function sentNames(query: string): Set<string> {
  const names = new Set<string>();
  // The parser Express's `simple` query parser is.
  for (const key of Object.keys(parse(query))) {
    const bracketAt = key.indexOf('[');
    names.add(bracketAt > 0 ? key.slice(0, bracketAt) : key);
  }
  return names;
}

interface Answer {
  status: number;
  body: unknown;
}

describe('GET /v1/search under fuzzing', () => {
  let seeded: SeededIndex;
  let gateway: Running;
  const baselines = new Map<string, number>();

  const send = async (query: string): Promise<Answer> => {
    const response = await fetch(`${gateway.base}/v1/search?${query}`);
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Node answers headers over its size limit (431) itself, without JSON.
    }
    return { status: response.status, body };
  };

  beforeAll(async () => {
    seeded = await seededSqliteIndex(await seedPapers());
    gateway = await serve({ index: seeded.index });
  });

  afterAll(async () => {
    await gateway?.close();
    await seeded?.close();
  });

  it('never answers 5xx, and every 400 names each bad parameter (600 query strings)', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(hostileQuery, async (query) => {
        const { status, body } = await send(query);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(status, query).toBeLessThan(500);
        expect([200, 400, 414, 431], query).toContain(status);
        if (status !== 400) return;
        const { error, issues } = body as { error: string; issues: { parameter: string; message: string }[] };
        expect(error).toBe('bad_request');
        expect(issues.length, query).toBeGreaterThan(0);
        const sent = sentNames(query);
        for (const issue of issues) {
          expect(sent.has(issue.parameter), `${query}: ${JSON.stringify(issue)}`).toBe(true);
          expect(issue.message.length).toBeGreaterThan(0);
        }
        const named = new Set(issues.map((i) => i.parameter));
        for (const name of sent) {
          if (!KNOWN.includes(name))
            expect(named.has(name), `${query}: unknown ${name} not named`).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 600 },
    );
    // The generator reaches both sides of validation, not only one of them.
    expect(statuses.get(200) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(60);
    expect(statuses.get(400) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(60);
  });

  it('treats query syntax in q as text (200 query strings)', async () => {
    const syntaxQuery = fc
      .array(fc.oneof(fc.constantFrom(...SYNTAX), fc.constantFrom('quantum', 'diffusion', 'learning', 'x')), {
        minLength: 1,
        maxLength: 20,
      })
      .map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(syntaxQuery, async (q) => {
        const { status, body } = await send(`q=${encodeURIComponent(q)}`);
        expect(status, q).toBe(200);
        expect((body as { query: string }).query).toBe(q);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('never widens a filter by injecting into its value (200 query strings)', async () => {
    const total = async (query: string): Promise<number> => {
      const { status, body } = await send(query);
      expect(status, query).toBe(200);
      return (body as { total: number }).total;
    };
    const baseline = async (query: string): Promise<number> => {
      let value = baselines.get(query);
      if (value === undefined) {
        value = await total(query);
        baselines.set(query, value);
      }
      return value;
    };
    const attempt = fc.record({
      parameter: fc.constantFrom('source', 'authors'),
      base: fc.constantFrom('hf', 'arxiv', 'rss', 'Ada Lovelace', 'Alan Turing', 'x', 'a'),
      injection: fc.constantFrom(...INJECTIONS.filter((s) => !s.includes(','))),
      q: fc.constantFrom('', 'quantum', 'learning'),
    });
    await fc.assert(
      fc.asyncProperty(attempt, async ({ parameter, base, injection, q }) => {
        const plain = `q=${encodeURIComponent(q)}&${parameter}=${encodeURIComponent(base)}&limit=1`;
        const injected = `q=${encodeURIComponent(q)}&${parameter}=${encodeURIComponent(base + injection)}&limit=1`;
        const answer = await send(injected);
        if (answer.status === 400) {
          // A value the parameter cannot take (an author name without letters) is refused by name.
          expect((answer.body as { issues: { parameter: string }[] }).issues[0]?.parameter).toBe(parameter);
          return;
        }
        expect(answer.status, injected).toBe(200);
        expect((answer.body as { total: number }).total, injected).toBeLessThanOrEqual(await baseline(plain));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('answers the examples from the API description', async () => {
    for (const [query, expected] of [
      [`source=${encodeURIComponent('x" OR hasCode = true')}`, 200],
      [`authors=${encodeURIComponent("a') OR 1=1--")}`, 200],
      ['q[]=x', 400],
      ['q[a]=x', 400],
      [`limit=${'9'.repeat(30)}`, 400],
      [`q=${encodeURIComponent('\u{1F600}\u0301\u202e\uFFFF')}`, 200],
      [`q=${'a'.repeat(5000)}`, 400],
    ] as const) {
      const { status, body } = await send(query);
      expect(status, query).toBe(expected);
      if (status === 200 && !query.startsWith('q=')) expect((body as { total: number }).total, query).toBe(0);
    }
  });
});
