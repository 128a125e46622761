/**
 * ALB's access log for the haproxy data plane. haproxy cannot append to one file per load
 * balancer, so each HTTP(S) frontend of a load balancer with an access log sends one record per
 * request, as a raw syslog datagram, to a UDP socket on loopback that the driver reads
 * (AccessLogReceiver); the driver writes each record as the embedded data plane does
 * (../embedded/access-log.ts: same fields, same order, same file). Records sent while no control
 * plane reads them (it is down) are lost; the traffic is not affected.
 *
 * A record holds ALB's fields in ALB's order, as far as haproxy knows them, each one word (free
 * text in base64, `-` for none); the rest (the load balancer, rule priority, action, target
 * group ARN) comes from the configuration the driver applied:
 *
 *   frontend  accept-time-ms  total-ms  client-ip client-port  target-ip target-port
 *   target-response-ms  elb-status  target-status  received-bytes  sent-bytes
 *   method  base64(url)  version  base64(host)  base64(user-agent)  base64(trace-id)
 *   rule-index  backend  base64(location)  termination-state
 */
import { createSocket, type Socket } from 'node:dgram';
import type { DataPlaneConfig, ListenerConfig, LoadBalancerConfig } from '../types.js';
import { AccessLogs, type AccessLogEntry } from '../embedded/access-log.js';
import { backendName, checkedBackendOf } from './names.js';

/** The frontend lines that set what a record needs and send it to `target` (host:port). */
export function accessLogLines(target: string): { request: string[]; response: string[]; afterResponse: string[]; log: string[] } {
  const format = [
    '%f', '%Ts%ms', '%Ta', '%ci', '%cp', '%si', '%sp', '%Tr', '%ST', '%[var(txn.log_ts)]', '%U', '%B',
    '%HM', '%[var(txn.log_url)]', '%HV', '%[var(txn.log_host)]', '%[var(txn.log_ua)]', '%[var(txn.log_trace)]',
    '%[var(txn.rule)]', '%[var(txn.be)]', '%[var(txn.log_location)]', '%ts',
  ].join(' ');
  return {
    log: [`log ${target} format raw local0 info`, `log-format "${format}"`],
    // After the trace id is set: ALB logs the one it forwarded.
    request: [
      'http-request set-var(txn.log_url) url,base64',
      'http-request set-var(txn.log_host) req.hdr(host),base64',
      'http-request set-var(txn.log_ua) req.fhdr(user-agent),base64',
      'http-request set-var(txn.log_trace) req.hdr(x-amzn-trace-id),base64',
    ],
    response: ['http-response set-var(txn.log_ts) status'],
    afterResponse: ['http-after-response set-var(txn.log_location) res.hdr(location),base64'],
  };
}

interface Record {
  frontend: string;
  acceptMs: number;
  totalMs: number;
  clientIp: string;
  clientPort: string;
  targetIp: string;
  targetPort: string;
  targetResponseMs: number;
  elbStatus: number;
  targetStatus: number | undefined;
  receivedBytes: number;
  sentBytes: number;
  method: string;
  url: string;
  version: string;
  host: string;
  userAgent: string;
  traceId: string;
  ruleIndex: number | undefined;
  backend: string | undefined;
  location: string | undefined;
  termination: string;
}

const text = (word: string | undefined): string => (word === undefined || word === '-' ? '' : Buffer.from(word, 'base64').toString('latin1'));
const optional = (word: string | undefined): string | undefined => (word === undefined || word === '-' ? undefined : word);

/** One record as haproxy sent it (a syslog message in raw format), or undefined when it is not one. */
export function parseRecord(message: string): Record | undefined {
  const words = message.trim().split(' ');
  if (words.length !== 22) return undefined;
  const [frontend, accept, total, clientIp, clientPort, targetIp, targetPort, tr, st, ts, u, b, method, url, version, host, ua, trace, rule, backend, location, termination] = words as string[] as [string, ...string[]];
  const acceptMs = Number(accept);
  if (!Number.isFinite(acceptMs)) return undefined;
  return {
    frontend,
    acceptMs,
    totalMs: Math.max(0, Number(total) || 0),
    clientIp: clientIp ?? '-',
    clientPort: clientPort ?? '-',
    targetIp: targetIp ?? '-',
    targetPort: targetPort ?? '-',
    targetResponseMs: Number(tr ?? -1),
    elbStatus: Number(st),
    targetStatus: optional(ts) === undefined ? undefined : Number(ts),
    receivedBytes: Number(u) || 0,
    sentBytes: Number(b) || 0,
    method: method ?? '-',
    url: text(url),
    version: version ?? 'HTTP/1.1',
    host: text(host),
    userAgent: text(ua),
    traceId: text(trace),
    ruleIndex: optional(rule) === undefined ? undefined : Number(rule),
    backend: optional(backend),
    location: optional(location) === undefined ? undefined : text(location),
    termination: termination ?? '--',
  };
}

/** What the driver applied that a record refers to: each frontend's load balancer and listener, each backend's target group. */
export interface AccessLogContext {
  frontends: Map<string, { lb: LoadBalancerConfig; listener: ListenerConfig }>;
  targetGroupOfBackend: Map<string, string>;
}

