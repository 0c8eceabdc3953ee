import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a webhook delivery is signed in. */
export const SIGNATURE_HEADER = 'Paperwire-Signature';

/** How old a signature a receiver should accept, by default: replays after this are refused. */
export const SIGNATURE_TOLERANCE_S = 300;

function hmac(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/**
 * `t=<unix seconds>,v1=<hex>`: the HMAC-SHA256, keyed with the watch's secret, of the timestamp,
 * a dot and the raw body, so a receiver can check both who sent it and when.
 */
export function signatureHeader(
  secret: string,
  body: string | Buffer,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: string };

/** What a receiver does with the header: the check the README describes, in code. */
export function verifySignature(
  header: string | undefined,
  secret: string,
  body: string | Buffer,
  { toleranceS = SIGNATURE_TOLERANCE_S, now = Date.now() }: { toleranceS?: number; now?: number } = {},
): SignatureCheck {
  if (!header) return { ok: false, reason: `no ${SIGNATURE_HEADER} header` };
  const parts = header.split(',').map((part) => part.trim().split('='));
  const timestamp = Number(parts.find(([k]) => k === 't')?.[1]);
  const signatures = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => v!);
  if (!Number.isSafeInteger(timestamp) || signatures.length === 0)
    return { ok: false, reason: 'the header is not t=<unix>,v1=<hex>' };
  if (Math.abs(now / 1000 - timestamp) > toleranceS)
    return { ok: false, reason: `the timestamp is more than ${toleranceS} s away` };
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  const matches = signatures.some((s) => {
    const given = Buffer.from(s, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true, timestamp } : { ok: false, reason: 'the signature does not match' };
}
