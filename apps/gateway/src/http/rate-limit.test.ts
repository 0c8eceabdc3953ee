import { describe, expect, it } from 'vitest';

import { clientKey } from './rate-limit.js';

describe('clientKey', () => {
  it('keys an IPv4 client by its address, also when written IPv4-mapped', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::FFFF:203.0.113.7')).toBe('203.0.113.7');
  });

  it('keys an IPv6 client by its /64, however the address is written', () => {
    const key = '2001:db8:0:1::/64';
    for (const address of [
      '2001:db8:0:1::1',
      '2001:db8:0:1:ffff:ffff:ffff:ffff',
      '2001:0DB8:0000:0001:1234:5678:9abc:def0',
      '2001:db8::1:0:0:0:5',
      '2001:db8:0:1::1%eth0',
      '2001:db8:0:1:0:0:1.2.3.4',
    ])
      expect(clientKey(address), address).toBe(key);
    expect(clientKey('2001:db8:0:2::1')).toBe('2001:db8:0:2::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('fe80::1')).toBe('fe80:0:0:0::/64');
  });

  it('leaves anything that is no address as it is', () => {
    expect(clientKey('unknown')).toBe('unknown');
  });
});