export function accessLogContext(config: DataPlaneConfig, listeners: readonly { listenerArn: string; frontend: string }[]): AccessLogContext {
  const byArn = new Map<string, { lb: LoadBalancerConfig; listener: ListenerConfig }>();
  for (const lb of config.loadBalancers) for (const listener of lb.listeners) byArn.set(listener.arn, { lb, listener });
  const frontends = new Map<string, { lb: LoadBalancerConfig; listener: ListenerConfig }>();
  for (const { listenerArn, frontend } of listeners) {
    const found = byArn.get(listenerArn);
    if (found !== undefined && found.lb.accessLogPath !== undefined) frontends.set(frontend, found);
  }
  return { frontends, targetGroupOfBackend: new Map(config.targetGroups.map((group) => [backendName(group.arn, group.name), group.arn])) };
}

/**
 * A record as ALB's entry. haproxy's termination state says why there was no answer from the
 * target: a server-side timeout (`sH`, `sD`…) is ALB's TargetTimeout, a connection refused or
 * reset (`SC`, `SH`…) its TargetConnectionError.
 */
export function toEntry(record: Record, context: AccessLogContext): { path: string; entry: AccessLogEntry } | undefined {
  const found = context.frontends.get(record.frontend);
  const path = found?.lb.accessLogPath;
  if (found === undefined || path === undefined) return undefined;
  const { lb, listener } = found;
  const scheme = listener.protocol === 'HTTPS' ? 'https' : 'http';
  const rule = record.ruleIndex === undefined ? undefined : listener.rules[record.ruleIndex - 1];
  const action = rule?.actions.at(-1)?.type ?? 'forward';
  const target = record.targetIp === '-' || record.targetPort === '-' ? undefined : `${record.targetIp}:${record.targetPort}`;
  const origin = record.termination[0];
  const errorReason = target === undefined || record.targetStatus !== undefined ? undefined : origin === 's' ? 'TargetTimeout' : origin === 'S' ? 'TargetConnectionError' : undefined;
  const entry: AccessLogEntry = {
    type: scheme,
    time: new Date(record.acceptMs + record.totalMs),
    elb: lb.arn.slice(lb.arn.indexOf('loadbalancer/') + 'loadbalancer/'.length),
    client: `${record.clientIp}:${record.clientPort}`,
    target,
    requestStart: record.acceptMs,
    targetSeconds: record.targetResponseMs < 0 || target === undefined ? -1 : record.targetResponseMs / 1000,
    elbStatus: record.elbStatus,
    targetStatus: target === undefined ? undefined : record.targetStatus,
    receivedBytes: record.receivedBytes,
    sentBytes: record.sentBytes,
    request: `${record.method} ${scheme}://${record.host === '' ? lb.address : record.host}${record.url} ${record.version}`,
    userAgent: record.userAgent,
    targetGroupArn: record.backend === undefined || action !== 'forward' ? undefined : context.targetGroupOfBackend.get(checkedBackendOf(record.backend)),
    traceId: record.traceId,
    domain: '',
    rulePriority: rule === undefined || rule.priority === 'default' ? '0' : String(rule.priority),
    action,
    redirectUrl: action === 'redirect' ? record.location : undefined,
    errorReason,
  };
  return { path, entry };
}

/**
 * The UDP socket haproxy sends its records to, on 127.0.0.1. It binds the port it is asked for
 * (the one in haproxy's running configuration) when it can, otherwise any free port, which the
 * next configuration then names.
 */
export class AccessLogReceiver {
  private context: AccessLogContext = { frontends: new Map(), targetGroupOfBackend: new Map() };
  private readonly files = new AccessLogs();

  private constructor(private readonly socket: Socket, readonly port: number) {
    socket.on('message', (message) => this.receive(message.toString('latin1')));
    socket.on('error', () => undefined);
  }

  static async open(preferredPort: number | undefined): Promise<AccessLogReceiver> {
    const bind = (port: number) =>
      new Promise<Socket>((resolve, reject) => {
        const socket = createSocket('udp4');
        socket.once('error', reject);
        socket.bind(port, '127.0.0.1', () => {
          socket.off('error', reject);
          resolve(socket);
        });
      });
    let socket: Socket;
    try {
      socket = await bind(preferredPort ?? 0);
    } catch {
      socket = await bind(0);
    }
    socket.unref();
    return new AccessLogReceiver(socket, socket.address().port);
  }

  get target(): string {
    return `127.0.0.1:${this.port}`;
  }

  configure(context: AccessLogContext): void {
    this.context = context;
    this.files.keepOnly(new Set([...context.frontends.values()].map(({ lb }) => lb.accessLogPath as string)));
  }

  close(): void {
    this.files.keepOnly(new Set());
    this.socket.close();
  }

  private receive(message: string): void {
    const record = parseRecord(message);
    if (record === undefined) return;
    const written = toEntry(record, this.context);
    if (written !== undefined) this.files.write(written.path, written.entry);
  }
}
