/**
 * Source-ip conditions: whether a client address falls in a CIDR block (IPv4 or IPv6). Pure.
 * An IPv4 client seen through a dual-stack socket (`::ffff:10.0.0.1`) counts as its IPv4 address.
 */

interface ParsedIp {
  version: 4 | 6;
  value: bigint;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const byte = Number(part);
    if (byte > 255) return undefined;
    value = (value << 8n) | BigInt(byte);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string | undefined): string[] => (half === undefined || half === '' ? [] : half.split(':'));
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  // A trailing dotted quad stands for the last two groups.
  const last = tail.length > 0 ? tail : head;
  const quad = last[last.length - 1];
  if (quad !== undefined && quad.includes('.')) {
    const v4 = parseIpv4(quad);
    if (v4 === undefined) return undefined;
    last.splice(last.length - 1, 1, ((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}

export function parseIp(text: string): ParsedIp | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  const v4 = parseIpv4(mapped?.[1] ?? text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

/** Whether `address` is inside `cidr` ("10.0.0.0/8", "2001:db8::/32"; a bare address is a /32 or /128). */
export function ipInCidr(address: string, cidr: string): boolean {
  const [base, prefixText] = cidr.split('/');
  const ip = parseIp(address);
  const network = parseIp(base ?? '');
  if (ip === undefined || network === undefined || ip.version !== network.version) return false;
  const bits = network.version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return false;
  const shift = BigInt(bits - prefix);
  return ip.value >> shift === network.value >> shift;
}
