import { isIPv4, isIPv6 } from 'node:net';

/**
 * Which IP addresses merchant webhooks may not reach (SSRF): everything that is not a public
 * unicast address. Pure; used by the worker on every resolved address at connect time and by the
 * API on URL literals at request time.
 *
 * IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4
 * 2002::/16) are judged by that IPv4 address.
 */

type Range = readonly [prefix: number[], bits: number, name: string];

const IPV4_BLOCKED: readonly Range[] = [
  [[0, 0, 0, 0], 8, 'this network'],
  [[10, 0, 0, 0], 8, 'private (RFC 1918)'],
  [[100, 64, 0, 0], 10, 'carrier-grade NAT'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link-local (cloud metadata)'],
  [[172, 16, 0, 0], 12, 'private (RFC 1918)'],
  [[192, 0, 0, 0], 24, 'IETF protocol assignments'],
  [[192, 0, 2, 0], 24, 'documentation'],
  [[192, 88, 99, 0], 24, '6to4 relay anycast'],
  [[192, 168, 0, 0], 16, 'private (RFC 1918)'],
  [[198, 18, 0, 0], 15, 'benchmarking'],
  [[198, 51, 100, 0], 24, 'documentation'],
  [[203, 0, 113, 0], 24, 'documentation'],
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved or broadcast'],
];

const hex = (...groups: number[]) => groups.flatMap((g) => [g >> 8, g & 0xff]);

const IPV6_BLOCKED: readonly Range[] = [
  [hex(0, 0, 0, 0, 0, 0), 96, 'unspecified, loopback or IPv4-compatible'], // ::/96 holds :: and ::1
  [hex(0x64, 0xff9b, 1), 48, 'local-use NAT64'], // 64:ff9b:1::/48
  [hex(0x100, 0, 0, 0), 64, 'discard-only'],
  [hex(0x2001, 0x2), 48, 'benchmarking'],
  [hex(0x2001, 0x10), 28, 'ORCHID'],
  [hex(0x2001, 0xdb8), 32, 'documentation'],
  [hex(0x3fff), 20, 'documentation'],
  [hex(0xfc00), 7, 'unique local (ULA)'],
  [hex(0xfe80), 10, 'link-local'],
  [hex(0xfec0), 10, 'site-local'],
  [hex(0xff00), 8, 'multicast'],
];

/** Prefixes whose last (or, for 6to4, next) 32 bits are an IPv4 address judged on its own. */
const IPV4_MAPPED = hex(0, 0, 0, 0, 0, 0xffff);
const NAT64 = hex(0x64, 0xff9b, 0, 0, 0, 0);
const SIX_TO_FOUR = hex(0x2002);

/**
 * Why `address` (an IPv4 or IPv6 literal, brackets and zone id allowed) may not be reached, or
 * undefined when it is a public unicast address. Anything that is not an IP address is refused.
 */
export function blockedAddressReason(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(bare)) return ipv4Reason(bare.split('.').map(Number));
  if (isIPv6(bare)) return ipv6Reason(ipv6Bytes(bare));
  return 'not an IP address';
}

export function isBlockedAddress(address: string): boolean {
  return blockedAddressReason(address) !== undefined;
}

function ipv4Reason(bytes: number[]): string | undefined {
  return IPV4_BLOCKED.find(([prefix, bits]) => matches(bytes, prefix, bits))?.[2];
}

function ipv6Reason(bytes: number[]): string | undefined {
  if (matches(bytes, IPV4_MAPPED, 96) || matches(bytes, NAT64, 96)) {
    const reason = ipv4Reason(bytes.slice(12));
    return reason && `IPv4 in IPv6: ${reason}`;
  }
  if (matches(bytes, SIX_TO_FOUR, 16)) {
    const reason = ipv4Reason(bytes.slice(2, 6));
    return reason && `6to4: ${reason}`;
  }
  return IPV6_BLOCKED.find(([prefix, bits]) => matches(bytes, prefix, bits))?.[2];
}

function matches(bytes: number[], prefix: readonly number[], bits: number): boolean {
  for (let i = 0; i < bits; i += 8) {
    const take = Math.min(8, bits - i);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i / 8] ?? 0) & mask) !== ((prefix[i / 8] ?? 0) & mask)) return false;
  }
  return true;
}

/** The 16 bytes of a valid IPv6 literal (`::` and a dotted IPv4 tail allowed). */
function ipv6Bytes(address: string): number[] {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const middle = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return hex(...left, ...middle, ...right);
}
