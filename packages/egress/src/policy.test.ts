import { describe, expect, it } from 'vitest';

import { classifyAddress } from './address.js';
import { checkAddress, checkDestination, checkUrl, guardedLookup, RefusedFetchError } from './policy.js';

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['140.82.112.3', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.10', 'private'],
    ['169.254.10.20', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['100.100.100.200', 'metadata'],
    ['100.128.0.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fd00:ec2::254', 'metadata'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['[::1]', 'loopback'],
    ['ff02::1', 'multicast'],
    ['not-an-address', 'invalid'],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:c0a8:0101::1', 'private'],
    ['2002:0808:0808::1', 'public'],
  ])('IPv6 %s that leads to IPv4 is classed by it: %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });
});

describe('checkUrl and checkAddress', () => {
  const none = { allowHosts: new Set<string>() };
  const local = { allowHosts: new Set(['127.0.0.1']) };

  it('refuses schemes other than http and https', () => {
    for (const url of [
      'file:///etc/passwd',
      'ftp://example.org/',
      'gopher://example.org/',
      'data:text/plain,x',
    ]) {
      expect(() => checkUrl(new URL(url), none)).toThrow(RefusedFetchError);
    }
  });

  it('refuses IP hosts that are not public, in any spelling, unless allowed', () => {
    for (const url of [
      'http://127.0.0.1:8080/',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://0.0.0.0/',
    ]) {
      expect(() => checkUrl(new URL(url), none), url).toThrow(RefusedFetchError);
    }
    expect(() => checkUrl(new URL('http://127.0.0.1:8080/'), local)).not.toThrow();
    expect(() => checkUrl(new URL('http://127.0.0.2:8080/'), local)).toThrow(/loopback address/);
    expect(() => checkUrl(new URL('https://8.8.8.8/'), none)).not.toThrow();
  });

  it('refuses URLs with credentials', () => {
    expect(() => checkUrl(new URL('https://user:secret@example.org/'), none)).toThrow(/credentials/);
  });

  it('allows a host by the name the URL gives, for whatever it resolves to; an allowed address allows no name', () => {
    const internal = { allowHosts: new Set(['digests.internal']) };
    expect(() => checkAddress('digests.internal', '10.0.0.5', internal)).not.toThrow();
    expect(() => checkAddress('127.0.0.1', '127.0.0.1', local)).not.toThrow();
    expect(() => checkAddress('localhost', '127.0.0.1', local)).toThrow(
      /localhost \(127\.0\.0\.1\): loopback/,
    );
    expect(() => checkAddress('rebound.example', '169.254.169.254', local)).toThrow(/metadata/);
  });
});

describe('guardedLookup', () => {
  const lookup = (host: string, all: boolean, allowHosts: string[] = []) =>
    new Promise<{ err: Error | null; address: unknown }>((resolve) =>
      guardedLookup({ allowHosts: new Set(allowHosts) })(host, { all }, (err, address) =>
        resolve({ err, address }),
      ),
    );

  it('refuses a name that resolves to a loopback address', async () => {
    for (const all of [true, false]) {
      const { err } = await lookup('localhost', all);
      expect(err).toBeInstanceOf(RefusedFetchError);
      expect(err?.message).toMatch(/refused localhost \(.*\): loopback/);
    }
  });

  it('hands out the addresses of an allowed name', async () => {
    const { err, address } = await lookup('localhost', false, ['localhost']);
    expect(err).toBeNull();
    expect(['127.0.0.1', '::1']).toContain(address);
  });
});

describe('checkDestination', () => {
  const none = { allowHosts: new Set<string>() };

  it('refuses a name that resolves to a forbidden address, and one that does not resolve', async () => {
    await expect(checkDestination(new URL('http://localhost:9/hook'), none)).rejects.toThrow(
      /refused localhost \(.*\): loopback/,
    );
    await expect(checkDestination(new URL('http://10.1.2.3/hook'), none)).rejects.toThrow(/private/);
    await expect(checkDestination(new URL('http://no-such-host.invalid/hook'), none)).rejects.toThrow(
      /refused no-such-host\.invalid: the name does not resolve/,
    );
    await expect(checkDestination(new URL('ftp://example.org/'), none)).rejects.toBeInstanceOf(
      RefusedFetchError,
    );
  });

  it('takes an allowed host as it is named', async () => {
    await expect(
      checkDestination(new URL('http://127.0.0.1:9/hook'), { allowHosts: new Set(['127.0.0.1']) }),
    ).resolves.toBeUndefined();
    await expect(
      checkDestination(new URL('http://localhost:9/hook'), { allowHosts: new Set(['localhost']) }),
    ).resolves.toBeUndefined();
  });
});
