/**
 * The embedded data plane's running state: the listeners it has bound, the target groups with
 * their targets' health, and the periodic work (health checks due, draining targets done).
 * `apply` converges it on a whole desired configuration: listeners whose address, port, protocol
 * and ALPN protocols stay the same keep their socket and take the new rules at the next request
 * (and new certificates or SSL policy at the next handshake); others are closed and bound anew;
 * what the configuration no longer names goes.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { ApplyResult, DataPlaneConfig, DataPlaneCounters, ListenerConfig, LoadBalancerConfig, TargetHealthReport } from '../types.js';
import { AccessLogs } from './access-log.js';
import { bindErrorMessage } from './bind-errors.js';
import { answerClientError } from './client-errors.js';
import { Counters } from './counters.js';
import { probe } from './health-prober.js';
import { handleRequest, handleUpgrade, type HttpListenerDeps } from './http-listener.js';
import { onUpgrade } from './upgrade-body.js';
import { handleRawConnection } from './raw-http.js';
import { TargetGroupRuntime, type TargetRuntime } from './target-group.js';
import { handleConnection } from './tcp-listener.js';
import { sharedAddress, sharedPortPlan, sharedPortUnavailable, type SharedPlan, type SharedPort } from '../shared-ports.js';
import { configureSharedTimeouts, createSharedServer, sharedIdentity, type SharedListenerState } from './shared-listener.js';
import { SniSelector, tlsMaterialOf, tlsServerOptions } from './tls-options.js';

interface BoundListener {
  /** What decides whether the socket can stay: address, port, protocol, ALPN. */
  identity: string;
  /** HTTPS and TLS listeners: the certificates and policy the server was last given, and the SNI choice over them. */
  tls?: { material: string; sni: SniSelector };
  state: { lb: LoadBalancerConfig; listener: ListenerConfig };
  server: HttpServer | NetServer;
  /** HTTP listeners: the node:http server the fast path hands unusual connections to. */
  fallback?: HttpServer;
  sockets: Set<Socket>;
}

/** A socket on 127.0.0.1:<port> shared by the load balancers listening on that port. */
interface SharedBound {
  identity: string;
  state: SharedListenerState;
  server: HttpServer | NetServer;
  sockets: Set<Socket>;
}

export interface EngineOptions {
  /**
   * The clock health checks and draining are scheduled on (epoch ms; default Date.now). A test that
   * owns the engine moves it and calls `runDue()` instead of waiting for intervals to pass.
   */
  now?: () => number;
  random?: () => number;
  /** How often due health checks and finished drains are looked for (ms); 0: never on its own (the owner calls `runDue()`). */
  tickMs?: number;
  /** HTTP listeners forward on raw sockets (raw-http.ts) rather than through node:http (default true). */
  fastPath?: boolean;
}

export class Engine {
  private readonly listeners = new Map<string, BoundListener>();
  private readonly shared = new Map<number, SharedBound>();
  private readonly targetGroups = new Map<string, TargetGroupRuntime>();
  private readonly counters = new Counters();
  private readonly accessLogs = new AccessLogs();
  private readonly now: () => number;
  private readonly deps: HttpListenerDeps;
  private readonly ticker: NodeJS.Timeout | undefined;
  private readonly fastPath: boolean;

  constructor(options: EngineOptions = {}) {
    this.now = options.now ?? Date.now;
    this.fastPath = options.fastPath ?? true;
    this.deps = {
      targetGroup: (arn) => this.targetGroups.get(arn),
      counters: this.counters,
      accessLogs: this.accessLogs,
      now: this.now,
      random: options.random ?? Math.random,
    };
    const tickMs = options.tickMs ?? 100;
    this.ticker = tickMs > 0 ? setInterval(() => void this.runDue(), tickMs) : undefined;
  }

