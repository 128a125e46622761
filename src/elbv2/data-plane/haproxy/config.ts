/**
 * DataPlaneConfig → haproxy.cfg, as a pure function (no I/O, no clock).
 *
 * The result separates what needs a reload from what the runtime API changes in place:
 *   - `skeleton`: the file without its `server` lines (global settings, frontends, rules,
 *     backends' settings and their servers' options). A different skeleton means a reload.
 *   - `servers`: each backend's desired servers. These are applied with `add server`,
 *     `set server … state`, `del server`, never with a reload; they are also written into the
 *     file so that a reload or a restart starts with them.
 */
import { join } from 'node:path';
import type { DataPlaneConfig, ListenerConfig, LoadBalancerConfig, TargetGroupConfig } from '../types.js';
import { renderTargetGroup, serverLine, type ServerSpec } from './backend.js';
import { renderHttpFrontend, renderTcpFrontend } from './frontend.js';
import { frontendName } from './names.js';
import { quotedWord } from './words.js';
import { badGatewayBody } from './error-pages.js';
import { sharedPortPlan, sharedPortUnavailable } from '../shared-ports.js';
import { relaySocketPath, renderSharedPort } from './shared-frontend.js';
import { renderTls, type RenderedTls } from './tls.js';

export interface RenderOptions {
  /** Where the sockets, pid file, server state and certificates live. */
  stateDir: string;
  /** Worker threads (`nbthread`); haproxy's own default, one per core, when absent. */
  threads?: number;
  /** The key AWSALB cookie values are derived from (kept in the state directory). */
  cookieKey: string;
  /** host:port of the access-log receiver (access-log.ts); without it, no frontend logs. */
  accessLogTarget?: string;
  /** Listeners left out (their bind failed, or they cannot be served): ARN → why. */
  skipListeners?: ReadonlyMap<string, string>;
  /** Ports 127.0.0.1 cannot serve (held by another program): port → the bind error's code. */
  skipSharedPorts?: ReadonlyMap<number, string | undefined>;
}

export interface RenderedListener {
  listenerArn: string;
  frontend: string;
  address: string;
  port: number;
}

export interface RenderedConfig {
  text: string;
  skeleton: string;
  /** Backend name → desired servers. */
  servers: Record<string, ServerSpec[]>;
  listeners: RenderedListener[];
  /** Listeners that cannot be served by haproxy, with what to do. */
  unsupported: { listenerArn: string; message: string }[];
  /** Files the configuration refers to (certificates): path → content. */
  files: Record<string, string>;
  /** Listener ports served on 127.0.0.1 as well (../shared-ports.ts). */
  sharedPorts: number[];
  /** Ports not served there, and why. */
  sharedPortNotices: string[];
}

export function runtimePaths(stateDir: string) {
  return {
    config: join(stateDir, 'haproxy.cfg'),
    pidFile: join(stateDir, 'haproxy.pid'),
    masterSocket: join(stateDir, 'master.sock'),
    adminSocket: join(stateDir, 'admin.sock'),
    serverState: join(stateDir, 'servers.state'),
    certificates: join(stateDir, 'certs'),
  };
}

function globalSection(stateDir: string, threads: number | undefined): string[] {
  const paths = runtimePaths(stateDir);
  return [
    'global',
    '  master-worker',
    ...(threads === undefined ? [] : [`  nbthread ${threads}`]),
    // expose-fd: a reloaded worker takes the listening sockets over from the old one, so no
    // connection is refused during a reload.
    `  stats socket ${paths.adminSocket} mode 600 level admin expose-fd listeners`,
    `  server-state-file ${paths.serverState}`,
    // An old worker keeps serving its in-flight requests after a reload; this bounds how long.
    '  hard-stop-after 15m',
    // ELB does not verify its targets' certificates (health checks and traffic alike).
    '  ssl-server-verify none',
    '',
    'defaults',
    '  timeout connect 10s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  load-server-state-from-file global',
    // ALB does not retry a target that refuses or resets the connection: the client gets 502 at
    // once. haproxy would retry (a second apart) and then answer 503; the frontend turns that 503
    // into ALB's 502 (frontend.ts), with this body.
    '  retries 0',
    `  http-error status 503 content-type text/html string ${quotedWord(badGatewayBody)}`,
    '',
  ];
}

function usesOf(config: DataPlaneConfig): Map<string, LoadBalancerConfig[]> {
  const uses = new Map<string, LoadBalancerConfig[]>();
  for (const lb of config.loadBalancers) {
    for (const listener of lb.listeners) {
      for (const rule of listener.rules) {
        for (const action of rule.actions) {
          if (action.type !== 'forward') continue;
          for (const { targetGroupArn } of action.targetGroups) {
            const list = uses.get(targetGroupArn) ?? [];
            if (!list.includes(lb)) list.push(lb);
            uses.set(targetGroupArn, list);
          }
        }
      }
    }
  }
  return uses;
}

/** Target groups some listener forwards to (ELB reports the others' targets as unused). */
export function targetGroupsInUse(config: DataPlaneConfig): Set<string> {
  return new Set(usesOf(config).keys());
}

