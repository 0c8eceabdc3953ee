import { createHash } from 'node:crypto';

/*
 * The search page: one self-contained document with inline style and script, kept in a
 * module so `tsc` alone builds a runnable gateway. It uses the public API only. Paper text
 * reaches the DOM through text nodes and validated `href`s; highlighted snippets arrive
 * HTML-escaped with <mark> tags and are rebuilt as DOM by splitting on those tags. The CSP
 * below pins the inline blocks by hash.
 */

const STYLE = `
:root {
  color-scheme: light dark;
  --fg: #1b1f24; --muted: #59636e; --line: #d8dee4; --soft: #f4f6f8; --accent: #0b5fcc;
  --accent-fg: #ffffff; --bg: #ffffff; --error: #b42318; --mark: #fff1a8; --mark-fg: #1b1f24;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #e6edf3; --muted: #9aa4af; --line: #30363d; --soft: #161b22; --accent: #58a6ff;
    --accent-fg: #0d1117; --bg: #0d1117; --error: #ff7b72; --mark: #6e5a00; --mark-fg: #fff8d6;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; border-radius: 4px; }
.skip { position: absolute; left: -999px; top: 0; }
.skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .5rem 1rem; z-index: 1; }
header { border-bottom: 1px solid var(--line); background: var(--soft); }
.bar { max-width: 72rem; margin: 0 auto; padding: 1rem; }
.brand { display: flex; align-items: baseline; gap: .75rem; margin: 0 0 .75rem; }
.brand h1 { font-size: 1.35rem; margin: 0; letter-spacing: -.01em; }
.brand p { margin: 0; color: var(--muted); font-size: .9rem; }
.searchline { display: flex; gap: .5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
input, select, button { font: inherit; color: inherit; }
input[type=search] { flex: 1; min-width: 0; padding: .6rem .8rem; font-size: 1.05rem; background: var(--bg); border: 1px solid var(--line); border-radius: 8px; }
input[type=date], input[type=number], select { width: 100%; padding: .4rem .5rem; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; }
button { padding: .5rem 1rem; background: var(--bg); border: 1px solid var(--line); border-radius: 8px; cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-fg); font-weight: 600; }
button:disabled { opacity: .5; cursor: default; }
.layout { max-width: 72rem; margin: 0 auto; padding: 1rem; display: grid; grid-template-columns: 15rem 1fr; gap: 2rem; align-items: start; }
@media (max-width: 50rem) { .layout { grid-template-columns: 1fr; gap: 1rem; } }
#filters { border: 0; margin: 0; padding: 0; display: grid; gap: .85rem; }
#filters legend { font-weight: 700; padding: 0; margin-bottom: .25rem; }
.field { display: grid; gap: .25rem; }
.field > label, .field > span { font-size: .85rem; font-weight: 600; color: var(--muted); }
.range { display: grid; grid-template-columns: auto 1fr; gap: .35rem .5rem; align-items: center; }
.range label { font-size: .85rem; color: var(--muted); }
.check { display: flex; gap: .5rem; align-items: center; font-size: .95rem; }
.check input { width: 1.1rem; height: 1.1rem; margin: 0; }
#status { color: var(--muted); margin: 0 0 .5rem; min-height: 1.5em; }
#status.error { color: var(--error); font-weight: 600; }
#results { list-style: none; padding: 0; margin: 0; }
.hit { padding: 1rem 0 1.1rem; border-top: 1px solid var(--line); }
.hit:first-child { border-top: 0; padding-top: .25rem; }
.hit h2 { font-size: 1.1rem; line-height: 1.35; margin: 0 0 .3rem; }
.hit h2 a { text-decoration: none; }
.hit h2 a:hover { text-decoration: underline; }
mark { background: var(--mark); color: var(--mark-fg); border-radius: 2px; padding: 0 .05em; }
.meta { color: var(--muted); font-size: .85rem; display: flex; flex-wrap: wrap; gap: .15rem 1rem; margin: 0; }
.meta .votes { font-weight: 600; color: var(--fg); }
.authors { font-size: .9rem; margin: .15rem 0 0; color: var(--muted); }
.authors a { color: inherit; text-decoration-color: var(--line); }
.authors a:hover { color: var(--accent); }
.meta .trend { font-weight: 600; color: var(--accent); }
.views { display: flex; gap: .4rem; margin: 0 0 .75rem; }
.views a { padding: .15rem .8rem; border: 1px solid var(--line); border-radius: 999px; text-decoration: none; font-size: .9rem; }
.views a[aria-current=page] { background: var(--accent); border-color: var(--accent); color: var(--accent-fg); font-weight: 600; }
.abstract { margin: .45rem 0 .5rem; }
.actions { display: flex; flex-wrap: wrap; align-items: center; gap: .35rem .9rem; font-size: .9rem; }
.actions button { padding: .2rem .6rem; font-size: .85rem; border-radius: 6px; }
.tag { font-size: .75rem; border: 1px solid var(--line); border-radius: 999px; padding: 0 .5rem; color: var(--muted); }
.similar { margin-top: .6rem; padding: .6rem .9rem; background: var(--soft); border-radius: 8px; }
.similar h3 { font-size: .9rem; margin: 0 0 .35rem; }
.similar ul { margin: 0; padding-left: 1.1rem; }
.similar li { margin: .2rem 0; }
.similar .meta { display: inline; margin-left: .4rem; }
.empty { padding: 2rem 0; color: var(--muted); }
.empty p { margin: .25rem 0; }
nav.pager { display: flex; gap: .5rem; justify-content: center; margin: 1.25rem 0 2rem; }
.daynav { display: grid; grid-template-columns: 1fr auto 1fr; align-items: center; gap: .5rem 1rem; margin: 0 0 .75rem; }
.daynav h2 { font-size: 1.2rem; margin: 0; text-align: center; }
.daynav .step { text-decoration: none; font-size: .95rem; }
.daynav .step:last-of-type { justify-self: end; }
.daynav .step[aria-disabled=true] { color: var(--muted); opacity: .6; pointer-events: none; }
.spans { grid-column: 1 / -1; display: flex; justify-content: center; gap: .4rem; }
.spans a { padding: .15rem .7rem; border: 1px solid var(--line); border-radius: 999px; text-decoration: none; font-size: .85rem; }
.spans a[aria-current=page] { background: var(--accent); border-color: var(--accent); color: var(--accent-fg); font-weight: 600; }
.feeds { font-size: .85rem; color: var(--muted); margin: 0 0 .75rem; }
footer { max-width: 72rem; margin: 0 auto; padding: 0 1rem 2rem; color: var(--muted); font-size: .85rem; }
`;

