/**
 * The bridge network awsvpc tasks live on. Each awsvpc task gets a pause container holding its
 * network namespace with its own address on this network (its "elastic network interface");
 * the task's containers join that namespace.
 */
import { labels, type ContainerRuntime } from './types.js';

export const awsvpcNetworkName = 'berth-awsvpc';
export const defaultAwsvpcSubnet = '10.221.0.0/16';

/** The gateway Docker gives a bridge network: the first host address of its subnet. */
export function gatewayOf(subnet: string): string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(subnet.trim());
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : NaN;
  if (octets.length !== 4 || octets.some((octet) => octet > 255) || !(prefix >= 1 && prefix <= 30)) {
    throw new Error(`Invalid IPv4 subnet '${subnet}': expected CIDR notation such as ${defaultAwsvpcSubnet}, with a prefix from /1 to /30.`);
  }
  const address = octets.reduce((value, octet) => value * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  const gateway = Math.floor(address / size) * size + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(gateway / 2 ** shift) % 256).join('.');
}

/** Creates the awsvpc network when absent, labelled with the creating agent's data directory; answers its gateway and subnet. */
export function ensureAwsvpcNetwork(runtime: ContainerRuntime, subnet = defaultAwsvpcSubnet, agentDataDir?: string): Promise<{ gateway: string; subnet: string }> {
  return runtime.ensureNetwork(awsvpcNetworkName, subnet, agentDataDir ? { [labels.agentDataDir]: agentDataDir } : {});
}
