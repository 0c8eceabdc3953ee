import type { Paper, PaperSource } from './paper.js';

/*
 * Trending: how fast a paper gains upvotes, decayed with the time since it last gained.
 *
 * A merged record keeps, per page URL and source name, its first counted capture and the first
 * capture that showed its highest count (`mergePapers`). Between those two captures the page
 * gained `peak − first` upvotes in `hours` (at least `MIN_SPAN_HOURS`, so two captures minutes
 * apart do not make a burst out of one vote), a velocity `v` in upvotes per hour; the peak's
 * capture is when the paper last gained. At an instant `now` its trend is
 *
 *   trend(now) = v · 2^(−(now − gainedAt) / HALF_LIFE)
 *
 * so a paper that stops gaining loses half its trend every `TRENDING_HALF_LIFE_HOURS`. For any
 * two papers the order of their trends is the same at every `now`: log2 trend(now) =
 * (log2 v + gainedAt / HALF_LIFE) − now / HALF_LIFE, and the last term is common to both. The
 * stored score is the part in parentheses (times in hours since the epoch): one number per paper,
 * written with it and sorted on by the engines, that never needs recomputing as time passes. A
 * paper takes the best score of its pages; one without two counted captures of a page with a gain
 * between them has none (null), and sorts after every paper that has one.
 */

export const TRENDING_HALF_LIFE_HOURS = 24;
/** The shortest time a gain is spread over. */
export const MIN_SPAN_HOURS = 1;

const HOUR_MS = 3_600_000;

/** How a page of a paper gained upvotes: the velocity and when it last gained. */
export interface UpvoteVelocity {
  /** Upvotes gained per hour between the page's first counted capture and its peak. */
  perHour: number;
  /** The capture that first showed the highest count (ISO instant). */
  gainedAt: string;
  /** The time-independent score (`trendingScore`) of this velocity. */
  score: number;
}

/** The velocity of the page that trends most for `paper`; null when none of its pages gained. */
export function upvoteVelocity(paper: Pick<Paper, 'sources'>): UpvoteVelocity | null {
  const series = new Map<string, { first: PaperSource; peak: PaperSource }>();
  for (const s of paper.sources) {
    if (s.upvotes === null) continue;
    const key = `${s.url}\u0000${s.name}`;
    const seen = series.get(key);
    if (!seen) {
      series.set(key, { first: s, peak: s });
      continue;
    }
    // Ties as the merge breaks them: of one instant, the higher count is the first.
    if (
      s.capturedAt < seen.first.capturedAt ||
      (s.capturedAt === seen.first.capturedAt && s.upvotes > seen.first.upvotes!)
    )
      seen.first = s;
    if (
      s.upvotes > seen.peak.upvotes! ||
      (s.upvotes === seen.peak.upvotes && s.capturedAt < seen.peak.capturedAt)
    )
      seen.peak = s;
  }
  let best: UpvoteVelocity | null = null;
  for (const { first, peak } of series.values()) {
    const gained = peak.upvotes! - first.upvotes!;
    const hours = (Date.parse(peak.capturedAt) - Date.parse(first.capturedAt)) / HOUR_MS;
    if (gained <= 0 || hours <= 0) continue;
    const perHour = gained / Math.max(MIN_SPAN_HOURS, hours);
    const score = trendScore(perHour, peak.capturedAt);
    if (!best || score > best.score || (score === best.score && peak.capturedAt > best.gainedAt))
      best = { perHour, gainedAt: peak.capturedAt, score };
  }
  return best;
}

/**
 * log2 v + gainedAt / half-life (hours since the epoch): what orders papers by trend at any
 * instant. Null when the paper has no velocity.
 */
export function trendingScore(paper: Pick<Paper, 'sources'>): number | null {
  return upvoteVelocity(paper)?.score ?? null;
}

/** The trend (upvotes per hour, decayed) that a score stands for at `now`. */
export function trendAt(score: number, now: Date | string | number): number {
  const nowHours = new Date(now).getTime() / HOUR_MS;
  return 2 ** (score - nowHours / TRENDING_HALF_LIFE_HOURS);
}

function trendScore(perHour: number, gainedAt: string): number {
  return Math.log2(perHour) + Date.parse(gainedAt) / HOUR_MS / TRENDING_HALF_LIFE_HOURS;
}
