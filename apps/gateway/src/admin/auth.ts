import { createHash, timingSafeEqual } from 'node:crypto';

import type { ErrorResponse } from '@paperwire/schema';
import type { RequestHandler } from 'express';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Compares in time independent of where the strings differ: both sides are hashed first, so
 * `timingSafeEqual` always compares two 32-byte digests, whatever the lengths.
 */
export function tokenMatches(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

/** The secret of an Authorization header: a Bearer token, or the password of Basic credentials. */
export function credentialOf(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^(Bearer|Basic)\s+(\S+)\s*$/i.exec(authorization);
  if (!match) return undefined;
  const [, scheme, value] = match as unknown as [string, string, string];
  if (scheme.toLowerCase() === 'bearer') return value;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

export const ADMIN_REALM = 'paperwire admin';

export interface AdminAuthOptions {
  /** Ask browsers for a password (Basic), so a person can open the dashboard. */
  browser?: boolean;
}

/**
 * Lets a request through when it carries ADMIN_TOKEN: `Authorization: Bearer <token>`, or Basic
 * credentials with the token as password (any user name). Without a token configured, admin is
 * disabled and says so.
 */
export function adminAuth(token: string | undefined, opts: AdminAuthOptions = {}): RequestHandler {
  return (req, res, next) => {
    if (token === undefined) {
      const body: ErrorResponse = {
        error: 'admin_disabled',
        message: 'admin is disabled: start the gateway with ADMIN_TOKEN set to enable it',
      };
      res.status(403).json(body);
      return;
    }
    const given = credentialOf(req.get('authorization'));
    if (given !== undefined && tokenMatches(token, given)) {
      next();
      return;
    }
    const challenges = [`Bearer realm="${ADMIN_REALM}"`];
    if (opts.browser) challenges.push(`Basic realm="${ADMIN_REALM}", charset="UTF-8"`);
    res.set('WWW-Authenticate', challenges);
    const body: ErrorResponse = {
      error: 'unauthorized',
      message:
        given === undefined
          ? 'admin needs the header Authorization: Bearer <ADMIN_TOKEN>'
          : 'the admin token is wrong',
    };
    res.status(401).json(body);
  };
}
