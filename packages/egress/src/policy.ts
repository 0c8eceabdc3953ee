import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup as dnsLookupAll } from 'node:dns/promises';
import { isIP } from 'node:net';

import { UnrecoverableJobError } from '@paperwire/queue';

import { classifyAddress } from './address.js';

/** A URL paperwire will not connect to (a fetch, a webhook): nothing was sent. Never retried. */
export class RefusedFetchError extends UnrecoverableJobError {
  override name = 'RefusedFetchError';
}

export interface FetchPolicy {
  /**
   * Hosts, as URLs name them (names or IP addresses, lower case), that may be fetched although
   * they are or resolve to a loopback, private, link-local or metadata address. Empty in the
   * shipped configuration.
   */
  allowHosts: ReadonlySet<string>;
}

/** `[::1]` → `::1`; names lower-cased. */
export function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/**
 * Throws RefusedFetchError unless `url` may be fetched: http or https only, and a host given as an
 * IP address must be public or allowed. Names are checked again when they resolve (see
 * `guardedLookup`), for every redirect hop.
 */
export function checkUrl(url: URL, policy: FetchPolicy): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RefusedFetchError(`refused ${url.href}: only http and https URLs are fetched`);
  }
  if (url.username || url.password) {
    throw new RefusedFetchError(`refused ${redactUrl(url)}: URLs with credentials are not fetched`);
  }
  const host = bareHost(url.hostname);
  if (isIP(host) !== 0) checkAddress(host, host, policy);
}

/** Throws RefusedFetchError when `address` (what `host` resolved to) is not public and `host` is not allowed. */
export function checkAddress(host: string, address: string, policy: FetchPolicy): void {
  // Allowed is the host as the URL names it: a name resolving to an allowed address is not
  // allowed by that, or any name an attacker points at 127.0.0.1 would be.
  if (policy.allowHosts.has(host)) return;
  const cls = classifyAddress(address);
  if (cls === 'public') return;
  const shown = host === address ? address : `${host} (${address})`;
  throw new RefusedFetchError(
    `refused ${shown}: ${cls} address; allow the host in FETCH_ALLOW_HOSTS to fetch from it`,
  );
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;
type LookupOptions = { all?: boolean; family?: number | string; hints?: number };

/**
 * A `dns.lookup` for sockets that refuses to hand out addresses the policy forbids. The check
 * happens on the address the socket will connect to, after resolution, so a name that resolves
 * to a public address when checked and to a private one when connecting (DNS rebinding) cannot
 * slip through. Any forbidden answer refuses the whole name.
 */
export function guardedLookup(policy: FetchPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const host = bareHost(hostname);
    dnsLookup(host, { ...options, all: true } as { all: true }, (err, addresses) => {
      if (err) return callback(err, options.all ? [] : '');
      try {
        for (const a of addresses) checkAddress(host, a.address, policy);
      } catch (refused) {
        return callback(refused as NodeJS.ErrnoException, options.all ? [] : '');
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first)
        return callback(Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' }), '');
      callback(null, first.address, first.family);
    });
  };
}

/**
 * Throws RefusedFetchError unless `url` may be connected to now: `checkUrl`, and every address its
 * name resolves to passes `checkAddress`. For URLs stored to be called later (webhooks), so a
 * forbidden one is refused when it is given; the connection itself is checked again at connect
 * time (`guardedLookup`), since a name may resolve elsewhere by then. A name that does not resolve
 * is refused too: nothing could be sent to it.
 */
export async function checkDestination(url: URL, policy: FetchPolicy): Promise<void> {
  checkUrl(url, policy);
  const host = bareHost(url.hostname);
  if (isIP(host) !== 0 || policy.allowHosts.has(host)) return;
  let addresses: LookupAddress[];
  try {
    addresses = await dnsLookupAll(host, { all: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new RefusedFetchError(`refused ${host}: the name does not resolve (${code})`);
  }
  for (const a of addresses) checkAddress(host, a.address, policy);
}

/** Finds a RefusedFetchError in an error's cause chain (undici wraps connector errors). */
export function refusalIn(error: unknown): RefusedFetchError | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth += 1) {
    if (e instanceof RefusedFetchError) return e;
  }
  return null;
}

export function redactUrl(url: URL): string {
  if (!url.username && !url.password) return url.href;
  const copy = new URL(url.href);
  copy.username = '***';
  copy.password = '';
  return copy.href;
}