const SCRIPT = `
(() => {
  'use strict';
  const PAGE_SIZE = 20;
  const DEBOUNCE_MS = 200;
  const SIMILAR_LIMIT = 5;
  const WINDOW_MAX = 10000;
  const FILTER_KEYS = ['from', 'to', 'year', 'source', 'authors', 'hasCode', 'minUpvotes', 'sort'];
  const FEED_KEYS = ['from', 'to', 'year', 'source', 'authors', 'hasCode', 'minUpvotes'];
  /** Author names shown before "and N others". */
  const AUTHORS_SHOWN = 3;
  const HOUR_MS = 3600000;
  const HALF_LIFE_HOURS = 24;
  const DAY_PAGE_SIZE = 100;
  const SPANS = ['day', 'week', 'month'];

  const $ = (id) => document.getElementById(id);
  const form = $('search-form');
  const input = $('q');
  const filters = $('filters');
  const status = $('status');
  const results = $('results');
  const empty = $('empty');
  const pager = $('pager');
  const prev = $('prev');
  const next = $('next');
  const template = $('hit-template');
  const dayNav = $('day-nav');
  const dayTitle = $('day-title');
  const dayPrev = $('day-prev');
  const dayNext = $('day-next');
  const spanLinks = { day: $('span-day'), week: $('span-week'), month: $('span-month') };
  const feeds = { atom: $('feed-atom'), json: $('feed-json'), atomLink: $('feed-link'), jsonLink: $('feed-json-link') };
  const controls = {
    from: $('from'), to: $('to'), year: $('year'), source: $('source'), authors: $('authors'),
    hasCode: $('hasCode'), minUpvotes: $('minUpvotes'), sort: $('sort'),
  };
  const authorList = $('author-list');
  const views = { days: $('view-days'), trending: $('view-trending') };

  let offset = 0;
  let timer = 0;
  let inFlight = null;
  /** The day shown while there is no query and no filter: the date asked for (latest when null) and its span. */
  const days = { date: null, span: 'day' };
  let showingDays = false;

  // ---- text and links -------------------------------------------------------------------
  const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", apos: "'" };
  function decodeEntities(text) {
    return text.replace(/&(amp|lt|gt|quot|#39|#x27|apos);/g, (_, name) => ENTITIES[name]);
  }

  /** Escaped text with <mark> tags → text nodes and <mark> elements; nothing else is markup. */
  function highlighted(html) {
    const fragment = document.createDocumentFragment();
    let mark = null;
    for (const part of html.split(/(<mark>|<\\/mark>)/)) {
      if (part === '<mark>') { mark = document.createElement('mark'); fragment.append(mark); continue; }
      if (part === '</mark>') { mark = null; continue; }
      if (part === '') continue;
      const text = document.createTextNode(decodeEntities(part));
      (mark || fragment).append(text);
    }
    return fragment;
  }

  function safeHttpUrl(raw) {
    try {
      const url = new URL(raw);
      return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
    } catch {
      return null;
    }
  }

  function link(href, content) {
    const a = document.createElement('a');
    a.href = href;
    a.rel = 'noopener noreferrer';
    a.append(content);
    return a;
  }

  function span(text, className) {
    const s = document.createElement('span');
    s.textContent = text;
    if (className) s.className = className;
    return s;
  }

  const DATE_FORMAT = new Intl.DateTimeFormat('en', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  function showDate(iso) {
    const date = new Date(iso.length === 10 ? iso + 'T00:00:00Z' : iso);
    return Number.isNaN(date.getTime()) ? iso : DATE_FORMAT.format(date);
  }
  function time(iso, prefix) {
    const t = document.createElement('time');
    t.dateTime = iso;
    t.textContent = prefix + showDate(iso);
    return t;
  }
  const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');
  const MONTH_FORMAT = new Intl.DateTimeFormat('en', { year: 'numeric', month: 'long', timeZone: 'UTC' });
  function spanTitle(body) {
    if (body.span === 'day') return showDate(body.date);
    if (body.span === 'week') return 'Week of ' + showDate(body.from) + ' \\u2013 ' + showDate(body.to);
    return MONTH_FORMAT.format(new Date(body.from + 'T00:00:00Z'));
  }
  function spanPhrase(body) {
    if (body.span === 'day') return 'on ' + showDate(body.date);
    if (body.span === 'week') return 'in the week of ' + showDate(body.from) + ' \\u2013 ' + showDate(body.to);
    return 'in ' + MONTH_FORMAT.format(new Date(body.from + 'T00:00:00Z'));
  }
  function dayHref(date, span) {
    return '/?day=' + encodeURIComponent(date) + (span === 'day' ? '' : '&span=' + span);
  }

  /**
   * How fast the paper's upvotes grew, as the index's trending sort reads its captures: per page,
   * the gain from the first counted capture to the first showing the highest count, per hour (at
   * least one); the page whose trend is highest now. Null when no page gained.
   */
  function velocityOf(paper) {
    const pages = new Map();
    for (const s of paper.sources) {
      if (s.upvotes === null) continue;
      const key = s.url + ' ' + s.name;
      const seen = pages.get(key);
      if (!seen) { pages.set(key, { first: s, peak: s }); continue; }
      if (s.capturedAt < seen.first.capturedAt || (s.capturedAt === seen.first.capturedAt && s.upvotes > seen.first.upvotes)) seen.first = s;
      if (s.upvotes > seen.peak.upvotes || (s.upvotes === seen.peak.upvotes && s.capturedAt < seen.peak.capturedAt)) seen.peak = s;
    }
    let best = null;
    for (const { first, peak } of pages.values()) {
      const gained = peak.upvotes - first.upvotes;
      const hours = (Date.parse(peak.capturedAt) - Date.parse(first.capturedAt)) / HOUR_MS;
      if (gained <= 0 || hours <= 0) continue;
      const perHour = gained / Math.max(1, hours);
      const score = Math.log2(perHour) + Date.parse(peak.capturedAt) / HOUR_MS / HALF_LIFE_HOURS;
      if (!best || score > best.score) best = { perHour, gainedAt: peak.capturedAt, score };
    }
    return best;
  }
  function showRate(perHour) {
    return (perHour < 10 ? String(Math.round(perHour * 10) / 10) : String(Math.round(perHour))) + ' upvotes/h';
  }

  function arxivIdOf(paper) {
    return paper.arxivId && /^[A-Za-z0-9._\\/-]+$/.test(paper.arxivId) ? paper.arxivId : null;
  }

  // ---- rendering ------------------------------------------------------------------------
  function authorLink(name) {
    const a = document.createElement('a');
    a.href = '/?authors=' + encodeURIComponent(name);
    a.textContent = name;
    a.title = 'Papers by ' + name;
    return a;
  }

  function renderHit(paper, position, upvotes, trending) {
    const node = template.content.firstElementChild.cloneNode(true);
    const article = node.querySelector('article');
    const headingId = 'hit-' + position;
    article.setAttribute('aria-labelledby', headingId);
    const heading = node.querySelector('h2');
    heading.id = headingId;
    const arxivId = arxivIdOf(paper);
    const title = paper._formatted ? highlighted(paper._formatted.title) : document.createTextNode(paper.title);
    heading.append(arxivId ? link('https://arxiv.org/abs/' + arxivId, title) : title);

    const meta = node.querySelector('.meta');
    if (paper.publishedAt) meta.append(time(paper.publishedAt, 'Published '));
    meta.append(time(paper.firstSeenAt, 'First seen '));
    const votes = upvotes === undefined ? paper.upvotes : upvotes;
    if (votes !== null) meta.append(span('\\u25B2 ' + plural(votes, 'upvote'), 'votes'));
    const velocity = trending ? velocityOf(paper) : null;
    if (velocity) {
      const trend = span('\\u2197 +' + showRate(velocity.perHour), 'trend');
      trend.title = 'Gained ' + showRate(velocity.perHour) + ' until ' + showDate(velocity.gainedAt);
      meta.append(trend);
    }
    for (const name of [...new Set(paper.sources.map((s) => s.name))]) meta.append(span(name, 'tag'));

    const authors = node.querySelector('.authors');
    if (paper.authors.length > 0) {
      // Every name links to the author's papers; past a few, the rest are counted.
      const shown = paper.authors.slice(0, AUTHORS_SHOWN);
      const more = Math.max(paper.authorCount ?? 0, paper.authors.length) - shown.length;
      shown.forEach((name, i) => {
        if (i > 0) authors.append(i === shown.length - 1 && more <= 0 ? ' and ' : ', ');
        authors.append(authorLink(name));
      });
      if (more > 0) authors.append(' and ' + plural(more, 'other'));
    } else if (paper.authorCount) {
      authors.textContent = plural(paper.authorCount, 'author');
    } else {
      authors.remove();
    }

    const abstract = node.querySelector('.abstract');
    if (paper._formatted) abstract.append(highlighted(paper._formatted.abstract));
    else abstract.textContent = clip(paper.abstract, 320);

    const actions = node.querySelector('.actions');
    if (arxivId) {
      actions.append(link('https://arxiv.org/abs/' + arxivId, 'arXiv ' + arxivId));
      actions.append(link('https://huggingface.co/papers/' + arxivId, 'Hugging Face'));
    }
    for (const raw of paper.codeUrls) {
      const url = safeHttpUrl(raw);
      if (url) actions.append(link(url.href, 'Code: ' + url.host + url.pathname.replace(/\\/$/, '')));
    }
    const toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.textContent = 'Similar papers';
    toggle.setAttribute('aria-expanded', 'false');
    const panelId = 'similar-' + position;
    toggle.setAttribute('aria-controls', panelId);
    toggle.addEventListener('click', () => toggleSimilar(paper, article, toggle, panelId));
    actions.append(toggle);
    return node;
  }

  function clip(text, chars) {
    const clean = text.replace(/\\s+/g, ' ').trim();
    if (clean.length <= chars) return clean;
    const cut = clean.slice(0, chars);
    const space = cut.lastIndexOf(' ');
    return (space > chars / 2 ? cut.slice(0, space) : cut) + '\\u2026';
  }

  async function toggleSimilar(paper, article, toggle, panelId) {
    const open = document.getElementById(panelId);
    if (open) {
      open.remove();
      toggle.setAttribute('aria-expanded', 'false');
      return;
    }
    const panel = document.createElement('section');
    panel.className = 'similar';
    panel.id = panelId;
    panel.setAttribute('aria-label', 'Papers similar to ' + paper.title);
    const heading = document.createElement('h3');
    heading.textContent = 'Similar papers';
    const note = document.createElement('p');
    note.className = 'meta';
    note.setAttribute('role', 'status');
    note.textContent = 'Loading\\u2026';
    panel.append(heading, note);
    article.append(panel);
    toggle.setAttribute('aria-expanded', 'true');
    try {
      const response = await fetch('/v1/papers/' + encodeURIComponent(paper.id) + '/similar?limit=' + SIMILAR_LIMIT, { headers: { accept: 'application/json' } });
      const body = await response.json().catch(() => null);
      if (!response.ok || !body) throw new Error(body && body.message ? body.message : 'HTTP ' + response.status);
      if (body.hits.length === 0) { note.textContent = 'No similar papers found.'; return; }
      const list = document.createElement('ul');
      for (const hit of body.hits) {
        const item = document.createElement('li');
        const arxivId = arxivIdOf(hit);
        item.append(arxivId ? link('https://arxiv.org/abs/' + arxivId, hit.title) : span(hit.title));
        const meta = span([hit.publishedAt ? showDate(hit.publishedAt) : null, hit.upvotes !== null ? plural(hit.upvotes, 'upvote') : null].filter(Boolean).join(' \\u00B7 '), 'meta');
        item.append(meta);
        list.append(item);
      }
      note.replaceWith(list);
    } catch (error) {
      note.textContent = 'Could not load similar papers: ' + error.message;
      note.classList.add('error');
    }
  }

  function setStatus(text, isError) {
    status.textContent = text;
    status.classList.toggle('error', Boolean(isError));
  }

  function activeFilters() {
    const values = {};
    if (controls.from.value) values.from = controls.from.value;
    if (controls.to.value) values.to = controls.to.value;
    if (controls.year.value) values.year = controls.year.value;
    if (controls.source.value) values.source = controls.source.value;
    if (controls.authors.value.trim()) values.authors = controls.authors.value.trim();
    if (controls.hasCode.checked) values.hasCode = 'true';
    if (controls.minUpvotes.value !== '') values.minUpvotes = controls.minUpvotes.value;
    if (controls.sort.value !== 'relevance') values.sort = controls.sort.value;
    return values;
  }

  function setView(view) {
    for (const [name, link] of Object.entries(views)) {
      if (name === view) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  }

  function describe(body, query, filtered) {
    const { total, offset: from, hits } = body;
    const scope = (query ? ' for \\u201c' + query + '\\u201d' : '') + (filtered ? ' with these filters' : '');
    const range = hits.length && total > hits.length ? (from + 1) + '\\u2013' + (from + hits.length) + ' of ' : '';
    // An estimated total (past the engine's exact count) reads as one.
    return range + (body.totalEstimated ? 'about ' : '') + plural(total, 'paper') + scope + '.';
  }

  function showEmpty(query, filtered) {
    empty.replaceChildren();
    const line = document.createElement('p');
    line.textContent = query ? 'No papers match \\u201c' + query + '\\u201d' + (filtered ? ' with these filters.' : '.') : filtered ? 'No papers match these filters.' : 'The index holds no papers yet.';
    empty.append(line);
    if (filtered) {
      const reset = document.createElement('button');
      reset.type = 'button';
      reset.textContent = 'Clear filters';
      reset.addEventListener('click', () => { clearFilters(); input.focus(); });
      const hint = document.createElement('p');
      hint.append(reset);
      empty.append(hint);
    } else if (query) {
      const hint = document.createElement('p');
      hint.textContent = 'Try other or fewer words.';
      empty.append(hint);
    }
    empty.hidden = false;
  }

  // ---- feeds of what is shown ----------------------------------------------------------
  function setFeeds(query, chosen) {
    const params = new URLSearchParams();
    if (query) params.set('q', query);
    for (const key of FEED_KEYS) if (key in chosen) params.set(key, chosen[key]);
    const suffix = params.size > 0 ? '?' + params : '';
    const what = query ? '\\u201c' + query + '\\u201d' : params.size > 0 ? 'this search' : 'new papers';
    const atom = '/v1/feed.atom' + suffix;
    const json = '/v1/feed.json' + suffix;
    feeds.atom.setAttribute('href', atom);
    feeds.json.setAttribute('href', json);
    feeds.atom.title = 'paperwire: ' + what + ' (Atom)';
    feeds.json.title = 'paperwire: ' + what + ' (JSON Feed)';
    feeds.atomLink.setAttribute('href', atom);
    feeds.jsonLink.setAttribute('href', json);
    feeds.atomLink.textContent = 'Atom feed of ' + what;
  }

  // ---- days: what was first listed on a day, a week or a month --------------------------
  function setStep(link, date, label) {
    link.textContent = label;
    if (date) {
      link.href = dayHref(date, days.span);
      link.removeAttribute('aria-disabled');
    } else {
      link.removeAttribute('href');
      link.setAttribute('aria-disabled', 'true');
    }
  }

  function renderDayNav(body) {
    dayTitle.textContent = spanTitle(body);
    setStep(dayPrev, body.previous, '\\u2190 Previous ' + body.span);
    setStep(dayNext, body.next, 'Next ' + body.span + ' \\u2192');
    for (const span of SPANS) {
      spanLinks[span].href = dayHref(body.date, span);
      if (span === body.span) spanLinks[span].setAttribute('aria-current', 'page');
      else spanLinks[span].removeAttribute('aria-current');
    }
    dayNav.hidden = false;
  }

  async function fetchJson(url, signal) {
    const response = await fetch(url, { signal, headers: { accept: 'application/json' } });
    const body = await response.json().catch(() => null);
    if (!response.ok || !body) throw new Error(body && typeof body.message === 'string' ? body.message : 'HTTP ' + response.status);
    return body;
  }

  async function showDays() {
    showingDays = true;
    setView('days');
    if (inFlight) inFlight.abort();
    const controller = new AbortController();
    inFlight = controller;
    setFeeds('', {});
    const pageUrl = new URL(location.href);
    pageUrl.search = '';
    if (days.date) pageUrl.searchParams.set('day', days.date);
    if (days.date && days.span !== 'day') pageUrl.searchParams.set('span', days.span);
    history.replaceState(null, '', pageUrl);
    results.setAttribute('aria-busy', 'true');
    try {
      let date = days.date;
      if (!date) {
        const latest = await fetchJson('/v1/days?limit=1', controller.signal);
        if (controller !== inFlight) return;
        if (latest.days.length === 0) {
          results.replaceChildren();
          dayNav.hidden = true;
          pager.hidden = true;
          setStatus('', false);
          showEmpty('', false);
          return;
        }
        date = latest.days[0].date;
      }
      const params = new URLSearchParams({ span: days.span, limit: String(DAY_PAGE_SIZE), offset: String(offset) });
      const body = await fetchJson('/v1/days/' + encodeURIComponent(date) + '?' + params, controller.signal);
      if (controller !== inFlight) return;
      renderDayNav(body);
      results.replaceChildren(...body.hits.map((hit, i) => renderHit(hit, body.offset + i, hit.dayUpvotes === null ? hit.upvotes : hit.dayUpvotes)));
      empty.hidden = true;
      const range = body.hits.length && body.total > body.hits.length ? (body.offset + 1) + '\\u2013' + (body.offset + body.hits.length) + ' of ' : '';
      setStatus(body.total === 0 ? 'No papers were first listed ' + spanPhrase(body) + '.' : range + plural(body.total, 'paper') + ' first listed ' + spanPhrase(body) + ', most upvoted first.', false);
      pager.hidden = body.total <= DAY_PAGE_SIZE;
      prev.disabled = body.offset === 0;
      next.disabled = body.offset + body.hits.length >= Math.min(body.total, WINDOW_MAX);
    } catch (error) {
      if (controller !== inFlight || error.name === 'AbortError') return;
      results.replaceChildren();
      empty.hidden = true;
      pager.hidden = true;
      setStatus('Could not load the day: ' + error.message, true);
    } finally {
      if (controller === inFlight) {
        inFlight = null;
        results.removeAttribute('aria-busy');
      }
    }
  }

  function pageSize() {
    return showingDays ? DAY_PAGE_SIZE : PAGE_SIZE;
  }

  // ---- searching ------------------------------------------------------------------------
  /** No query and no filter: the papers of a day; anything else: a search. */
  function search() {
    const query = input.value.trim();
    const chosen = activeFilters();
    if (query === '' && Object.keys(chosen).length === 0) return showDays();
    return runSearch(query, chosen);
  }

  async function runSearch(query, chosen) {
    showingDays = false;
    dayNav.hidden = true;
    setFeeds(query, chosen);
    const filtered = Object.keys(chosen).some((k) => k !== 'sort');
    const trending = chosen.sort === 'trending';
    setView(trending && !query && !filtered ? 'trending' : null);
    if (inFlight) inFlight.abort();
    const controller = new AbortController();
    inFlight = controller;

    const params = new URLSearchParams({ q: query, ...chosen, limit: String(PAGE_SIZE), offset: String(offset), highlight: 'true' });
    const pageUrl = new URL(location.href);
    pageUrl.search = '';
    if (query) pageUrl.searchParams.set('q', query);
    for (const [key, value] of Object.entries(chosen)) pageUrl.searchParams.set(key, value);
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
      results.replaceChildren(...body.hits.map((hit, i) => renderHit(hit, body.offset + i, undefined, trending)));
      empty.hidden = true;
      if (body.total === 0) showEmpty(query, filtered);
      const order = trending ? ' Trending: fastest-rising first; a day without a gain halves a paper\\u2019s pace.' : '';
      setStatus(body.total === 0 ? '' : describe(body, query, filtered) + order, false);
      pager.hidden = body.total <= PAGE_SIZE;
      prev.disabled = body.offset === 0;
      next.disabled = body.offset + body.hits.length >= Math.min(body.total, WINDOW_MAX);
    } catch (error) {
      if (controller !== inFlight || error.name === 'AbortError') return;
      results.replaceChildren();
      empty.hidden = true;
      pager.hidden = true;
      setStatus('Search failed: ' + error.message, true);
    } finally {
      if (controller === inFlight) {
        inFlight = null;
        results.removeAttribute('aria-busy');
      }
    }
  }

  function searchSoon() {
    clearTimeout(timer);
    offset = 0;
    timer = setTimeout(search, DEBOUNCE_MS);
  }
  function searchNow() {
    clearTimeout(timer);
    offset = 0;
    search();
  }

  function clearFilters() {
    controls.from.value = '';
    controls.to.value = '';
    controls.year.value = '';
    controls.source.value = '';
    controls.authors.value = '';
    controls.hasCode.checked = false;
    controls.minUpvotes.value = '';
    controls.sort.value = 'relevance';
    searchNow();
  }

  // ---- facets: the years and sources the index holds ------------------------------------
  function fillSelect(select, counts, order, keep) {
    const entries = Object.entries(counts || {}).sort(order);
    for (const [value, count] of entries) {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = value + ' (' + count + ')';
      select.append(option);
    }
    if (keep && !entries.some(([value]) => value === keep)) {
      const option = document.createElement('option');
      option.value = keep;
      option.textContent = keep;
      select.append(option);
    }
    select.value = keep || '';
  }

  async function loadFacets(initial) {
    try {
      const response = await fetch('/v1/facets', { headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      const { facetDistribution } = await response.json();
      fillSelect(controls.year, facetDistribution.year, (a, b) => Number(b[0]) - Number(a[0]), initial.year);
      fillSelect(controls.source, facetDistribution.source, (a, b) => a[0].localeCompare(b[0]), initial.source);
      // The most frequent authors, most frequent first, as suggestions for the author field.
      const authors = Object.entries(facetDistribution.authors || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      authorList.replaceChildren(...authors.map(([name, count]) => {
        const option = document.createElement('option');
        option.value = name;
        option.label = name + ' (' + plural(count, 'paper') + ')';
        return option;
      }));
    } catch {
      fillSelect(controls.year, {}, () => 0, initial.year);
      fillSelect(controls.source, {}, () => 0, initial.source);
    }
  }

  // ---- wiring ---------------------------------------------------------------------------
  input.addEventListener('input', searchSoon);
  form.addEventListener('submit', (event) => { event.preventDefault(); searchNow(); });
  filters.addEventListener('change', searchNow);
  controls.minUpvotes.addEventListener('input', searchSoon);
  controls.authors.addEventListener('keydown', (event) => { if (event.key === 'Enter') { event.preventDefault(); searchNow(); } });
  $('clear').addEventListener('click', () => { clearFilters(); controls.from.focus(); });
  prev.addEventListener('click', () => { offset = Math.max(0, offset - pageSize()); search(); input.focus(); });
  next.addEventListener('click', () => { offset += pageSize(); search(); input.focus(); });

  const initial = Object.fromEntries(new URLSearchParams(location.search));
  input.value = initial.q || '';
  if (initial.day) days.date = initial.day;
  if (SPANS.includes(initial.span)) days.span = initial.span;
  for (const key of FILTER_KEYS) {
    const control = controls[key];
    if (!(key in initial) || key === 'year' || key === 'source') continue;
    if (control.type === 'checkbox') control.checked = initial[key] === 'true';
    else control.value = initial[key];
  }
  loadFacets(initial).then(search);
})();
`;

