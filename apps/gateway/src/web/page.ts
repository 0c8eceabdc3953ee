import { createHash } from 'node:crypto';

/*
 * The search page: one self-contained document with inline style and script, kept in a
 * module so `tsc` alone builds a runnable gateway. Paper text only ever reaches the DOM
 * through `textContent` and validated `href`s; the CSP below pins the inline blocks by hash.
 */

const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b5fcc; --bg: #ffffff; --error: #b42318; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9aa4af; --line: #30363d; --accent: #58a6ff; --bg: #0d1117; --error: #ff7b72; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header, main { max-width: 52rem; margin: 0 auto; padding: 0 1rem; }
header h1 { font-size: 1.4rem; margin: 1.5rem 0 1rem; }
form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
label { width: 100%; font-weight: 600; }
input[type=search] { flex: 1; min-width: 12rem; padding: .55rem .7rem; font: inherit; color: inherit; background: transparent; border: 1px solid var(--line); border-radius: 6px; }
button { padding: .55rem 1rem; font: inherit; color: inherit; background: transparent; border: 1px solid var(--line); border-radius: 6px; cursor: pointer; }
button:disabled { opacity: .5; cursor: default; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
#status { color: var(--muted); min-height: 1.5em; }
#status.error { color: var(--error); }
ol { list-style: none; padding: 0; margin: 0; }
.hit { padding: 1rem 0; border-top: 1px solid var(--line); }
.hit h2 { font-size: 1.05rem; margin: 0 0 .25rem; }
.hit a { color: var(--accent); }
.meta { color: var(--muted); font-size: .875rem; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
.links { font-size: .875rem; display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin-top: .25rem; }
.links:empty { display: none; }
.abstract { margin: .4rem 0 0; }
nav { display: flex; gap: .5rem; justify-content: center; margin: 1rem 0 2rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

const SCRIPT = `
(() => {
  'use strict';
  const PAGE_SIZE = 20;
  const DEBOUNCE_MS = 200;
  const SNIPPET_CHARS = 320;

  const form = document.getElementById('search-form');
  const input = document.getElementById('q');
  const status = document.getElementById('status');
  const results = document.getElementById('results');
  const pager = document.getElementById('pager');
  const prev = document.getElementById('prev');
  const next = document.getElementById('next');
  const template = document.getElementById('hit-template');

  let offset = 0;
  let timer = 0;
  let inFlight = null;

  function snippet(text) {
    const clean = text.replace(/\\s+/g, ' ').trim();
    if (clean.length <= SNIPPET_CHARS) return clean;
    const cut = clean.slice(0, SNIPPET_CHARS);
    const space = cut.lastIndexOf(' ');
    return (space > SNIPPET_CHARS / 2 ? cut.slice(0, space) : cut) + '\\u2026';
  }

  function safeHttpUrl(raw) {
    try {
      const url = new URL(raw);
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
    } catch {
      return null;
    }
  }

  function link(href, text) {
    const a = document.createElement('a');
    a.href = href;
    a.rel = 'noopener noreferrer';
    a.textContent = text;
    return a;
  }

  function metaItem(text) {
    const span = document.createElement('span');
    span.textContent = text;
    return span;
  }

  function renderHit(paper) {
    const node = template.content.firstElementChild.cloneNode(true);
    const heading = node.querySelector('h2');
    const arxivUrl = paper.arxivId && /^[A-Za-z0-9._\\/-]+$/.test(paper.arxivId)
      ? 'https://arxiv.org/abs/' + paper.arxivId
      : null;
    if (arxivUrl) heading.append(link(arxivUrl, paper.title));
    else heading.textContent = paper.title;

    const meta = node.querySelector('.meta');
    if (paper.publishedAt) {
      const time = document.createElement('time');
      time.dateTime = paper.publishedAt;
      time.textContent = paper.publishedAt;
      meta.append(time);
    }
    if (paper.upvotes !== null) meta.append(metaItem(paper.upvotes + (paper.upvotes === 1 ? ' upvote' : ' upvotes')));
    const authors = paper.authorCount ?? (paper.authors.length || null);
    if (authors !== null) meta.append(metaItem(authors + (authors === 1 ? ' author' : ' authors')));

    const links = node.querySelector('.links');
    if (arxivUrl) links.append(link(arxivUrl, 'arXiv ' + paper.arxivId));
    for (const raw of paper.codeUrls) {
      const href = safeHttpUrl(raw);
      if (href) links.append(link(href, 'code: ' + new URL(href).host + new URL(href).pathname.replace(/\\/$/, '')));
    }

    node.querySelector('.abstract').textContent = snippet(paper.abstract);
    return node;
  }

  function setStatus(text, isError) {
    status.textContent = text;
    status.classList.toggle('error', Boolean(isError));
  }

  function describe(body, query) {
    const { total, offset: from, hits } = body;
    if (total === 0) return query ? 'No papers match \\u201c' + query + '\\u201d.' : 'The index holds no papers yet.';
    const range = hits.length ? (from + 1) + '\\u2013' + (from + hits.length) + ' of ' : '';
    return range + total + (total === 1 ? ' paper' : ' papers') + (query ? ' for \\u201c' + query + '\\u201d' : '') + '.';
  }

  async function search() {
    const query = input.value.trim();
    if (inFlight) inFlight.abort();
    const controller = new AbortController();
    inFlight = controller;

    const params = new URLSearchParams({ q: query, limit: String(PAGE_SIZE), offset: String(offset) });
    const pageUrl = new URL(location.href);
    if (query) pageUrl.searchParams.set('q', query);
    else pageUrl.searchParams.delete('q');
    history.replaceState(null, '', pageUrl);

    results.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch('/v1/search?' + params, { signal: controller.signal, headers: { accept: 'application/json' } });
      const body = await response.json().catch(() => null);
      if (controller !== inFlight) return;
      if (!response.ok || !body) {
        const message = body && typeof body.message === 'string' ? body.message : 'HTTP ' + response.status;
        throw new Error(message);
      }
      results.replaceChildren(...body.hits.map(renderHit));
      setStatus(describe(body, query), false);
      pager.hidden = body.total <= PAGE_SIZE;
      prev.disabled = body.offset === 0;
      next.disabled = body.offset + body.hits.length >= Math.min(body.total, 10000);
    } catch (error) {
      if (controller !== inFlight || error.name === 'AbortError') return;
      results.replaceChildren();
      pager.hidden = true;
      setStatus('Search failed: ' + error.message, true);
    } finally {
      if (controller === inFlight) {
        inFlight = null;
        results.removeAttribute('aria-busy');
      }
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    offset = 0;
    timer = setTimeout(search, DEBOUNCE_MS);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(timer);
    offset = 0;
    search();
  });
  prev.addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE_SIZE);
    search();
    input.focus();
  });
  next.addEventListener('click', () => {
    offset += PAGE_SIZE;
    search();
    input.focus();
  });

  input.value = new URLSearchParams(location.search).get('q') ?? '';
  search();
})();
`;

export const SEARCH_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>paperwire search</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>paperwire</h1></header>
<main>
<form id="search-form" role="search" action="/" method="get">
  <label for="q">Search papers by title, abstract or author</label>
  <input id="q" name="q" type="search" autocomplete="off" spellcheck="false" maxlength="1000" autofocus>
  <button type="submit">Search</button>
</form>
<p id="status" role="status" aria-live="polite"></p>
<ol id="results" aria-label="Search results"></ol>
<nav id="pager" aria-label="Result pages" hidden>
  <button type="button" id="prev">Previous</button>
  <button type="button" id="next">Next</button>
</nav>
</main>
<template id="hit-template"><li class="hit"><article><h2></h2><div class="meta"></div><div class="links"></div><p class="abstract"></p></article></li></template>
<script>${SCRIPT}</script>
</body>
</html>
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** Allows exactly the page's own inline style and script, and requests to this origin only. */
export const SEARCH_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
