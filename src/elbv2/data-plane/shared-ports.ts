/**
 * Listener ports served on 127.0.0.1 as well, so that `http://<DNSName>:<port>/` works as printed.
 *
 * Each load balancer listens on its own loopback address (127.0.2.x), but curl, browsers and
 * glibc's resolver (nss-myhostname) resolve every `*.localhost` name to 127.0.0.1. So each
 * listener port is also served on 127.0.0.1, one socket per port shared by every load balancer
 * listening on that port:
 *   - HTTP (or HTTPS) listeners only: each request goes to the load balancer whose DNSName is the
 *     request's Host (port stripped, case-insensitive; for HTTPS, the certificate is chosen by the
 *     TLS server name the same way); any other Host gets a 404 that names the ones listening there;
 *   - exactly one TCP (or TLS) listener and nothing else: its connections, as on its own address;
 *   - anything else (two network load balancers, or protocols mixed on one port) cannot be told
 *     apart on one socket: the port is not served there, and a notice says to use the addresses.
 * Both data planes use this plan; 127.0.0.1:<port> held by another program is not an error (the
 * load balancers' own addresses still serve), only a notice.
 */
import type { DataPlaneConfig, ListenerConfig, LoadBalancerConfig } from './types.js';

export const sharedAddress = '127.0.0.1';

export interface SharedEntry {
  lb: LoadBalancerConfig;
  listener: ListenerConfig;
}

export interface SharedPort {
  port: number;
  /** http/https: dispatched by Host (and TLS server name); tcp: the one NLB listener's connections. */
  kind: 'http' | 'https' | 'tcp';
  entries: SharedEntry[];
}

export interface SharedPlan {
  ports: SharedPort[];
  /** Ports not served on 127.0.0.1, with why and what to use instead. */
  notices: string[];
}

export function sharedPortPlan(config: DataPlaneConfig): SharedPlan {
  const byPort = new Map<number, SharedEntry[]>();
  const ownedBySomeone = new Set<number>();
  for (const lb of config.loadBalancers) {
    for (const listener of lb.listeners) {
      // UDP is served by neither data plane; a load balancer bound to 127.0.0.1 itself holds the port.
      if (listener.protocol === 'UDP' || listener.protocol === 'TCP_UDP') continue;
      if (lb.address === sharedAddress) ownedBySomeone.add(listener.port);
      const entries = byPort.get(listener.port) ?? [];
      entries.push({ lb, listener });
      byPort.set(listener.port, entries);
    }
  }
  const ports: SharedPort[] = [];
  const notices: string[] = [];
  for (const [port, entries] of [...byPort].sort(([a], [b]) => a - b)) {
    if (ownedBySomeone.has(port)) continue;
    const protocols = new Set(entries.map((entry) => entry.listener.protocol));
    const names = entries.map((entry) => `${entry.lb.name} (${entry.lb.address}:${port})`).join(', ');
    if (protocols.size === 1 && protocols.has('HTTP')) ports.push({ port, kind: 'http', entries });
    else if (protocols.size === 1 && protocols.has('HTTPS')) {
      if (entries.every((entry) => entry.listener.certificate !== undefined)) ports.push({ port, kind: 'https', entries });
    } else if (entries.length === 1) ports.push({ port, kind: 'tcp', entries });
    else {
      notices.push(
        `Port ${port} is not served on ${sharedAddress}: ${entries.length} listeners of different load balancers use it (${names}) ` +
          `and ${[...protocols].some((p) => p === 'TCP' || p === 'TLS') ? 'network load balancer connections carry no host name to tell them apart' : 'HTTP and HTTPS cannot share one socket'}; ` +
          `reach each one at its own address.`,
      );
    }
  }
  return { ports, notices };
}

/** The host a request names: its Host header without the port, lower case, without a final dot. */
export function requestHost(header: string | undefined): string {
  if (header === undefined) return '';
  let host = header.trim().toLowerCase();
  if (host.startsWith('[')) host = host.slice(0, host.indexOf(']') + 1);
  else if (host.includes(':')) host = host.slice(0, host.indexOf(':'));
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/** The entry whose load balancer's DNSName is `host` (as requestHost gives it). */
export function entryForHost(entries: readonly SharedEntry[], host: string): SharedEntry | undefined {
  return entries.find((entry) => entry.lb.dnsName.toLowerCase() === host);
}

/** The body of the 404 a request gets on 127.0.0.1:<port> when its Host names no load balancer there. */
export function unknownHostMessage(host: string, port: number, entries: readonly SharedEntry[], scheme: 'http' | 'https' = 'http'): string {
  const named = host === '' ? 'A request without a Host header' : `Host ${host}`;
  const listening = entries.map((entry) => `${entry.lb.dnsName} (${entry.lb.name}, also at ${entry.lb.address}:${port})`).join(', ');
  return `${named} names no load balancer listening on port ${port} of ${sharedAddress}. ` +
    `Load balancers listening on port ${port}: ${listening}. Use ${scheme}://<DNSName>:${port}/ with one of these names, or the load balancer's own address.\n`;
}

/** Why 127.0.0.1:<port> could not be bound for the load balancers listening on that port. */
export function sharedPortUnavailable(shared: SharedPort, code: string | undefined): string {
  const why = code === 'EADDRINUSE' ? 'another program listens there' : code === 'EACCES' ? 'this process may not bind that port' : `it cannot be bound (${code ?? 'unknown error'})`;
  const names = shared.entries.map((entry) => `${entry.lb.name} at ${entry.lb.address}:${shared.port}`).join(', ');
  return `Port ${shared.port} is not served on ${sharedAddress}: ${why}; its load balancers answer at their own addresses (${names}).`;
}
