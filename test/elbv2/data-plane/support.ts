/**
 * Real targets, real clients and configuration builders for the data-plane conformance suite.
 * Targets are small node:http (or node:net) servers on 127.0.0.1; clients are node:http requests
 * without connection reuse (so each request is routed afresh) and raw sockets.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, connect, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionConfig, ConditionConfig, HealthCheckConfig, ListenerConfig, LoadBalancerConfig, RuleConfig, TargetConfig, TargetGroupConfig } from '../../../src/elbv2/data-plane/types.js';

/** `truncate`: answers 200 with a Content-Length of 1000, sends 10 bytes of it and resets the connection. */
export type TargetMode = 'ok' | 'error500' | 'hang' | 'reset' | 'truncate';

export interface HttpTarget {
  name: string;
  port: number;
  /** Requests the target received (health checks excluded), with their headers. */
  requests: { url: string; headers: IncomingMessage['headers'] }[];
  /** How it answers from now on (its health path included). */
  mode: TargetMode;
  stop(): Promise<void>;
  /** Stops listening (connections are refused) until restart(). */
  refuse(): Promise<void>;
  restart(): Promise<void>;
  config(overrides?: Partial<TargetConfig>): TargetConfig;
}

const healthPath = '/health';

function listen(server: Server | NetServer, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}

function closeServer(server: Server | NetServer, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}

/**
 * An HTTP target: answers JSON {target, url, headers}; `/slow?ms=N` answers after N ms; `/cookie`
 * sets the application cookie `session`; a WebSocket-style upgrade switches protocols and echoes.
 */
export async function startHttpTarget(name: string): Promise<HttpTarget> {
  const sockets = new Set<Socket>();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const isHealth = req.url === healthPath;
    if (!isHealth) target.requests.push({ url: req.url ?? '', headers: req.headers });
    if (target.mode === 'hang') return;
    if (target.mode === 'reset') {
      req.socket.destroy();
      return;
    }
    if (target.mode === 'truncate') {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
      res.write('0123456789', () => setTimeout(() => req.socket.resetAndDestroy(), 20));
      return;
    }
    if (target.mode === 'error500') {
      req.resume();
      res.writeHead(500).end('broken');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = Buffer.concat(chunks).toString('utf8');
      const body = JSON.stringify({ target: name, url: req.url, headers: req.headers, method: req.method, bodyLength: received.length, bodyStart: received.slice(0, 32) });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (req.url === '/cookie') headers['set-cookie'] = 'session=abc; Path=/';
      if (req.url === '/chunked') {
        // Sent in pieces without a length: chunked transfer encoding.
        res.writeHead(200, headers);
        res.write(body.slice(0, 10));
        setTimeout(() => res.end(body.slice(10)), 20);
        return;
      }
      const slow = /^\/slow\?ms=(\d+)/.exec(req.url ?? '');
      const answer = (): void => {
        res.writeHead(200, headers).end(body);
      };
      if (slow !== null) setTimeout(answer, Number(slow[1]));
      else answer();
    });
  };
  let server = createServer(handler);
  const attach = (s: Server): void => {
    s.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    s.on('upgrade', (req: IncomingMessage, socket: Socket) => {
      target.requests.push({ url: req.url ?? '', headers: req.headers });
      // A well-formed handshake (RFC 6455 §4.2.2): a proxy may check Sec-WebSocket-Accept, as clients do.
      const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'] ?? '')}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.on('data', (data) => socket.write(`${name}:${data.toString()}`));
      socket.on('error', () => socket.destroy());
    });
  };
  attach(server);
  const port = await listen(server);
  const target: HttpTarget = {
    name,
    port,
    requests: [],
    mode: 'ok',
    stop: () => closeServer(server, sockets),
    refuse: () => closeServer(server, sockets),
    restart: async () => {
      server = createServer(handler);
      attach(server);
      await listen(server, port);
    },
    config: (overrides = {}) => ({ id: `i-${name}`, address: '127.0.0.1', port, state: 'registered', registeredAt: Date.now(), ...overrides }),
  };
  return target;
}

/** A TCP target that answers every chunk with `<name>:<chunk>`. */
export async function startTcpTarget(name: string): Promise<{ name: string; port: number; connections: number; stop(): Promise<void>; config(overrides?: Partial<TargetConfig>): TargetConfig }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    result.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.on('data', (data) => socket.write(`${name}:${data.toString()}`));
  });
  const port = await listen(server);
  const result = {
    name,
    port,
    connections: 0,
    stop: () => closeServer(server, sockets),
    config: (overrides: Partial<TargetConfig> = {}): TargetConfig => ({ id: `i-${name}`, address: '127.0.0.1', port, state: 'registered', registeredAt: Date.now(), ...overrides }),
  };
  return result;
}

/** A port free on 127.0.0.1 right now, for a listener on a load balancer's own address. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let nextAddress = 10 + Math.floor(Math.random() * 200);
/** A loopback address of the 127.0.2.0/24 range load balancers bind (Linux answers on all of 127/8). */
export function lbAddress(): string {
  nextAddress = nextAddress >= 250 ? 10 : nextAddress + 1;
  return `127.0.2.${nextAddress}`;
}

export interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  json(): { target: string; url: string; headers: Record<string, string>; method: string; bodyLength: number; bodyStart: string };
}

export function send(url: string, options: { method?: string; headers?: Record<string, string>; timeoutMs?: number; body?: string; agent?: Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body, json: () => JSON.parse(body) as ReturnType<Reply['json']> });
      });
      response.on('error', reject);
    });
    outgoing.setTimeout(options.timeoutMs ?? 15_000, () => outgoing.destroy(new Error(`no answer from ${url} within ${options.timeoutMs ?? 15_000} ms`)));
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

/** Sends `data` on a fresh TCP connection and resolves with the first answer. */
export function tcpExchange(host: string, port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(10_000, () => socket.destroy(new Error('no TCP answer within 10 s')));
    socket.once('connect', () => socket.write(data));
    socket.once('data', (chunk) => {
      socket.end();
      resolve(chunk.toString());
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('connection closed without an answer')));
  });
}

/** Polls `probe` until it returns a value other than undefined, or fails with `what` after the deadline. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = 20_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what}: not within ${deadlineMs} ms${last === undefined ? '' : ` (last error: ${String(last)})`}`);
}

export const fastHealthCheck: HealthCheckConfig = {
  enabled: true,
  protocol: 'HTTP',
  port: 'traffic-port',
  path: healthPath,
  matcher: '200',
  intervalSeconds: 1,
  timeoutSeconds: 1,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
};

let serial = 0;
export function targetGroup(targets: TargetConfig[], overrides: Partial<TargetGroupConfig> = {}): TargetGroupConfig {
  serial++;
  return {
    arn: `arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/conformance-${serial}/${(1000 + serial).toString(16).padStart(16, '0')}`,
    name: `conformance-${serial}`,
    protocol: 'HTTP',
    targetType: 'instance',
    algorithm: 'round_robin',
    stickiness: { enabled: false, type: 'lb_cookie', durationSeconds: 86400 },
    slowStartSeconds: 0,
    deregistrationDelaySeconds: 30,
    healthCheck: fastHealthCheck,
    targets,
    ...overrides,
  };
}

export function forward(...groups: TargetGroupConfig[]): ActionConfig {
  return { type: 'forward', targetGroups: groups.map((group) => ({ targetGroupArn: group.arn, weight: 1 })) };
}

export function rule(priority: number | 'default', conditions: ConditionConfig[], action: ActionConfig): RuleConfig {
  return { arn: `arn:aws:elasticloadbalancing:us-east-1:111122223333:listener-rule/app/conformance/0/0/${priority}`, priority, conditions, actions: [action] };
}

export function listener(port: number, rules: RuleConfig[], overrides: Partial<ListenerConfig> = {}): ListenerConfig {
  return { arn: `arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/conformance/0/${port}`, port, protocol: 'HTTP', rules, ...overrides };
}

export function loadBalancer(address: string, listeners: ListenerConfig[], overrides: Partial<LoadBalancerConfig> = {}): LoadBalancerConfig {
  serial++;
  return {
    arn: `arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/conformance-${serial}/${(5000 + serial).toString(16).padStart(16, '0')}`,
    name: `conformance-${serial}`,
    type: 'application',
    address,
    dnsName: `conformance-${serial}.us-east-1.elb.localhost`,
    idleTimeoutSeconds: 60,
    listeners,
    ...overrides,
  };
}

/** A self-signed certificate for localhost made with openssl, or undefined when openssl is missing. */
export function selfSignedCertificate(): { certificatePem: string; privateKeyPem: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'berth-lb-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    return { certificatePem: readFileSync(join(dir, 'cert.pem'), 'utf8'), privateKeyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface RawExchange {
  /** What the client wrote and read on its connection, in bytes. */
  bytes: number;
  answer: string;
  /** Open when asked to stay (the answer is complete); closed otherwise. */
  socket: Socket;
}

/**
 * Writes `data` on a connection of its own and reads the answer: until the connection closes or,
 * with `stayOpen`, until one complete HTTP answer (its head, and its Content-Length body or last chunk) is in.
 */
export function rawExchange(host: string, port: number, data: string, stayOpen = false): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let answer = '';
    const done = (): void => resolve({ bytes: socket.bytesRead + socket.bytesWritten, answer, socket });
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer from ${host}:${port} within 10 s`)));
    socket.once('connect', () => socket.write(data));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (!stayOpen) return;
      const headEnd = answer.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const length = /\r\ncontent-length: *(\d+)/i.exec(answer.slice(0, headEnd));
      const complete = length === null ? answer.endsWith('\r\n0\r\n\r\n') : answer.length >= headEnd + 4 + Number(length[1]);
      if (complete) {
        socket.setTimeout(0);
        done();
      }
    });
    socket.once('error', reject);
    socket.once('close', () => (stayOpen ? reject(new Error(`${host}:${port} closed the connection before a complete answer`)) : done()));
  });
}
