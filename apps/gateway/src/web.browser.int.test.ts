import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { Paper } from '@paperwire/schema';
import { repoRoot, tempDir, type TempDir } from '@paperwire/testing';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { testEnv } from './testing/env.js';
import { MARKUP, seedPapers } from './testing/fixture.js';
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

  it('lists papers on arrival, with the search box focused', async () => {
    await page.goto(`${gateway.base}/`);
    await expect.poll(() => results().count(), { timeout: WAIT_MS }).toBe(20);
    expect(await page.locator('#q').evaluate((input) => input === input.ownerDocument.activeElement)).toBe(
      true,
    );
    await expect
      .poll(() => page.locator('#status').textContent())
      .toMatch(new RegExp(`of ${papers.length} papers`));
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
    const first = results().first();
    const toggle = first.getByRole('button', { name: 'Similar papers' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
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
