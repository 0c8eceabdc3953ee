/**
 * A GitHub repository reference at the start of a string: optional scheme and `www.`, then
 * owner and repository name. The character classes are GitHub's own, so whatever follows the
 * name (`{here}.`, `).`, `/tree/main`, `?tab=readme`) is not part of it.
 */
const REPO_AT_START =
  /^(?:(?:https?:)?\/\/)?(?:www\.)?github\.com\/([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)/i;

/**
 * Every GitHub repository reference inside a text. The look-behind keeps subdomains
 * (`gist.github.com`, `api.github.com`) and e-mail addresses out.
 */
const REPO_IN_TEXT =
  /(?<![\w.@-])(?:(?:https?:)?\/\/)?(?:www\.)?github\.com\/[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+/gi;

const GITHUB_HOST = /github\.com/i;

/** First path segments of github.com that are site pages, not users or organizations. */
const NOT_AN_OWNER = new Set([
  'about',
  'apps',
  'collections',
  'contact',
  'customer-stories',
  'enterprise',
  'events',
  'explore',
  'features',
  'issues',
  'login',
  'marketplace',
  'new',
  'notifications',
  'orgs',
  'pricing',
  'pulls',
  'search',
  'security',
  'settings',
  'site',
  'sponsors',
  'topics',
  'trending',
]);

/**
 * Normalizes a link to a GitHub repository to `https://github.com/<owner>/<repo>`, or null
 * when it is not one. Code URLs identify repositories, so a deeper link (`/tree/main/src`,
 * `/blob/…`, `#readme`) is reduced to its repository; a trailing `.git`, trailing dots and
 * anything glued on after the name (`{here}`, punctuation) are dropped. Case is kept as
 * written.
 */
export function normalizeCodeUrl(raw: string): string | null {
  const m = REPO_AT_START.exec(raw.trim());
  if (!m?.[1] || !m[2]) return null;
  const owner = m[1];
  if (NOT_AN_OWNER.has(owner.toLowerCase())) return null;
  const repo = stripRepoSuffixes(m[2]);
  if (!repo) return null;
  return `https://github.com/${owner}/${repo}`;
}

/**
 * Every GitHub repository linked in a text, normalized, in order of first appearance. GitHub
 * names are case-insensitive, so two spellings of one repository count once (the first wins).
 */
export function extractCodeUrls(text: string): string[] {
  // Most abstracts link nothing; a literal search rules them out far faster than the pattern.
  if (!GITHUB_HOST.test(text)) return [];
  const seen = new Set<string>();
  const urls: string[] = [];
  for (const match of text.matchAll(REPO_IN_TEXT)) {
    const url = normalizeCodeUrl(match[0]);
    if (url === null) continue;
    const key = url.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    urls.push(url);
  }
  return urls;
}

/** `NAPA-VQ.git.` → `NAPA-VQ`; `ICLR24.` → `ICLR24`; `.` and `..` are not repositories. */
function stripRepoSuffixes(name: string): string {
  let repo = name;
  for (;;) {
    const next = repo.replace(/\.+$/, '').replace(/\.git$/i, '');
    if (next === repo) return repo;
    repo = next;
  }
}
