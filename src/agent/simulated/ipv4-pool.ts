/**
 * Addresses of one simulated bridge network: the gateway is the subnet's first host address, containers
 * get the following ones in order, and released addresses are handed out again.
 */

function toNumber(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

function toAddress(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

export class Ipv4Pool {
  readonly subnet: string;
  readonly gateway: string;
  private next: number;
  private readonly last: number;
  private readonly released: number[] = [];

  constructor(cidr: string) {
    const [address, prefixText] = cidr.split('/');
    const base = address === undefined ? undefined : toNumber(address);
    const prefix = Number(prefixText);
    if (base === undefined || !Number.isInteger(prefix) || prefix < 1 || prefix > 30) throw new Error(`invalid IPv4 subnet: ${cidr}`);
    const size = 2 ** (32 - prefix);
    const network = base - (base % size);
    this.subnet = `${toAddress(network)}/${prefix}`;
    this.gateway = toAddress(network + 1);
    this.next = network + 2;
    this.last = network + size - 2;
  }

  /** The next free address, or undefined when the subnet is full. */
  allocate(): string | undefined {
    const reused = this.released.pop();
    if (reused !== undefined) return toAddress(reused);
    if (this.next > this.last) return undefined;
    return toAddress(this.next++);
  }

  release(address: string): void {
    const value = toNumber(address);
    if (value !== undefined) this.released.push(value);
  }
}

/** Docker's MAC address for a container IPv4 address on a bridge: 02:42 followed by the address bytes. */
export function macAddressFor(address: string): string {
  const value = toNumber(address) ?? 0;
  const bytes = [0x02, 0x42, value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255];
  return bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}
