import { createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { signatureHeader, verifySignature } from './signature.js';

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"watchId":"w1","paper":{"id":"arxiv-2511_00001"}}';
  const t = 1_762_156_800;

  it('is t=<unix>,v1=<HMAC-SHA256 of "t.body"> in hex', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signatureHeader(secret, body, t)).toBe(`t=${t},v1=${expected}`);
  });

  it('verifies what it signs, within the tolerance', () => {
    const header = signatureHeader(secret, body, t);
    expect(verifySignature(header, secret, body, { now: t * 1000 + 60_000 })).toEqual({
      ok: true,
      timestamp: t,
    });
    expect(verifySignature(header, secret, Buffer.from(body), { now: t * 1000 })).toMatchObject({ ok: true });
  });

  it('refuses another body, another secret, an old timestamp and a malformed header', () => {
    const header = signatureHeader(secret, body, t);
    const now = t * 1000;
    expect(verifySignature(header, secret, `${body} `, { now })).toEqual({
      ok: false,
      reason: 'the signature does not match',
    });
    expect(verifySignature(header, 'whsec_other', body, { now })).toMatchObject({ ok: false });
    expect(verifySignature(header, secret, body, { now: now + 301_000 })).toMatchObject({
      ok: false,
      reason: 'the timestamp is more than 300 s away',
    });
    expect(verifySignature(`t=${t + 1},${header.split(',')[1]}`, secret, body, { now })).toMatchObject({
      ok: false,
    });
    expect(verifySignature('v1=abc', secret, body, { now })).toMatchObject({ ok: false });
    expect(verifySignature(undefined, secret, body, { now })).toMatchObject({ ok: false });
  });
});
