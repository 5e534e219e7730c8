import { isIPv4, isIPv6 } from 'net';
import { IConstruct } from 'constructs';
import { _invalid } from './errors';
import { ErrorCode } from './configuration-error';

/** An address as a number and its width in bits. */
interface Address { readonly value: bigint; readonly bits: 32 | 128 }

function parseIPv4(address: string): bigint {
  return address.split('.').reduce((n, octet) => (n << 8n) | BigInt(Number(octet)), 0n);
}

function parseIPv6(address: string): bigint {
  let text = address;
  // an embedded IPv4 tail (::ffff:10.0.0.1) as two groups
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (v4) {
    const n = parseIPv4(v4[1]);
    text = `${text.slice(0, v4.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function format(a: Address): string {
  if (a.bits === 32) {
    return [24n, 16n, 8n, 0n].map(s => ((a.value >> s) & 0xffn).toString()).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => ((a.value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // the longest run of zero groups becomes '::' (RFC 5952)
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  return best.at < 0 ? groups.join(':')
    : `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/**
 * Checks that `cidr` is an IPv4 or IPv6 network in CIDR notation whose address is the
 * network's own (no host bits: `10.20.0.5/16` would open all of 10.20.0.0/16), and,
 * unless `allowEverything`, narrower than every address (`/0`).
 */
export function _checkCidr(scope: IConstruct, prop: string, cidr: string, allowEverything = false): void {
  const [address, prefix, ...rest] = cidr.split('/');
  const v4 = isIPv4(address ?? '');
  const v6 = !v4 && isIPv6(address ?? '');
  const width = v4 ? 32 : 128;
  if (rest.length > 0 || prefix === undefined || !/^\d{1,3}$/.test(prefix) || (!v4 && !v6) || Number(prefix) > width) {
    const bare = prefix === undefined && (v4 || v6);
    throw _invalid(scope, prop, cidr, 'must be an IPv4 or IPv6 network in CIDR notation (address/prefix length)',
      bare ? `write '${cidr}/${width}' for the one address` : 'write it as address/prefix, for example \'10.20.0.0/16\', \'10.20.3.4/32\' or \'fd00:10::/64\'');
  }
  const bits = Number(prefix);
  if (bits === 0 && !allowEverything) {
    throw _invalid(scope, prop, cidr, 'must be narrower than every address', 'name the subnet or the addresses themselves', ErrorCode.OUT_OF_RANGE);
  }
  const value = v4 ? parseIPv4(address) : parseIPv6(address);
  const hostMask = (1n << BigInt(width - bits)) - 1n;
  if ((value & hostMask) !== 0n) {
    const network = format({ value: value & ~hostMask & ((1n << BigInt(width)) - 1n), bits: width });
    throw _invalid(scope, prop, cidr,
      `must not have host bits set: the prefix /${bits} makes it the whole network ${network}/${bits}, not the address ${address}`,
      `write '${network}/${bits}' for the network, or '${address}/${width}' for the one address`);
  }
}
