/**
 * What data-plane tests need around a DataPlane: real HTTP targets (node:http on ephemeral ports)
 * whose health answer and delay a test can change, a client with keep-alive that can say which
 * connection served a request, configuration builders with ELB's defaults, and `eventually` to
 * wait on the data plane's own health checks (real time: they run in another process).
 */
import { createServer, request, Agent, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { DataPlaneConfig, LoadBalancerConfig, RuleConfig, TargetConfig, TargetGroupConfig } from '../../../src/elbv2/data-plane/types.js';

export interface Target {
  name: string;
  port: number;
  /** Status the health path answers. */
  healthStatus: number;
  /** Milliseconds each ordinary request waits before answering. */
  delayMs: number;
  /** Ordinary requests get their connection reset instead of an answer. */
  reset: boolean;
  requests: number;
  close(): Promise<void>;
}

export interface Echo {
  target: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export async function startTarget(name: string): Promise<Target> {
  const target: Target = { name, port: 0, healthStatus: 200, delayMs: 0, reset: false, requests: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    if (req.url === '/health') {
      res.statusCode = target.healthStatus;
      res.end(String(target.healthStatus));
      return;
    }
    target.requests++;
    if (target.reset) {
      req.socket.resetAndDestroy();
      return;
    }
    const answer = () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ target: name, method: req.method ?? '', url: req.url ?? '', headers: req.headers } satisfies Echo));
    };
    if (target.delayMs > 0) setTimeout(answer, target.delayMs);
    else answer();
  });
  server.keepAliveTimeout = 120_000;
  // WebSocket upgrades: each message comes back prefixed with the target's name.
  const sockets = new WebSocketServer({ server });
  sockets.on('connection', (socket) => socket.on('message', (data) => socket.send(`${name}:${String(data)}`)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.port = (server.address() as AddressInfo).port;
  target.close = () =>
    new Promise((resolve) => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return target;
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The client's local port: the same one on two replies means the same connection. */
  localPort: number;
}

export function get(url: string, options: { agent?: Agent; headers?: Record<string, string>; method?: string; timeoutMs?: number } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: options.agent ?? false, headers: options.headers, method: options.method ?? 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), localPort: req.socket?.localPort ?? 0 }));
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

export function targetOf(reply: Reply): string {
  return (JSON.parse(reply.body) as Echo).target;
}

/** A loopback address and a port free on it, so tests running side by side do not collide. */
export async function freeListenerAddress(): Promise<{ address: string; port: number }> {
  const address = `127.0.${2 + Math.floor(Math.random() * 200)}.${2 + Math.floor(Math.random() * 250)}`;
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, address, resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return { address, port };
}

/** Polls `check` until it passes (the data plane's checks run on their own real-time schedule). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

let serial = 0;

export function targetConfig(target: Target, overrides: Partial<TargetConfig> = {}): TargetConfig {
  return { id: `i-${target.name}`, address: '127.0.0.1', port: target.port, state: 'registered', registeredAt: Date.now(), ...overrides };
}

export function targetGroup(name: string, targets: TargetConfig[], overrides: Partial<TargetGroupConfig> = {}): TargetGroupConfig {
  return {
    arn: `arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/${name}/${(++serial).toString(16).padStart(16, '0')}`,
    name,
    protocol: 'HTTP',
    targetType: 'instance',
    algorithm: 'round_robin',
    stickiness: { enabled: false, type: 'lb_cookie', durationSeconds: 86400 },
    slowStartSeconds: 0,
    deregistrationDelaySeconds: 300,
    // Fast checks so tests see transitions in a second or two (ELB's API enforces its own minimums).
    healthCheck: { enabled: true, protocol: 'HTTP', port: 'traffic-port', path: '/health', matcher: '200', intervalSeconds: 1, timeoutSeconds: 1, healthyThreshold: 2, unhealthyThreshold: 2 },
    targets,
    ...overrides,
  };
}

export function forward(group: TargetGroupConfig, priority: number | 'default' = 'default', conditions: RuleConfig['conditions'] = []): RuleConfig {
  return { arn: `${group.arn}/rule/${priority}`, priority, conditions, actions: [{ type: 'forward', targetGroups: [{ targetGroupArn: group.arn, weight: 1 }] }] };
}

export function loadBalancer(name: string, where: { address: string; port: number }, rules: RuleConfig[], overrides: Partial<LoadBalancerConfig> = {}): LoadBalancerConfig {
  const arn = `arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/${name}/${(++serial).toString(16).padStart(16, '0')}`;
  return {
    arn,
    name,
    type: 'application',
    address: where.address,
    dnsName: `${name}.us-east-1.elb.localhost`,
    idleTimeoutSeconds: 60,
    listeners: [{ arn: `${arn.replace(':loadbalancer/', ':listener/')}/${where.port}`, port: where.port, protocol: 'HTTP', rules }],
    ...overrides,
  };
}

export function config(loadBalancers: LoadBalancerConfig[], targetGroups: TargetGroupConfig[]): DataPlaneConfig {
  return { loadBalancers, targetGroups };
}
