import { BlockList, isIP } from 'node:net';

/**
 * Why an address is not fetched from by default. `public` is everything else: the internet.
 * `metadata` is split out of link-local and private ranges because it is the one address an
 * attacker most wants a server-side fetch to reach.
 */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'metadata'
  | 'shared'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'invalid';

const RANGES: [Exclude<AddressClass, 'public' | 'invalid'>, 'ipv4' | 'ipv6', string, number][] = [
  // Cloud metadata services: AWS/GCP/Azure, AWS over IPv6, Alibaba.
  ['metadata', 'ipv4', '169.254.169.254', 32],
  ['metadata', 'ipv6', 'fd00:ec2::254', 128],
  ['metadata', 'ipv4', '100.100.100.200', 32],
  ['unspecified', 'ipv4', '0.0.0.0', 8],
  ['loopback', 'ipv4', '127.0.0.0', 8],
  ['private', 'ipv4', '10.0.0.0', 8],
  ['private', 'ipv4', '172.16.0.0', 12],
  ['private', 'ipv4', '192.168.0.0', 16],
  ['link-local', 'ipv4', '169.254.0.0', 16],
  // Carrier-grade NAT: private in practice.
  ['shared', 'ipv4', '100.64.0.0', 10],
  ['reserved', 'ipv4', '192.0.0.0', 24],
  ['reserved', 'ipv4', '192.0.2.0', 24],
  ['reserved', 'ipv4', '198.18.0.0', 15],
  ['reserved', 'ipv4', '198.51.100.0', 24],
  ['reserved', 'ipv4', '203.0.113.0', 24],
  ['multicast', 'ipv4', '224.0.0.0', 4],
  ['reserved', 'ipv4', '240.0.0.0', 4],
  ['unspecified', 'ipv6', '::', 128],
  ['loopback', 'ipv6', '::1', 128],
  ['private', 'ipv6', 'fc00::', 7],
  ['link-local', 'ipv6', 'fe80::', 10],
  ['reserved', 'ipv6', 'fec0::', 10],
  ['multicast', 'ipv6', 'ff00::', 8],
  ['reserved', 'ipv6', '2001:db8::', 32],
  ['reserved', 'ipv6', '100::', 64],
];

const lists = new Map<AddressClass, BlockList>();
for (const [cls, family, network, prefix] of RANGES) {
  let list = lists.get(cls);
  if (!list) lists.set(cls, (list = new BlockList()));
  list.addSubnet(network, prefix, family);
}
// Checked in this order, so the narrow metadata ranges win over the ranges that contain them.
const ORDER: AddressClass[] = [
  'metadata',
  'unspecified',
  'loopback',
  'private',
  'link-local',
  'shared',
  'multicast',
  'reserved',
];

/**
 * The class of an IP address (v4 or v6, without brackets or zone). An IPv6 address that embeds an
 * IPv4 one (IPv4-mapped `::ffff:127.0.0.1`, IPv4-compatible `::127.0.0.1`, NAT64 `64:ff9b::/96`,
 * 6to4 `2002::/16`) is classed by the IPv4 address it leads to.
 */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return 'invalid';
  if (family === 6) {
    const embedded = embeddedIPv4(bare);
    if (embedded !== null) return classifyAddress(embedded);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const cls of ORDER) if (lists.get(cls)?.check(bare, type)) return cls;
  return 'public';
}

/** The IPv4 address an IPv6 address carries, for the forms that route to it; else null. */
function embeddedIPv4(address: string): string | null {
  const groups = ipv6Groups(address);
  if (!groups) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated but still parsed by stacks).
  if (
    zeros(0, 5) &&
    (groups[5] === 0xffff || groups[5] === 0) &&
    !(groups[5] === 0 && zeros(6, 7) && groups[7]! <= 1)
  ) {
    return v4(groups[6]!, groups[7]!);
  }
  // NAT64 well-known prefix 64:ff9b::/96.
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return v4(groups[6]!, groups[7]!);
  // 6to4 2002:AABB:CCDD::/48.
  if (groups[0] === 0x2002) return v4(groups[1]!, groups[2]!);
  return null;
}

/** The eight 16-bit groups of an IPv6 address (with `::` and a dotted IPv4 tail expanded). */
function ipv6Groups(address: string): number[] | null {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const octets = dotted[1]!.split('.').map(Number);
    text = `${text.slice(0, -dotted[1]!.length)}${((octets[0]! << 8) | octets[1]!).toString(16)}:${((octets[2]! << 8) | octets[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const fill = 8 - left.length - right.length;
  if (fill < 0 || (tail === undefined && fill !== 0)) return null;
  const groups = [...left, ...Array<number>(fill).fill(0), ...right];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}
