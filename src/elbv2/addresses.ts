/**
 * Each load balancer gets its own loopback address from a configured IPv4 range (by default
 * 127.0.2.0/24), so two load balancers can both listen on port 80. Linux routes all of 127/8 to
 * loopback, so any address of the range can be bound without configuration. Pure: the store says
 * which addresses are taken.
 */

export const defaultAddressRange = '127.0.2.0/24';

export interface AddressRange {
  /** The first and last usable address, as 32-bit numbers. */
  first: number;
  last: number;
}

const toNumber = (address: string): number | undefined => {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return undefined;
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
};

const toAddress = (value: number): string => [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');

/** The range of a CIDR block, without its network and broadcast addresses when it has more than two; undefined when malformed. */
export function parseAddressRange(cidr: string): AddressRange | undefined {
  const [address, bitsText] = cidr.split('/');
  const base = address === undefined ? undefined : toNumber(address);
  const bits = Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 8 || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  const network = base - (base % size);
  return size > 2 ? { first: network + 1, last: network + size - 2 } : { first: network, last: network + size - 1 };
}

/** The lowest address of the range not in use, or undefined when every one is. */
export function freeAddress(range: AddressRange, inUse: Iterable<string>): string | undefined {
  const taken = new Set(inUse);
  for (let value = range.first; value <= range.last; value += 1) {
    const address = toAddress(value);
    if (!taken.has(address)) return address;
  }
  return undefined;
}
