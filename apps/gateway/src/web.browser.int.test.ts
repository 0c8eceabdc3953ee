import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { canonicalPaper, dayUpvotes, paperIdFromTitle, type Paper } from '@paperwire/schema';
import { XMLValidator } from 'fast-xml-parser';
import { parseAtomFeed } from 'feedsmith';
import { repoRoot, tempDir, type TempDir } from '@paperwire/testing';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { testEnv } from './testing/env.js';
import { ANNEALING, MARKUP, QEC, recapturedPapers, seedPapers } from './testing/fixture.js';
import { seededSqliteIndex, serve, type Running, type SeededIndex } from './testing/serve.js';

/*
 * The search page in a real browser (Debian's Chromium through playwright-core) against a
 * gateway on a real SQLite index seeded with the fixture: as a person uses it, by keyboard.
 */

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOTS = join(repoRoot, 'test-results', 'gateway');
const WAIT_MS = 10_000;

describe('search page in Chromium', () => {
  let seeded: SeededIndex;
  let papers: Paper[];
  let gateway: Running;
  let profile: TempDir;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const requested: string[] = [];

  beforeAll(async () => {
    if (!existsSync(testEnv.chromiumPath)) {
      throw new Error(
        `no Chromium at ${testEnv.chromiumPath}. Install Debian's: \`apt-get install -y chromium\` ` +
          '(CI does, in .ci/run), or point CHROMIUM_PATH at a Chromium or Chrome binary.',
      );
    }
    papers = await seedPapers();
    seeded = await seededSqliteIndex(papers);
    gateway = await serve({ index: seeded.index });
    profile = await tempDir('chromium-profile');
    context = await chromium.launchPersistentContext(profile.path, {
      executablePath: testEnv.chromiumPath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      colorScheme: 'light',
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(WAIT_MS);
    page.on('console', (message) => {
      // The one 400 is the error state shown on purpose below.
      if (message.type() === 'error' && !/status of 400/.test(message.text()))
        problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('request', (request) => requested.push(request.url()));
    await mkdir(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    await profile?.remove();
    await gateway?.close();
    await seeded?.close();
  });

  const results = () => page.locator('#results > li article');
  const firstTitle = () => results().first().locator('h2');
  /** The total the status line reports ("1–20 of 28 papers …" or "3 papers …"). */
  const shownTotal = async () =>
    Number(/(\d+) papers?\b/.exec((await page.locator('#status').textContent()) ?? '')?.[1]);

  it('opens on the latest day, with the search box focused', async () => {
    await page.goto(`${gateway.base}/`);
    await expect
      .poll(() => page.locator('#day-title').textContent(), { timeout: WAIT_MS })
      .toBe('Nov 10, 2025');
    expect(await results().count()).toBe(1);
    expect(await firstTitle().textContent()).toBe(ANNEALING.title);
    expect(await page.locator('#status').textContent()).toBe(
      '1 paper first listed on Nov 10, 2025, most upvoted first.',
    );
    expect(await page.locator('#q').evaluate((input) => input === input.ownerDocument.activeElement)).toBe(
      true,
    );
    // The latest day has no next day; its previous day is the fixture's.
    expect(await page.locator('#day-next').getAttribute('aria-disabled')).toBe('true');
    expect(await page.locator('#day-prev').getAttribute('href')).toBe('/?day=2025-11-03');
    expect(await page.locator('#span-day').getAttribute('aria-current')).toBe('page');
  });

  it('steps to the previous day, lists it by the upvotes of that day, and shows its week and month', async () => {
    await page.locator('#day-prev').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#day-title').textContent()).toBe('Nov 3, 2025');
    expect(new URL(page.url()).searchParams.get('day')).toBe('2025-11-03');
    await expect.poll(() => results().count()).toBe(68);
    expect(await page.locator('#status').textContent()).toBe(
      '68 papers first listed on Nov 3, 2025, most upvoted first.',
    );
    const counted = papers
      .filter((p) => p.firstSeenAt.startsWith('2025-11-03'))
      .map((p) => dayUpvotes(p))
      .filter((n): n is number => n !== null)
      .sort((a, b) => b - a);
    const shown = await results()
      .locator('.votes')
      .evaluateAll((els) => els.map((e) => Number(/\d+/.exec(e.textContent ?? '')?.[0])));
    expect(shown).toEqual(counted);
    expect(await results().first().locator('.votes').textContent()).toBe(
      `▲ ${counted[0]} upvote${counted[0] === 1 ? '' : 's'}`,
    );
    expect(await page.locator('#day-next').getAttribute('href')).toBe('/?day=2025-11-10');
    expect(await page.locator('#day-prev').getAttribute('href')).toBe('/?day=2024-01-06');
    await page.screenshot({ path: join(SCREENSHOTS, 'day-page.png'), fullPage: false });

    await page.locator('#span-week').click();
    await expect
      .poll(() => page.locator('#day-title').textContent())
      .toBe('Week of Nov 3, 2025 – Nov 9, 2025');
    expect(await page.locator('#span-week').getAttribute('aria-current')).toBe('page');
    expect(await page.locator('#day-next').textContent()).toBe('Next week →');
    await expect.poll(() => results().count()).toBe(68);

    await page.locator('#span-month').click();
    await expect.poll(() => page.locator('#day-title').textContent()).toBe('November 2025');
    await expect
      .poll(() => page.locator('#status').textContent())
      .toMatch(/^69 papers first listed in November 2025/);
    expect(await page.locator('#day-next').getAttribute('aria-disabled')).toBe('true');
    expect(new URL(page.url()).searchParams.get('span')).toBe('month');
  });

  it('links the Atom and JSON feeds of what it shows, and a feed reader can read them', async () => {
    const atom = page.locator('head link[rel="alternate"][type="application/atom+xml"]');
    const json = page.locator('head link[rel="alternate"][type="application/feed+json"]');
    expect(await atom.getAttribute('href')).toBe('/v1/feed.atom');
    expect(await json.getAttribute('href')).toBe('/v1/feed.json');
    await page.locator('#q').fill('quantum');
    await page.locator('#source').selectOption('arxiv');
    await expect.poll(() => atom.getAttribute('href')).toBe('/v1/feed.atom?q=quantum&source=arxiv');
    expect(await json.getAttribute('href')).toBe('/v1/feed.json?q=quantum&source=arxiv');
    expect(await page.locator('#feed-link').getAttribute('href')).toBe(
      '/v1/feed.atom?q=quantum&source=arxiv',
    );
    expect(await page.locator('#feed-link').textContent()).toBe('Atom feed of “quantum”');
    const text = await (await fetch(`${gateway.base}${await atom.getAttribute('href')}`)).text();
    expect(XMLValidator.validate(text)).toBe(true);
    const titles = (parseAtomFeed(text).entries ?? []).map((e) => e.title?.value);
    expect(titles[0]).toBe(ANNEALING.title);
    expect(titles.length).toBeGreaterThan(1);
    // Back to no query and no filter: the day view again.
    await page.locator('#source').selectOption('');
    await page.locator('#q').fill('');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#day-nav').isVisible()).toBe(true);
    expect(await atom.getAttribute('href')).toBe('/v1/feed.atom');
  });

  it('finds the right paper first for a query with a typo, as it is typed', async () => {
    await page.locator('#q').pressSequentially('catastrophik forgetting', { delay: 15 });
    await expect
      .poll(() => firstTitle().textContent(), { timeout: WAIT_MS })
      .toMatch(/Solving the Catastrophic Forgetting Problem/);
    // The matched words come back highlighted.
    expect(await firstTitle().locator('mark').count()).toBeGreaterThan(0);
    expect(new URL(page.url()).searchParams.get('q')).toBe('catastrophik forgetting');
    await page.screenshot({ path: join(SCREENSHOTS, 'search-typo.png'), fullPage: false });
  });

  it('filters to papers with code and sorts newest published first, by keyboard', async () => {
    await page.locator('#q').fill('learning');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/for “learning”/);
    const unfiltered = await shownTotal();

    await page.locator('#hasCode').focus();
    await page.keyboard.press('Space');
    await page.locator('#sort').selectOption('publishedAt:desc');
    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('publishedAt:desc');
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/with these filters/);
    expect(new URL(page.url()).searchParams.get('hasCode')).toBe('true');

    const count = await results().count();
    expect(count).toBeGreaterThan(0);
    const filtered = await shownTotal();
    expect(filtered).toBeLessThan(unfiltered);
    const published: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const article = results().nth(i);
      expect(await article.getByRole('link', { name: /^Code: / }).count()).toBeGreaterThan(0);
      const date = await article.locator('time').first().getAttribute('datetime');
      if (date) published.push(date);
    }
    expect(published).toEqual([...published].sort().reverse());
  });

  it('narrows to a year the index holds, from its facets', async () => {
    const years = await page.locator('#year option').allTextContents();
    const inIndex = papers.filter((p) => p.publishedAt?.startsWith('2024')).length;
    expect(years).toEqual(expect.arrayContaining(['Any year', `2024 (${inIndex})`]));
    await page.locator('#year').selectOption('2024');
    await expect.poll(() => new URL(page.url()).searchParams.get('year')).toBe('2024');
    await expect
      .poll(async () => (await results().first().locator('time').first().getAttribute('datetime')) ?? '')
      .toMatch(/^2024-/);
    for (const date of await results()
      .locator('time:first-of-type')
      .evaluateAll((els) => els.map((e) => e.getAttribute('datetime')))) {
      expect(date).toMatch(/^2024-/);
    }
    expect(await page.locator('#pager').isVisible()).toBe(false);
    await page.locator('#year').selectOption('');
    await expect.poll(() => new URL(page.url()).searchParams.get('year')).toBeNull();
  });

  it('opens similar papers for a result', async () => {
    // The search the year's reset started replaces the list when it answers: the list to click
    // in is the one shown once no search is in flight.
    await expect.poll(() => page.locator('#results').getAttribute('aria-busy')).toBeNull();
    const first = results().first();
    const toggle = first.getByRole('button', { name: 'Similar papers' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('true');
    const similar = first.locator('.similar li');
    await expect.poll(() => similar.count(), { timeout: WAIT_MS }).toBeGreaterThan(0);
    expect(requested.some((url) => /\/v1\/papers\/[^/]+\/similar\?limit=5$/.test(url))).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'search-page.png'), fullPage: true });
  });

  it('says so when nothing matches, and clears the filters from there', async () => {
    await page.locator('#q').fill('zzqx nonexistentword');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('#empty').textContent())
      .toMatch(/No papers match “zzqx nonexistentword” with these filters/);
    expect(await results().count()).toBe(0);
    await page.getByRole('button', { name: 'Clear filters' }).last().click();
    await expect
      .poll(() => page.locator('#empty').textContent())
      .toMatch(/^No papers match “zzqx nonexistentword”\.Try/);
    expect(await page.locator('#hasCode').isChecked()).toBe(false);
    expect(await page.locator('#sort').inputValue()).toBe('relevance');
  });

  it('shows markup in paper text as text', async () => {
    await page.locator('#q').fill('escaping quotes');
    await page.keyboard.press('Enter');
    await expect.poll(() => firstTitle().textContent()).toBe(MARKUP.title);
    expect(await firstTitle().locator('script, b, img').count()).toBe(0);
    expect(await results().first().locator('.authors').textContent()).toContain(
      '<img src=x onerror=alert(1)>',
    );
  });

  it('shows a failed search as an error', async () => {
    await page.locator('#q').fill('x'.repeat(1000));
    await page.locator('#minUpvotes').fill('-3');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('#status').textContent())
      .toMatch(/^Search failed: minUpvotes must be at least 0/);
    expect(await page.locator('#status').getAttribute('class')).toContain('error');
    await page.locator('#minUpvotes').fill('');
  });

  it('shows author names as links to their papers, a few of them, and suggests frequent authors', async () => {
    const crowdedTitle = 'Scaling Laws for Crowded Author Lists';
    const capturedAt = '2025-11-03T12:00:00.000Z';
    await seeded.index.upsert([
      canonicalPaper({
        id: paperIdFromTitle(crowdedTitle),
        title: crowdedTitle,
        abstract: 'Five named authors and seven in all.',
        authors: ['Una One', 'Dos Two', 'Tres Three', 'Cuatro Four', 'Cinco Five'],
        authorCount: 7,
        publishedAt: null,
        upvotes: null,
        codeUrls: [],
        arxivId: null,
        sources: [
          {
            name: 'arxiv',
            url: 'https://export.arxiv.org/rss/cs.LG',
            format: 'arxiv-rss',
            capturedAt,
            upvotes: null,
          },
        ],
        firstSeenAt: capturedAt,
        lastSeenAt: capturedAt,
      }),
    ]);
    await page.goto(`${gateway.base}/?q=${encodeURIComponent(crowdedTitle)}`);
    await expect.poll(() => firstTitle().textContent()).toBe(crowdedTitle);
    const crowded = results().first().locator('.authors');
    expect(await crowded.textContent()).toBe('Una One, Dos Two, Tres Three and 4 others');
    expect(await crowded.locator('a').allTextContents()).toEqual(['Una One', 'Dos Two', 'Tres Three']);

    await page.locator('#q').fill(QEC.title);
    await page.keyboard.press('Enter');
    await expect.poll(() => firstTitle().textContent()).toBe(QEC.title);
    const names = results().first().locator('.authors');
    expect(await names.textContent()).toBe('José García-López and Ada Lovelace');
    const suggestions = await page
      .locator('#author-list option')
      .evaluateAll((options) => options.map((o) => [o.getAttribute('value'), o.getAttribute('label')]));
    expect(suggestions[0]).toEqual(['Ada Lovelace', 'Ada Lovelace (2 papers)']);
    expect(suggestions.map(([value]) => value)).toContain('José García-López');

    const ada = names.getByRole('link', { name: 'Ada Lovelace' });
    expect(await ada.getAttribute('href')).toBe('/?authors=Ada%20Lovelace');
    await ada.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('authors')).toBe('Ada Lovelace');
    await expect.poll(() => page.locator('#status').textContent()).toBe('2 papers with these filters.');
    expect(await page.locator('#authors').inputValue()).toBe('Ada Lovelace');
    expect((await results().locator('h2').allTextContents()).sort()).toEqual(
      [QEC.title, ANNEALING.title].sort(),
    );
    expect(await page.locator('#feed-link').getAttribute('href')).toBe('/v1/feed.atom?authors=Ada+Lovelace');

    // Typed into the author field, another spelling of a name finds the same papers.
    await page.locator('#authors').fill('jose garcia lopez');
    await page.locator('#authors').press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('authors')).toBe('jose garcia lopez');
    await expect.poll(() => page.locator('#status').textContent()).toBe('1 paper with these filters.');
    expect(await firstTitle().textContent()).toBe(QEC.title);
  });

  it('shows what is trending, fastest-rising first, with the pace of each', async () => {
    // The fixture's page captured again six hours later: three of its papers gained upvotes.
    await seeded.index.upsert(await recapturedPapers());
    await page.goto(`${gateway.base}/`);
    await expect.poll(() => page.locator('#day-nav').isVisible()).toBe(true);
    expect(await page.locator('#view-days').getAttribute('aria-current')).toBe('page');
    await page.locator('#view-trending').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('trending');
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/Trending: fastest-rising first/);
    expect(await page.locator('#view-trending').getAttribute('aria-current')).toBe('page');
    expect(await page.locator('#view-days').getAttribute('aria-current')).toBeNull();
    expect(await page.locator('#sort').inputValue()).toBe('trending');
    expect(await page.locator('#day-nav').isVisible()).toBe(false);
    expect(
      await results()
        .locator('h2')
        .evaluateAll((els) => els.slice(0, 3).map((e) => e.textContent)),
    ).toEqual([
      'ProtoGCD: Unified and Unbiased Prototype Learning for Generalized Category Discovery',
      'Where to find Grokking in LLM Pretraining? Monitor Memorization-to-Generalization without Test',
      'Only-IF:Revealing the Decisive Effect of Instruction Diversity on Generalization',
    ]);
    const paces = await results().evaluateAll((articles) =>
      articles.map((a) => a.querySelector('.trend')?.textContent ?? null),
    );
    expect(paces.slice(0, 4)).toEqual(['↗ +10 upvotes/h', '↗ +5 upvotes/h', '↗ +2 upvotes/h', null]);
    expect(await results().first().locator('.votes').textContent()).toBe('▲ 62 upvotes');
    await page.screenshot({ path: join(SCREENSHOTS, 'trending.png'), fullPage: false });

    // Back to the days.
    await page.locator('#view-days').click();
    await expect.poll(() => page.locator('#day-nav').isVisible()).toBe(true);
  });

  it('ran without console errors, CSP violations or dialogs, and called the public API only', () => {
    expect(problems, problems.join('\n')).toEqual([]);
    for (const url of requested) {
      const { origin, pathname } = new URL(url);
      expect(origin).toBe(gateway.base);
      expect(pathname === '/' || pathname === '/favicon.svg' || pathname.startsWith('/v1/'), pathname).toBe(
        true,
      );
    }
  });
});