  async apply(config: DataPlaneConfig): Promise<ApplyResult> {
    const now = this.now();
    const groups = new Set<string>();
    for (const group of config.targetGroups) {
      groups.add(group.arn);
      const known = this.targetGroups.get(group.arn);
      if (known === undefined) this.targetGroups.set(group.arn, new TargetGroupRuntime(group, now));
      else known.update(group, now);
    }
    for (const [arn, group] of this.targetGroups) {
      if (!groups.has(arn)) {
        group.close();
        this.targetGroups.delete(arn);
      }
    }
    const plan = sharedPortPlan(config);
    await this.closeUnwantedShared(plan);
    const wanted = new Map<string, { lb: LoadBalancerConfig; listener: ListenerConfig }>();
    for (const lb of config.loadBalancers) for (const listener of lb.listeners) wanted.set(`${lb.address}:${listener.port}`, { lb, listener });
    for (const [key, bound] of this.listeners) {
      const next = wanted.get(key);
      if (next === undefined || identityOf(next.lb, next.listener) !== bound.identity) {
        await closeListener(bound);
        this.listeners.delete(key);
      }
    }
    const listenerErrors: ApplyResult['listenerErrors'] = [];
    await Promise.all(
      [...wanted].map(async ([key, next]) => {
        const bound = this.listeners.get(key);
        if (bound !== undefined) {
          bound.state.lb = next.lb;
          bound.state.listener = next.listener;
          if (bound.tls && bound.tls.material !== tlsMaterialOf(next.listener)) {
            // The listening server is the TLS one on both paths (node:https's server is a node:tls server).
            (bound.server as TlsServer).setSecureContext(tlsServerOptions(next.listener, bound.tls.sni));
            bound.tls.material = tlsMaterialOf(next.listener);
          }
          configureTimeouts(bound.fallback ?? bound.server, next.lb);
          return;
        }
        const result = await this.bind(next.lb, next.listener);
        if (typeof result === 'string') listenerErrors.push({ listenerArn: next.listener.arn, message: result });
        else this.listeners.set(key, result);
      }),
    );
    const sharedPortNotices = await this.applyShared(plan);
    this.accessLogs.keepOnly(new Set(config.loadBalancers.flatMap((lb) => (lb.accessLogPath === undefined ? [] : [lb.accessLogPath]))));
    return { listenerErrors, ...(sharedPortNotices.length > 0 ? { sharedPortNotices } : {}) };
  }

  /** The sockets on 127.0.0.1 (shared-ports.ts): kept while their kind and certificate stay, bound anew otherwise; a port that cannot be bound is a notice. */
  private async applyShared(plan: SharedPlan): Promise<string[]> {
    const notices = [...plan.notices];
    for (const next of plan.ports) {
      const bound = this.shared.get(next.port);
      if (bound !== undefined) {
        bound.state.plan = next;
        configureSharedTimeouts(bound.server, next);
        continue;
      }
      const result = await this.bindShared(next);
      if (typeof result === 'string') notices.push(result);
      else this.shared.set(next.port, result);
    }
    return notices;
  }

  /** Before the load balancers' own sockets are bound: one of them may now be 127.0.0.1:<port> itself. */
  private async closeUnwantedShared(plan: SharedPlan): Promise<void> {
    const wanted = new Map(plan.ports.map((port) => [port.port, port]));
    for (const [port, bound] of this.shared) {
      const next = wanted.get(port);
      if (next === undefined || sharedIdentity(next) !== bound.identity) {
        await closeListener(bound);
        this.shared.delete(port);
      }
    }
  }

  private bindShared(plan: SharedPort): Promise<SharedBound | string> {
    const state: SharedListenerState = { plan };
    const server = createSharedServer(state, this.deps);
    const sockets = new Set<Socket>();
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    return new Promise((resolve) => {
      const onError = (error: NodeJS.ErrnoException): void => resolve(sharedPortUnavailable(plan, error.code));
      server.once('error', onError);
      server.listen({ host: sharedAddress, port: plan.port, backlog: 1024 }, () => {
        server.off('error', onError);
        server.on('error', () => undefined);
        resolve({ identity: sharedIdentity(plan), state, server, sockets });
      });
    });
  }

  health(): TargetHealthReport[] {
    this.settle();
    return [...this.targetGroups.values()].flatMap((group) => group.reports());
  }

  counts(): DataPlaneCounters {
    return this.counters.snapshot(new Map([...this.targetGroups].map(([arn, group]) => [arn, group.healthCounts()])));
  }

  async close(): Promise<void> {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    await Promise.all([...this.listeners.values(), ...this.shared.values()].map(closeListener));
    this.listeners.clear();
    this.shared.clear();
    for (const group of this.targetGroups.values()) group.close();
    this.targetGroups.clear();
  }

  private settle(): void {
    const now = this.now();
    for (const group of this.targetGroups.values()) group.settleDraining(now);
  }

  /**
   * Runs what the clock says is due: ends finished drains and starts the health checks whose
   * interval has passed. Resolves once those checks have their result.
   */
  async runDue(): Promise<void> {
    const now = this.now();
    const started: Promise<void>[] = [];
    for (const group of this.targetGroups.values()) {
      group.settleDraining(now);
      for (const target of group.dueForProbe(now)) started.push(this.check(group, target));
    }
    await Promise.all(started);
  }

