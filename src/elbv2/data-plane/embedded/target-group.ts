/**
 * One target group as the data plane runs it: its targets with their health, requests in flight
 * and keep-alive agents, and the choice of a target for a request or a connection.
 *
 * A target is known by `id:port`. Applying a configuration keeps what it already knows of a target
 * (health, in-flight count, agent) and takes the new settings. Which targets may take new traffic:
 *  - registered and healthy (or unavailable: checks disabled);
 *  - ALB's fail-open: when no registered target is healthy, every registered one;
 *  - a draining target never; it is gone (no longer reported) at `drainingUntil` or as soon as it
 *    has nothing in flight, whichever comes first.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import type { TargetConfig, TargetGroupConfig, TargetHealthReport } from '../types.js';
import { pickBySource, pickTarget, slowStartWeight, type RoundRobinCredit } from './balancer.js';
import { dropIdleUpstreams } from './idle-upstreams.js';
import { afterProbe, initialHealth, type HealthStatus, type ProbeResult } from './health-state.js';

export interface TargetRuntime {
  readonly key: string;
  config: TargetConfig;
  health: HealthStatus;
  /** HTTP requests or TCP connections in flight. */
  outstanding: number;
  /** Open client-side sockets piped to this target (NLB), closed when draining ends. */
  readonly connections: Set<Socket>;
  agent: HttpAgent | undefined;
  /** The health check running now, if one is. */
  probing: Promise<void> | undefined;
  /** When its next health check is due (epoch ms, on the engine's clock). */
  nextProbeAt: number;
  /** Drained and dropped: still referenced by requests that started before. */
  gone: boolean;
  /**
   * When its slow start began (epoch ms): as ELB does, a target enters slow start when it turns
   * healthy while slow start is on and another target is already healthy; undefined: full share.
   */
  rampFrom: number | undefined;
}

export function targetKey(target: { id: string; port: number }): string {
  return `${target.id}:${target.port}`;
}

export class TargetGroupRuntime {
  readonly targets = new Map<string, TargetRuntime>();
  private readonly credit: RoundRobinCredit = new Map();

  constructor(public config: TargetGroupConfig, now: number) {
    this.update(config, now);
  }

  update(config: TargetGroupConfig, now: number): void {
    const healthCheckChanged = JSON.stringify(config.healthCheck) !== JSON.stringify(this.config.healthCheck);
    this.config = config;
    const wanted = new Set<string>();
    for (const target of config.targets) {
      const key = targetKey(target);
      wanted.add(key);
      const known = this.targets.get(key);
      if (known === undefined) {
        this.targets.set(key, { key, config: target, health: initialHealth(now), outstanding: 0, connections: new Set(), agent: undefined, probing: undefined, nextProbeAt: now, gone: false, rampFrom: undefined });
        continue;
      }
      if (known.config.address !== target.address) this.dropAgent(known);
      // Registered again after a deregistration: the checks start over, as ELB's do.
      if (known.config.state === 'draining' && target.state === 'registered') known.health = initialHealth(now);
      if (known.config.state === 'registered' && target.state === 'draining') known.health = { ...known.health, since: now };
      known.config = target;
      if (healthCheckChanged) known.nextProbeAt = now;
    }
    for (const [key, known] of this.targets) if (!wanted.has(key)) this.drop(known);
    this.settleDraining(now);
  }

  /** Ends what is left of the target group (it left the configuration, or the data plane stops). */
  close(): void {
    for (const target of this.targets.values()) this.drop(target);
  }

  agentFor(target: TargetRuntime): HttpAgent {
    if (target.agent === undefined) {
      const options = { keepAlive: true, keepAliveMsecs: 1000, maxFreeSockets: 256, scheduling: 'lifo' as const };
      target.agent = this.config.protocol === 'HTTPS' ? new HttpsAgent({ ...options, rejectUnauthorized: false }) : new HttpAgent(options);
    }
    return target.agent;
  }

  /** Whether any target is registered (not draining): without one, ALB answers 503. */
  hasRegistered(): boolean {
    for (const target of this.targets.values()) if (target.config.state === 'registered') return true;
    return false;
  }

  /** Registered targets that may take new traffic, with ALB's fail-open when none is healthy. */
  routable(): TargetRuntime[] {
    // One pass, no intermediate arrays: this runs for every request.
    const registered: TargetRuntime[] = [];
    const healthy: TargetRuntime[] = [];
    for (const target of this.targets.values()) {
      if (target.config.state !== 'registered') continue;
      registered.push(target);
      if (this.isHealthy(target)) healthy.push(target);
    }
    return healthy.length > 0 ? healthy : registered;
  }

