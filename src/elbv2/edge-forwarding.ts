/**
 * A load balancer through the edge port: a request whose Host header is a load balancer's DNS
 * name (`<name>-<id>.<region>.elb.localhost`, with or without the edge's port) is forwarded as it
 * came to that load balancer's own address, to its listener on port 80 when it has one, else to
 * its lowest-numbered HTTP listener. The port in the Host header is the edge's own and names no
 * listener; to reach another listener, use `http://<DNSName>:<port>/` or the load balancer's address.
 *
 * Only the routing is the edge's: rules, health and the X-Forwarded-* headers are the data plane's,
 * which sees the request exactly as a client of the load balancer's address would send it.
 */
import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/types.js';

export const elbHostSuffix = '.elb.localhost';

export interface ForwardTarget {
  address: string;
  port: number;
}

/** The host name of a Host header, lower-cased, without its port. */
export function hostNameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  return host.replace(/:\d+$/, '').toLowerCase();
}

/** Which listener the edge forwards to: port 80 when the load balancer has one, else its lowest HTTP listener. */
export function edgeListenerPort(listeners: readonly { port: number; protocol: string }[]): number | undefined {
  const http = listeners.filter((listener) => listener.protocol === 'HTTP').map((listener) => listener.port).sort((a, b) => a - b);
  return http.includes(80) ? 80 : http[0];
}

/** DNS name → where its edge listener is, read from the store and kept until a load balancer or listener changes. */
export class LoadBalancerHosts {
  private cache: Promise<Map<string, ForwardTarget | undefined>> | undefined;
  private readonly subscription;

  constructor(private readonly store: Store) {
    this.subscription = store.changes.watch({ kinds: ['loadBalancer', 'listener'] }, () => (this.cache = undefined));
  }

  async resolve(hostName: string): Promise<ForwardTarget | undefined | 'no-listener'> {
    this.cache ??= this.read();
    const byName = await this.cache;
    if (!byName.has(hostName)) return undefined;
    return byName.get(hostName) ?? 'no-listener';
  }

  /** Reads the store again at the next request (after a reset, which deletes without changes to watch). */
  forget(): void {
    this.cache = undefined;
  }

  close(): void {
    this.subscription.close();
  }

  private read(): Promise<Map<string, ForwardTarget | undefined>> {
    return this.store.read(async (tx) => {
      const byName = new Map<string, ForwardTarget | undefined>();
      for (const lb of await tx.loadBalancers.all()) {
        const port = edgeListenerPort(await tx.listeners.forLoadBalancer(lb.arn));
        byName.set(lb.dnsName.toLowerCase(), port === undefined ? undefined : { address: lb.address, port });
      }
      return byName;
    });
  }
}

function answer(response: ServerResponse, status: number, text: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** Forwards one request and its answer, streaming both ways, over a keep-alive agent. */
function forward(incoming: IncomingMessage, response: ServerResponse, target: ForwardTarget, agent: Agent): void {
  const outgoing = httpRequest({ host: target.address, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers, agent }, (upstream) => {
    response.writeHead(upstream.statusCode ?? 502, upstream.rawHeaders as unknown as Record<string, string>);
    upstream.pipe(response);
    upstream.on('error', () => response.destroy());
  });
  outgoing.on('error', (error) => answer(response, 502, `The load balancer at ${target.address}:${target.port} did not answer: ${error.message}\n`));
  response.on('close', () => {
    if (!response.writableFinished) outgoing.destroy();
  });
  incoming.pipe(outgoing);
}

/** Adds the Host-header forwarding to the edge, before any route sees the request. */
export function forwardByHost(app: FastifyInstance, hosts: LoadBalancerHosts): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  app.addHook('onRequest', async (request, reply) => {
    const hostName = hostNameOf(request.headers.host);
    if (!hostName?.endsWith(elbHostSuffix)) return;
    const target = await hosts.resolve(hostName);
    reply.hijack();
    if (target === undefined) return answer(reply.raw, 404, `No load balancer has the DNS name ${hostName}.\n`);
    if (target === 'no-listener') {
      return answer(reply.raw, 503, `The load balancer ${hostName} has no HTTP listener to forward to; create one (port 80 is the one the edge port forwards to).\n`);
    }
    forward(request.raw, reply.raw, target, agent);
  });
  return agent;
}
