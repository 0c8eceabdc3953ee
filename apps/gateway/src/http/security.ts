import type { RequestHandler } from 'express';

/** What an API answer may load or be framed by: nothing. Pages set their own policy. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The headers helmet sets by default, minus the ones that only concern legacy browsers. HSTS is
 * only sent over HTTPS (as Express sees it, so behind a TLS-terminating proxy with TRUST_PROXY).
 */
export function securityHeaders(): RequestHandler {
  return (req, res, next) => {
    res.set({
      'Content-Security-Policy': API_CSP,
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Origin-Agent-Cluster': '?1',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-DNS-Prefetch-Control': 'off',
      'X-Download-Options': 'noopen',
      'X-Frame-Options': 'DENY',
      'X-Permitted-Cross-Domain-Policies': 'none',
      'X-XSS-Protection': '0',
    });
    if (req.secure) res.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  };
}

const ALLOWED_METHODS = 'GET, HEAD, POST, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, Content-Type';
const EXPOSED_HEADERS = 'RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, Location';
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * CORS for the listed origins (`*`: any). Other origins get no CORS headers, so browsers keep
 * their answers from the calling page. Preflights from allowed origins are answered here.
 */
export function cors(origins: readonly string[]): RequestHandler {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.get('origin');
    res.vary('Origin');
    if (origin === undefined || !(any || allowed.has(origin))) {
      next();
      return;
    }
    res.set('Access-Control-Allow-Origin', any ? '*' : origin);
    res.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    // The resource policy above would otherwise keep no-cors loads from the allowed origin out.
    res.set('Cross-Origin-Resource-Policy', 'cross-origin');
    if (req.method === 'OPTIONS' && req.get('access-control-request-method') !== undefined) {
      res.set('Access-Control-Allow-Methods', ALLOWED_METHODS);
      res.set('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.set('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_S));
      res.status(204).end();
      return;
    }
    next();
  };
}