  isHealthy(target: TargetRuntime): boolean {
    return !this.config.healthCheck.enabled || target.health.state === 'healthy';
  }

  /** A target for a new request: the sticky one if it may still take traffic, else the algorithm's pick. */
  choose(now: number, random: () => number, sticky?: string, sourceIp?: string): TargetRuntime | undefined {
    const routable = this.routable();
    if (sticky !== undefined) {
      const pinned = routable.find((target) => target.key === sticky);
      if (pinned !== undefined) return pinned;
    }
    const candidates = routable.map((target) => ({
      target,
      key: target.key,
      outstanding: target.outstanding,
      weight: target.rampFrom !== undefined && routable.length > 1 ? slowStartWeight(target.rampFrom, this.config.slowStartSeconds, now) : 1,
    }));
    if (sourceIp !== undefined && this.config.stickiness.enabled && this.config.stickiness.type === 'source_ip') {
      return pickBySource(candidates, sourceIp)?.target;
    }
    return pickTarget(candidates, this.config.algorithm, this.credit, random)?.target;
  }

  /** A request or connection to `target` started / finished. */
  begin(target: TargetRuntime): void {
    target.outstanding++;
  }

  finish(target: TargetRuntime, now: number): void {
    target.outstanding--;
    if (target.config.state === 'draining') this.settleDraining(now);
  }

  /** Drops the draining targets whose time is up or that have nothing left in flight. */
  settleDraining(now: number): void {
    for (const target of this.targets.values()) {
      if (target.config.state !== 'draining') continue;
      if (target.outstanding <= 0 || now >= (target.config.drainingUntil ?? 0)) this.drop(target);
    }
  }

  /** Targets whose health check is due (and not already running). */
  dueForProbe(now: number): TargetRuntime[] {
    if (!this.config.healthCheck.enabled) return [];
    return [...this.targets.values()].filter((target) => target.config.state === 'registered' && target.probing === undefined && now >= target.nextProbeAt);
  }

  recordProbe(target: TargetRuntime, result: ProbeResult, now: number): void {
    if (target.gone || target.config.state !== 'registered') return;
    const before = target.health.state;
    target.health = afterProbe(target.health, result, this.config.healthCheck, now);
    if (target.health.state !== 'healthy') target.rampFrom = undefined;
    else if (before !== 'healthy') {
      const othersHealthy = [...this.targets.values()].some((other) => other !== target && other.config.state === 'registered' && other.health.state === 'healthy');
      target.rampFrom = this.config.slowStartSeconds > 0 && othersHealthy ? now : undefined;
    }
  }

  reports(): TargetHealthReport[] {
    return [...this.targets.values()].map((target) => {
      const base = { targetGroupArn: this.config.arn, targetId: target.config.id, port: target.config.port };
      if (target.config.state === 'draining') {
        return { ...base, state: 'draining', reason: 'Target.DeregistrationInProgress', description: 'Target deregistration is in progress', since: target.health.since };
      }
      if (!this.config.healthCheck.enabled) {
        return { ...base, state: 'unavailable', reason: 'Target.HealthCheckDisabled', description: 'Health checks are disabled', since: target.config.registeredAt };
      }
      const { state, reason, description, since } = target.health;
      return { ...base, state, ...(reason === undefined ? {} : { reason }), ...(description === undefined ? {} : { description }), since };
    });
  }

  healthCounts(): { healthy: number; unhealthy: number } {
    let healthy = 0;
    let unhealthy = 0;
    for (const target of this.targets.values()) {
      if (target.config.state !== 'registered') continue;
      if (this.isHealthy(target)) healthy++;
      else if (target.health.state === 'unhealthy') unhealthy++;
    }
    return { healthy, unhealthy };
  }

  private drop(target: TargetRuntime): void {
    target.gone = true;
    this.targets.delete(target.key);
    this.credit.delete(target.key);
    for (const socket of target.connections) socket.destroy();
    this.dropAgent(target);
  }

  private dropAgent(target: TargetRuntime): void {
    dropIdleUpstreams(target);
    const agent = target.agent;
    target.agent = undefined;
    // In-flight requests keep their sockets; idle ones close now, busy ones when they are done.
    if (agent !== undefined) {
      agent.destroy();
    }
  }
}
