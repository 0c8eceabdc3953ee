import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { extractCodeUrls, normalizeCodeUrl } from './code-urls.js';

describe('normalizeCodeUrl', () => {
  it.each([
    ['https://github.com/kleinzcy/Cr-KD-NCD{here}.', 'https://github.com/kleinzcy/Cr-KD-NCD'],
    [
      'https://github.com/Rain-Bus/MSGCoOp{https://github.com/Rain-Bus/MSGCoOp}.',
      'https://github.com/Rain-Bus/MSGCoOp',
    ],
    ['https://github.com/TamashaM/NAPA-VQ.git.', 'https://github.com/TamashaM/NAPA-VQ'],
    ['https://github.com/zhoudw-zdw/CIL_Survey/', 'https://github.com/zhoudw-zdw/CIL_Survey'],
    ['https://github.com/mrflogs/ICLR24.', 'https://github.com/mrflogs/ICLR24'],
    ['https://github.com/a/b,', 'https://github.com/a/b'],
    ['https://github.com/a/b;', 'https://github.com/a/b'],
    ['https://github.com/a/b:', 'https://github.com/a/b'],
    ['https://github.com/a/b)', 'https://github.com/a/b'],
    ['https://github.com/a/b].', 'https://github.com/a/b'],
    ['https://github.com/a/b...', 'https://github.com/a/b'],
    ['https://github.com/a/b.GIT', 'https://github.com/a/b'],
    ['  http://www.github.com/Owner/Repo  ', 'https://github.com/Owner/Repo'],
    ['github.com/owner/repo', 'https://github.com/owner/repo'],
    ['//github.com/owner/repo', 'https://github.com/owner/repo'],
    ['HTTPS://GitHub.com/Owner/Repo', 'https://github.com/Owner/Repo'],
    ['https://github.com/owner/repo/tree/main/src', 'https://github.com/owner/repo'],
    ['https://github.com/owner/repo#readme', 'https://github.com/owner/repo'],
    ['https://github.com/owner/repo?tab=readme-ov-file', 'https://github.com/owner/repo'],
    ['https://github.com/owner/my.repo.v2', 'https://github.com/owner/my.repo.v2'],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeCodeUrl(raw)).toBe(expected);
  });

  it.each([
    'https://gitlab.com/owner/repo',
    'https://gist.github.com/owner/0123abcd',
    'https://api.github.com/repos/owner/repo',
    'https://github.com/owner',
    'https://github.com/owner/',
    'https://github.com/orgs/owner/repositories',
    'https://github.com/topics/llm',
    'https://github.com/owner/.git',
    'https://github.com/owner/..',
    'see https://github.com/owner/repo',
    '',
  ])('%s is not a repository link', (raw) => {
    expect(normalizeCodeUrl(raw)).toBeNull();
  });

  it('is idempotent', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,12}$/);
    const junk = fc.constantFrom('', '.', '/', '.git', '.git.', '{here}.', ').', '/tree/main', '#x');
    fc.assert(
      fc.property(segment, segment, junk, (owner, repo, tail) => {
        const once = normalizeCodeUrl(`https://github.com/${owner.replace(/[._]/g, '-')}/${repo}${tail}`);
        if (once !== null) expect(normalizeCodeUrl(once)).toBe(once);
      }),
      { numRuns: 300 },
    );
  });
});

describe('extractCodeUrls', () => {
  it('finds every repository in order, normalized and deduplicated', () => {
    const text =
      'Code: https://github.com/b/two. Data at (github.com/a/one), mirror https://github.com/B/Two/ and ' +
      '[repo](https://github.com/c/three{https://github.com/d/four}). Also https://github.com/b/two.git.';
    expect(extractCodeUrls(text)).toEqual([
      'https://github.com/b/two',
      'https://github.com/a/one',
      'https://github.com/c/three',
      'https://github.com/d/four',
    ]);
  });

  it('ignores other hosts, subdomains, e-mail addresses and site pages', () => {
    const text =
      'See gist.github.com/u/abc, api.github.com/repos/u/r, me@github.com/x/y, https://github.com/topics/nlp, ' +
      'https://github.com/owner, https://gitlab.com/u/r and user.github.io/page.';
    expect(extractCodeUrls(text)).toEqual([]);
  });
});