export const SEARCH_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>paperwire · paper search</title>
<meta name="description" content="Search research papers collected from paper digests.">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link id="feed-atom" rel="alternate" type="application/atom+xml" title="paperwire: new papers (Atom)" href="/v1/feed.atom">
<link id="feed-json" rel="alternate" type="application/feed+json" title="paperwire: new papers (JSON Feed)" href="/v1/feed.json">
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#results">Skip to results</a>
<header>
  <div class="bar">
    <div class="brand"><h1>paperwire</h1><p>Search research papers from daily digests</p></div>
    <form id="search-form" role="search" action="/" method="get">
      <div class="searchline">
        <label for="q" class="visually-hidden">Search papers by title, abstract or author</label>
        <input id="q" name="q" type="search" autocomplete="off" spellcheck="false" maxlength="1000" placeholder="Search papers, e.g. catastrophic forgetting" autofocus>
        <button type="submit" class="primary">Search</button>
      </div>
    </form>
  </div>
</header>
<div class="layout">
  <aside>
    <fieldset id="filters" form="search-form">
      <legend>Filters</legend>
      <div class="field">
        <label for="sort">Sort by</label>
        <select id="sort" name="sort">
          <option value="relevance">Relevance</option>
          <option value="firstSeenAt:desc">Newest first seen</option>
          <option value="publishedAt:desc">Newest published</option>
          <option value="publishedAt:asc">Oldest published</option>
          <option value="upvotes:desc">Most upvoted</option>
          <option value="trending">Trending</option>
        </select>
      </div>
      <div class="field">
        <span id="published-label">Published</span>
        <div class="range" role="group" aria-labelledby="published-label">
          <label for="from">From</label>
          <input id="from" name="from" type="date">
          <label for="to">To</label>
          <input id="to" name="to" type="date">
        </div>
      </div>
      <div class="field">
        <label for="year">Year</label>
        <select id="year" name="year"><option value="">Any year</option></select>
      </div>
      <div class="field">
        <label for="source">Source</label>
        <select id="source" name="source"><option value="">Any source</option></select>
      </div>
      <div class="field">
        <label for="authors">Author</label>
        <input id="authors" name="authors" type="text" list="author-list" autocomplete="off" spellcheck="false" maxlength="200" placeholder="Any author">
        <datalist id="author-list"></datalist>
      </div>
      <div class="field">
        <label for="minUpvotes">At least this many upvotes</label>
        <input id="minUpvotes" name="minUpvotes" type="number" min="0" step="1" inputmode="numeric" placeholder="0">
      </div>
      <label class="check"><input id="hasCode" name="hasCode" type="checkbox" value="true"> Only papers with code</label>
      <div><button type="button" id="clear">Clear filters</button></div>
    </fieldset>
  </aside>
  <main>
    <nav class="views" aria-label="Views"><a id="view-days" href="/">Days</a><a id="view-trending" href="/?sort=trending">Trending</a></nav>
    <nav id="day-nav" class="daynav" aria-label="Days" hidden>
      <a id="day-prev" class="step" rel="prev">← Previous day</a>
      <h2 id="day-title"></h2>
      <a id="day-next" class="step" rel="next">Next day →</a>
      <div class="spans" role="group" aria-label="Show one">
        <a id="span-day">Day</a><a id="span-week">Week</a><a id="span-month">Month</a>
      </div>
    </nav>
    <p id="status" role="status" aria-live="polite"></p>
    <p class="feeds"><a id="feed-link" href="/v1/feed.atom" type="application/atom+xml">Atom feed of new papers</a> · <a id="feed-json-link" href="/v1/feed.json" type="application/feed+json">JSON Feed</a></p>
    <ol id="results" aria-label="Search results"></ol>
    <div id="empty" class="empty" hidden></div>
    <nav id="pager" class="pager" aria-label="Result pages" hidden>
      <button type="button" id="prev">Previous page</button>
      <button type="button" id="next">Next page</button>
    </nav>
  </main>
</div>
<footer><a href="/openapi.json">API (OpenAPI)</a></footer>
<template id="hit-template"><li class="hit"><article><h2></h2><p class="meta"></p><p class="authors"></p><p class="abstract"></p><div class="actions"></div></article></li></template>
<script>${SCRIPT}</script>
</body>
</html>
`;

/** A mark for browser tabs: a white "p" on the accent blue. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0b5fcc"/><text x="16" y="23" font-family="system-ui,sans-serif" font-size="20" font-weight="700" text-anchor="middle" fill="#fff">p</text></svg>`;

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
