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
  private readonly first: number;
  private readonly last: number;
  private readonly released: number[] = [];
  private readonly taken = new Set<number>();

  constructor(cidr: string) {
    const [address, prefixText] = cidr.split('/');
    const base = address === undefined ? undefined : toNumber(address);
    const prefix = Number(prefixText);
    if (base === undefined || !Number.isInteger(prefix) || prefix < 1 || prefix > 30) throw new Error(`invalid IPv4 subnet: ${cidr}`);
    const size = 2 ** (32 - prefix);
    const network = base - (base % size);
    this.subnet = `${toAddress(network)}/${prefix}`;
    this.gateway = toAddress(network + 1);
    this.first = network + 2;
    this.next = this.first;
    this.last = network + size - 2;
  }

  /** The next free address, or undefined when the subnet is full. */
  allocate(): string | undefined {
    for (let reused = this.released.pop(); reused !== undefined; reused = this.released.pop()) {
      if (!this.taken.has(reused)) return this.take(reused);
    }
    while (this.next <= this.last) {
      const candidate = this.next++;
      if (!this.taken.has(candidate)) return this.take(candidate);
    }
    return undefined;
  }

  /** Takes a given address; false when it is outside the subnet's host addresses or already taken. */
  claim(address: string): boolean {
    const value = toNumber(address);
    if (value === undefined || value < this.first || value > this.last || this.taken.has(value)) return false;
    this.take(value);
    return true;
  }

  release(address: string): void {
    const value = toNumber(address);
    if (value !== undefined && this.taken.delete(value)) this.released.push(value);
  }

  private take(value: number): string {
    this.taken.add(value);
    return toAddress(value);
  }
}

/** Docker's MAC address for a container IPv4 address on a bridge: 02:42 followed by the address bytes. */
export function macAddressFor(address: string): string {
  const value = toNumber(address) ?? 0;
  const bytes = [0x02, 0x42, value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255];
  return bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}
