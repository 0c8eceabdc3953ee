import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { ParseError, parsePage, type ParseContext } from './index.js';

/**
 * Golden tests: every fixture under `fixtures/<format>/` parses to exactly what its
 * `<fixture>.golden.json` holds (papers, warnings, or the ParseError). A difference fails;
 * `UPDATE_GOLDEN=1` rewrites the golden files instead, to be reviewed in the diff.
 */
const FIXTURES = new URL('../fixtures/', import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const fixtures = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((dir) =>
    readdirSync(new URL(`${dir.name}/`, FIXTURES))
      .filter((file) => !file.endsWith('.md') && !file.endsWith('.golden.json'))
      .map((file) => `${dir.name}/${file}`),
  )
  .sort();

function outcome(path: string): unknown {
  const ctx: ParseContext = {
    url: `https://fixtures.paperwire.test/${path}`,
    sourceName: 'fixture',
    capturedAt: '2025-11-03T12:00:00.000Z',
    contentType: null,
    formatHint: null,
  };
  try {
    return parsePage(readFileSync(new URL(path, FIXTURES)), ctx);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    return { error: { code: error.code, format: error.format, message: error.message } };
  }
}

describe('golden: every fixture parses to its pinned output', () => {
  it('has fixtures for every format but hf-text (whose fixture lives in infra/digests)', () => {
    const formats = new Set(fixtures.map((f) => f.split('/')[0]));
    expect([...formats].sort()).toEqual(['arxiv-atom', 'arxiv-rss', 'hf-html', 'hf-json']);
  });

  it.each(fixtures)('%s', (path) => {
    const actual = outcome(path);
    const golden = new URL(`${path}.golden.json`, FIXTURES);
    const text = `${JSON.stringify(actual, null, 2)}\n`;
    if (UPDATE) {
      writeFileSync(golden, text);
      return;
    }
    expect(existsSync(golden), `${path}.golden.json is missing; run with UPDATE_GOLDEN=1 and review it`).toBe(
      true,
    );
    expect(actual).toEqual(JSON.parse(readFileSync(golden, 'utf8')));
  });
});