export function renderConfig(config: DataPlaneConfig, options: RenderOptions): RenderedConfig {
  const groups = new Map<string, TargetGroupConfig>(config.targetGroups.map((g) => [g.arn, g]));
  const uses = usesOf(config);
  const skeleton: string[] = globalSection(options.stateDir, options.threads);
  const text: string[] = [...skeleton];
  const servers: Record<string, ServerSpec[]> = {};
  const listeners: RenderedListener[] = [];
  const unsupported: RenderedConfig['unsupported'] = [];
  const files: Record<string, string> = {};
  const bound = new Map<string, string>();

  // First which listeners are served, then which of their ports 127.0.0.1 serves too (their
  // frontends then also bind the relay socket), then the frontends.
  const served: { lb: LoadBalancerConfig; listener: ListenerConfig; tls?: RenderedTls }[] = [];
  for (const lb of config.loadBalancers) {
    for (const listener of lb.listeners) {
      const skipped = options.skipListeners?.get(listener.arn);
      if (skipped !== undefined) continue;
      if (listener.protocol === 'UDP' || listener.protocol === 'TCP_UDP') {
        unsupported.push({ listenerArn: listener.arn, message: `Listener ${lb.address}:${listener.port}: ${listener.protocol} listeners are not supported by the haproxy data plane; use a TCP listener.` });
        continue;
      }
      const where = `${lb.address}:${listener.port}`;
      const holder = bound.get(where);
      if (holder !== undefined) {
        unsupported.push({ listenerArn: listener.arn, message: `Port ${listener.port} on ${lb.address} is already used by listener ${holder}; choose another port.` });
        continue;
      }
      bound.set(where, listener.arn);
      let tls: RenderedTls | undefined;
      if (listener.protocol === 'HTTPS' || listener.protocol === 'TLS') {
        tls = renderTls(listener, runtimePaths(options.stateDir).certificates);
        if (tls === undefined) {
          unsupported.push({ listenerArn: listener.arn, message: `A ${listener.protocol} listener needs a certificate; import one and set it as the listener's default certificate.` });
          continue;
        }
        Object.assign(files, tls.files);
      }
      served.push({ lb, listener, ...(tls === undefined ? {} : { tls }) });
    }
  }

  const servedConfig: DataPlaneConfig = {
    loadBalancers: config.loadBalancers.map((lb) => ({ ...lb, listeners: lb.listeners.filter((l) => served.some((s) => s.listener === l)) })),
    targetGroups: config.targetGroups,
  };
  const plan = sharedPortPlan(servedConfig);
  const sharedPorts = plan.ports.filter((port) => !options.skipSharedPorts?.has(port.port));
  const relayed = new Set(sharedPorts.flatMap((port) => port.entries.map((entry) => entry.listener)));
  const frontendOf = new Map<ListenerConfig, string>();

  for (const { lb, listener, tls } of served) {
    const name = frontendName(lb.name, lb.address, listener.port);
    frontendOf.set(listener, name);
    const context = {
      loadBalancer: lb, listener, targetGroups: groups,
      ...(tls !== undefined ? { tlsBindOptions: tls.bindOptions } : {}),
      ...(options.accessLogTarget !== undefined ? { accessLogTarget: options.accessLogTarget } : {}),
      ...(relayed.has(listener) ? { relaySocket: relaySocketPath(options.stateDir, name) } : {}),
    };
    const body = lb.type === 'application' ? renderHttpFrontend(context) : renderTcpFrontend(context);
    const section = [`# listener ${listener.arn}`, `frontend ${name}`, ...body.map((l) => `  ${l}`), ''];
    skeleton.push(...section);
    text.push(...section);
    listeners.push({ listenerArn: listener.arn, frontend: name, address: lb.address, port: listener.port });
  }

  const certificateFileOf = new Map(served.flatMap((s) => (s.tls === undefined ? [] : [[s.listener, s.tls.defaultCertificateFile] as const])));
  for (const port of sharedPorts) {
    const shared = renderSharedPort({ plan: port, stateDir: options.stateDir, certificatesDir: runtimePaths(options.stateDir).certificates, frontendOf, certificateFileOf });
    skeleton.push(...shared.lines);
    text.push(...shared.lines);
    Object.assign(files, shared.files);
  }

  for (const group of config.targetGroups) {
    const users = uses.get(group.arn) ?? [];
    const idle = users.filter((lb) => lb.type === 'application').map((lb) => lb.idleTimeoutSeconds);
    const timeout = idle.length > 0 ? Math.max(...idle) : 60;
    for (const backend of renderTargetGroup(group, options.cookieKey, users.some((lb) => lb.type === 'network') ? 350 : timeout)) {
      const head = [`# target group ${group.arn}`, `backend ${backend.name}`, ...backend.lines.map((l) => `  ${l}`)];
      skeleton.push(...head, '');
      text.push(...head, ...backend.servers.map((s) => `  ${serverLine(s)}`), '');
      servers[backend.name] = backend.servers;
    }
  }
  return {
    text: text.join('\n'), skeleton: skeleton.join('\n'), servers, listeners, unsupported, files,
    sharedPorts: sharedPorts.map((port) => port.port),
    sharedPortNotices: [...plan.notices, ...plan.ports.flatMap((port) => {
      const why = options.skipSharedPorts?.get(port.port);
      return why === undefined ? [] : [sharedPortUnavailable(port, why)];
    })],
  };
}
