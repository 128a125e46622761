/**
 * IPv4 and IPv6 addresses and CIDR blocks for IpAddress/NotIpAddress, as 128-bit integers (an
 * IPv4 address is its IPv4-mapped IPv6 form, so `10.0.0.0/8` and `::ffff:10.0.0.0/104` agree).
 * An address without a prefix length is a /32 (IPv4) or /128 (IPv6) block.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface CidrBlock {
  base: bigint;
  mask: bigint;
}

const full = (1n << 128n) - 1n;

function ipv4ToBigint(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n) | (0xffffn << 32n);
}

function ipv6ToBigint(text: string): bigint {
  let address = text;
  // A trailing dotted IPv4 part (::ffff:1.2.3.4) becomes two hex groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) {
    const v4 = ipv4ToBigint(dotted[1]!) & 0xffffffffn;
    address = address.slice(0, dotted.index) + `${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = address.split('::') as [string, string | undefined];
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** An address as a 128-bit integer, or undefined when it is not an IP address. */
export function parseAddress(text: string): bigint | undefined {
  if (isIPv4(text)) return ipv4ToBigint(text);
  if (isIPv6(text)) return ipv6ToBigint(text);
  return undefined;
}

/** A CIDR block (or a single address), or undefined when malformed. */
export function parseCidr(text: string): CidrBlock | undefined {
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const v4 = isIPv4(addressText);
  const base = parseAddress(addressText);
  if (base === undefined) return undefined;
  const maxBits = v4 ? 32 : 128;
  const lengthText = slash === -1 ? String(maxBits) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lengthText) || Number(lengthText) > maxBits) return undefined;
  const bits = Number(lengthText) + (v4 ? 96 : 0);
  const mask = bits === 0 ? 0n : (full << BigInt(128 - bits)) & full;
  return { base: base & mask, mask };
}

export function inCidr(address: bigint, block: CidrBlock): boolean {
  return (address & block.mask) === block.base;
}