  /**
   * Checks every registered target's health once, now, whatever its schedule (the admin route
   * `POST /check-now`): each check counts as ELB's next one, and the next scheduled check comes an
   * interval after it. Checks already running are waited for rather than doubled.
   */
  async checkNow(): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const group of this.targetGroups.values()) {
      if (!group.config.healthCheck.enabled) continue;
      for (const target of group.targets.values()) {
        if (target.config.state !== 'registered') continue;
        pending.push(target.probing ?? this.check(group, target));
      }
    }
    await Promise.all(pending);
  }

  private check(group: TargetGroupRuntime, target: TargetRuntime): Promise<void> {
    const check = group.config.healthCheck;
    const running = probe(check, target.config).then((result) => {
      const done = this.now();
      target.probing = undefined;
      target.nextProbeAt = done + check.intervalSeconds * 1000;
      group.recordProbe(target, result, done);
    });
    target.probing = running;
    return running;
  }

  private bind(lb: LoadBalancerConfig, listener: ListenerConfig): Promise<BoundListener | string> {
    const state = { lb, listener };
    const sockets = new Set<Socket>();
    let server: HttpServer | NetServer;
    let fallback: HttpServer | undefined;
    const sni = new SniSelector();
    const secure = listener.protocol === 'HTTPS' || listener.protocol === 'TLS';
    switch (listener.protocol) {
      case 'UDP':
      case 'TCP_UDP':
        return Promise.resolve(`Listener ${lb.address}:${listener.port}: ${listener.protocol} listeners are not supported yet by this data plane; use a TCP listener.`);
      case 'HTTP':
      case 'HTTPS': {
        if (listener.protocol === 'HTTPS' && listener.certificate === undefined) return Promise.resolve(`Listener ${lb.address}:${listener.port}: an HTTPS listener needs a certificate.`);
        const tls = secure ? tlsServerOptions(listener, sni) : {};
        // With the fast path, TLS ends at the listener's socket and the node:http server behind it
        // (for the connections handed over) speaks plain HTTP on the decrypted stream.
        const http = listener.protocol === 'HTTPS' && !this.fastPath ? createHttpsServer(tls) : createHttpServer();
        http.on('request', (request, response) => handleRequest(request, response, state, this.deps));
        http.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket));
        onUpgrade(http, (request, socket, head) => handleUpgrade(request, socket, head, state, this.deps));
        configureTimeouts(http, lb);
        if (this.fastPath) {
          fallback = http;
          const onConnection = (socket: Socket): void => handleRawConnection(socket, state, this.deps, http);
          // Half-open: a client that ends its side after a request still gets the answer.
          server = listener.protocol === 'HTTPS' ? createTlsServer({ ...tls, allowHalfOpen: true }, onConnection) : createNetServer({ allowHalfOpen: true }, onConnection);
          server.on('connection', (socket: Socket) => this.counters.connection(state.lb.arn, socket));
        } else {
          http.on('connection', (socket: Socket) => this.counters.connection(state.lb.arn, socket));
          server = http;
        }
        break;
      }
      case 'TCP':
      case 'TLS': {
        if (listener.protocol === 'TLS' && listener.certificate === undefined) return Promise.resolve(`Listener ${lb.address}:${listener.port}: a TLS listener needs a certificate.`);
        const onConnection = (socket: Socket): void => handleConnection(socket, state, this.deps);
        server = listener.protocol === 'TLS' ? createTlsServer(tlsServerOptions(listener, sni), onConnection) : createNetServer(onConnection);
        break;
      }
    }
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    return new Promise((resolve) => {
      const onError = (error: NodeJS.ErrnoException): void => resolve(bindErrorMessage(lb.address, listener.port, error));
      server.once('error', onError);
      server.listen({ host: lb.address, port: listener.port, backlog: 1024 }, () => {
        server.off('error', onError);
        server.on('error', () => undefined);
        resolve({
          identity: identityOf(lb, listener),
          state,
          server,
          sockets,
          ...(fallback === undefined ? {} : { fallback }),
          ...(secure ? { tls: { material: tlsMaterialOf(listener), sni } } : {}),
        });
      });
    });
  }
}

function identityOf(lb: LoadBalancerConfig, listener: ListenerConfig): string {
  return JSON.stringify([lb.address, listener.port, listener.protocol, listener.alpnProtocols ?? []]);
}

/** Idle connections close after the load balancer's idle timeout; a little later than a target's 504, so that answer gets out first. */
function configureTimeouts(server: HttpServer | NetServer, lb: LoadBalancerConfig): void {
  if (!('keepAliveTimeout' in server)) return;
  const idleMs = lb.idleTimeoutSeconds * 1000;
  server.keepAliveTimeout = idleMs;
  server.timeout = idleMs + 1000;
  server.headersTimeout = Math.max(idleMs + 1000, 60_000);
}

function closeListener(bound: { server: HttpServer | NetServer; sockets: Set<Socket> }): Promise<void> {
  return new Promise((resolve) => {
    bound.server.close(() => resolve());
    for (const socket of bound.sockets) socket.destroy();
  });
}
