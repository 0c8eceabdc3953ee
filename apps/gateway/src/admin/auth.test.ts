import { describe, expect, it } from 'vitest';

import { credentialOf, tokenMatches } from './auth.js';

describe('tokenMatches', () => {
  const token = 'a-long-enough-admin-token';

  it('accepts the token itself only', () => {
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(token, `${token} `)).toBe(false);
    expect(tokenMatches(token, token.toUpperCase())).toBe(false);
  });

  it('compares tokens of any length without throwing (both sides are hashed first)', () => {
    for (const given of ['', 'a', token.slice(0, -1), token.repeat(10), '\u{1F600}']) {
      expect(tokenMatches(token, given)).toBe(false);
    }
  });
});

describe('credentialOf', () => {
  it('reads a Bearer token, whatever the case of the scheme', () => {
    expect(credentialOf('Bearer abc')).toBe('abc');
    expect(credentialOf('bearer abc')).toBe('abc');
  });

  it('reads the password of Basic credentials, which may hold colons', () => {
    const basic = Buffer.from('admin:pa:ss').toString('base64');
    expect(credentialOf(`Basic ${basic}`)).toBe('pa:ss');
    expect(credentialOf(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBeUndefined();
  });

  it.each([undefined, '', 'Bearer', 'Bearer a b', 'Digest abc', 'abc'])('finds nothing in %j', (header) => {
    expect(credentialOf(header)).toBeUndefined();
  });
});
