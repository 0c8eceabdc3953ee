import {
  compareListed,
  dayHit,
  DayResponseSchema,
  DaysResponseSchema,
  firstSeenDay,
  type DayResponse,
  type DaysResponse,
  type ErrorResponse,
  type Paper,
} from '@paperwire/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { seededEngines } from './testing/engines.js';
import { ANNEALING, HF_CAPTURED_AT, MARKUP, MEMORIES, QEC, seedPapers } from './testing/fixture.js';
import { getJson, serve, type Running } from './testing/serve.js';

/*
 * Days over HTTP, on a real index seeded with the 2025-11-03 listing (68 papers first seen that
 * day) and hand-built papers first seen on other days. Expected answers come from an oracle: the
 * seeded papers grouped and ordered by the schema's rules in plain TypeScript.
 */

const PAPERS = await seedPapers();

function listedIn(from: string, to: string): Paper[] {
  return PAPERS.filter((p) => firstSeenDay(p) >= from && firstSeenDay(p) <= to).sort(compareListed);
}

for (const engine of seededEngines(PAPERS)) {
  describe.skipIf(engine.skip !== undefined)(`days API on ${engine.name}`, () => {
    let opened: Awaited<ReturnType<typeof engine.open>>;
    let gateway: Running;
    const json = <T>(path: string) => getJson<T>(`${gateway.base}${path}`);

    beforeAll(async () => {
      opened = await engine.open();
      gateway = await serve({ index: opened.index });
    });

    afterAll(async () => {
      await gateway?.close();
      await opened?.close();
    });

    it('lists the days with papers, newest first, with counts', async () => {
      const { status, body } = await json<DaysResponse>('/v1/days');
      expect(status).toBe(200);
      expect(DaysResponseSchema.parse(body)).toEqual({
        days: [
          { date: firstSeenDay(ANNEALING), papers: 1 },
          { date: HF_CAPTURED_AT.slice(0, 10), papers: 68 },
          { date: firstSeenDay(QEC), papers: 1 },
          { date: firstSeenDay(MEMORIES), papers: 1 },
          { date: firstSeenDay(MARKUP), papers: 1 },
        ],
      });
      expect((await json<DaysResponse>('/v1/days?limit=1')).body.days).toEqual([
        { date: '2025-11-10', papers: 1 },
      ]);
      expect(
        (await json<DaysResponse>('/v1/days?from=2023-01-01&to=2025-11-09')).body.days.map((d) => d.date),
      ).toEqual(['2025-11-03', '2024-01-06', '2023-12-21']);
    });

    it("answers a day with its papers in the day's upvote order and its neighbours", async () => {
      const { status, body } = await json<DayResponse>('/v1/days/2025-11-03');
      expect(status).toBe(200);
      const expected = listedIn('2025-11-03', '2025-11-03').map(dayHit);
      expect(expected).toHaveLength(68);
      expect(DayResponseSchema.parse(body)).toEqual({
        date: '2025-11-03',
        span: 'day',
        from: '2025-11-03',
        to: '2025-11-03',
        total: 68,
        limit: 100,
        offset: 0,
        previous: '2024-01-06',
        next: '2025-11-10',
        hits: expected,
      });
      // The fixture's counts come first, highest first; the papers that show none follow.
      const counted = body.hits.filter((h) => h.dayUpvotes !== null).map((h) => h.dayUpvotes);
      expect(counted.length).toBeGreaterThan(0);
      expect(counted).toEqual([...counted].sort((a, b) => b! - a!));
      expect(body.hits.slice(0, counted.length).every((h) => h.dayUpvotes !== null)).toBe(true);

      const page = await json<DayResponse>('/v1/days/2025-11-03?limit=10&offset=60');
      expect(page.body.hits).toEqual(expected.slice(60, 70));
      expect(page.body).toMatchObject({ total: 68, limit: 10, offset: 60 });
    });

    it('answers the upvotes a paper showed on its day, not a later count', async () => {
      const { body } = await json<DayResponse>('/v1/days/2024-01-06');
      // QEC was first seen on arXiv (no count) on 2024-01-06, and showed 120 on Hugging Face a day later.
      expect(body.hits).toEqual([{ ...QEC, dayUpvotes: null }]);
      expect(body).toMatchObject({ previous: '2023-12-21', next: '2025-11-03' });
    });

    it('answers weeks and months, and days without papers', async () => {
      const week = await json<DayResponse>('/v1/days/2025-11-05?span=week');
      expect(week.body).toMatchObject({
        date: '2025-11-05',
        span: 'week',
        from: '2025-11-03',
        to: '2025-11-09',
        total: 68,
        previous: '2024-01-06',
        next: '2025-11-10',
      });
      const month = await json<DayResponse>('/v1/days/2025-11-20?span=month&limit=100');
      expect(month.body).toMatchObject({ from: '2025-11-01', to: '2025-11-30', total: 69, next: null });
      expect(month.body.hits).toEqual(listedIn('2025-11-01', '2025-11-30').map(dayHit));
      const quiet = await json<DayResponse>('/v1/days/2025-11-05');
      expect(quiet.body).toMatchObject({ total: 0, hits: [], previous: '2025-11-03', next: '2025-11-10' });
    });

    it('refuses bad dates and parameters with a 400 naming them', async () => {
      for (const [path, parameter] of [
        ['/v1/days/2025-13-01', 'date'],
        ['/v1/days/2025-02-30', 'date'],
        ['/v1/days/yesterday', 'date'],
        ['/v1/days/1800-01-01', 'date'],
        ['/v1/days/2025-11-03?span=year', 'span'],
        ['/v1/days/2025-11-03?limit=0', 'limit'],
        ['/v1/days/2025-11-03?limit=501', 'limit'],
        ['/v1/days/2025-11-03?offset=9950&limit=100', 'offset'],
        ['/v1/days/2025-11-03?q=x', 'q'],
        ['/v1/days?from=2025-11-04&to=2025-11-03', 'from'],
        ['/v1/days?from=2025-1-4', 'from'],
        ['/v1/days?limit=1001', 'limit'],
        ['/v1/days?limit=1x', 'limit'],
      ] as const) {
        const { status, body } = await json<ErrorResponse>(path);
        expect(status, path).toBe(400);
        expect(body.error, path).toBe('bad_request');
        expect(
          body.issues?.map((i) => i.parameter),
          path,
        ).toContain(parameter);
        expect(body.message, path).toMatch(new RegExp(parameter));
      }
    });
  });
}
