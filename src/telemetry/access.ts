/**
 * Who may read /metrics. The metrics say what runs and how busy it is, and a scraper cannot sign
 * its requests, so the endpoint answers only the addresses listed: loopback (127.0.0.0/8, ::1)
 * unless `--metrics-allow` names others. The list replaces the default rather than adding to it,
 * so an operator can also shut loopback out.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export const defaultMetricsAllow = ['127.0.0.0/8', '::1/128'] as const;

export interface MetricsAccess {
  /** The ranges as given, for messages. */
  readonly ranges: readonly string[];
  allows(address: string): boolean;
}

/** Parses one range: an address with an optional /prefix. Undefined when it is not one. */
function rangeOf(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  if (!family) return undefined;
  const max = family === 'ipv4' ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= max ? { address, prefix, family } : undefined;
}

/** The problems with a list of ranges (empty when every one reads). */
export function metricsAllowProblems(ranges: readonly string[]): string[] {
  if (ranges.length === 0) return ['metrics-allow must name at least one address range, such as 127.0.0.1/32 or 10.0.0.0/8'];
  return ranges.filter((range) => rangeOf(range) === undefined).map((range) => `metrics-allow takes IPv4 or IPv6 address ranges such as 10.0.0.0/8 or ::1/128, got '${range}'`);
}

/** "10.0.0.0/8, ::1" → ["10.0.0.0/8", "::1"]. */
export function metricsAllowList(value: string): string[] {
  return value
    .split(',')
    .map((range) => range.trim())
    .filter((range) => range.length > 0);
}

export function metricsAccess(ranges: readonly string[] = defaultMetricsAllow): MetricsAccess {
  const problems = metricsAllowProblems(ranges);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const list = new BlockList();
  for (const text of ranges) {
    const range = rangeOf(text)!;
    list.addSubnet(range.address, range.prefix, range.family);
  }
  return {
    ranges,
    allows(address) {
      // An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d.
      const plain = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
      if (isIPv4(plain)) return list.check(plain, 'ipv4');
      return isIPv6(plain) && list.check(plain, 'ipv6');
    },
  };
}
