/**
 * Publishes the load balancers' CloudWatch metrics (metrics/elb-metrics.ts) once per metric period.
 *
 * One fixed key, on the injected clock: each reconcile that finds a period boundary passed since
 * the last sample reads the data plane's counters and the load balancers' configuration, puts the
 * period's points stamped with the start of the period that just ended, keeps the sample as the
 * next period's baseline, and asks to be looked at again at the next boundary.
 *
 *   start (t = 12:00:03, period 60 s): baseline sample, no points → again at 12:01:00
 *   12:01:00: sample; the deltas since the baseline are put at 12:00:00 → again at 12:02:00
 *
 * The first sample after start is only a baseline, so a control plane restarted while a data plane
 * keeps running does not put everything that data plane ever counted into one period. No data
 * plane running: nothing counted (one started later counts from zero, which counterDeltas takes as
 * a restart). Leased: only one process sharing the store publishes.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { MetricPublisher } from '../cloudwatch/publisher.js';
import type { Clock } from '../core/clock.js';
import type { DataPlaneCounters } from '../elbv2/data-plane/types.js';
import { loadBalancerMetricPoints, topologyOf } from '../metrics/elb-metrics.js';
import type { LeaderLease } from '../store/leader-lease.js';
import type { Store } from '../store/types.js';
import { requeueAfter, type Controller, type Reconciled } from './controller.js';
import { desiredDataPlaneConfig, type DataPlaneAccess } from './load-balancers.js';
import { ControllerRunner } from './runner.js';

export interface LoadBalancerMetricsDeps {
  store: Store;
  clock: Clock;
  log: FastifyBaseLogger;
  dataPlane: DataPlaneAccess;
  metrics: MetricPublisher;
  lease?: LeaderLease;
}

const key = 'load-balancer-metrics';

export class LoadBalancerMetrics implements Controller {
  readonly name = key;
  /**
   * The period boundary, not a change, is what triggers a pass: the watch is here for the runner's
   * listing at start and its lease retries, and no change marks the key.
   */
  readonly watch = { kinds: ['loadBalancer'] as const, keysOf: () => [] };
  readonly lease?: LeaderLease;
  private readonly runner: ControllerRunner;
  /** The last sample and the start of the period it was taken in; undefined until the first. */
  private baseline: { periodStart: number; counters: DataPlaneCounters | undefined } | undefined;

  constructor(private readonly deps: LoadBalancerMetricsDeps) {
    if (deps.lease) this.lease = deps.lease;
    this.runner = new ControllerRunner(this, deps);
  }

  start(): void {
    this.runner.start();
  }

  async stop(): Promise<void> {
    await this.runner.stop();
    this.baseline = undefined;
  }

  /** Runs every pass that is due now (tests call it after moving the clock). */
  settle(): Promise<void> {
    return this.runner.settle();
  }

  async listKeys(): Promise<string[]> {
    return [key];
  }

  async reconcile(): Promise<Reconciled> {
    const { clock, metrics } = this.deps;
    const periodMs = metrics.periodSeconds * 1000;
    const nowMs = clock.now().getTime();
    const periodStart = Math.floor(nowMs / periodMs) * periodMs;
    const next = requeueAfter(periodStart + periodMs - nowMs);
    if (this.baseline !== undefined && this.baseline.periodStart >= periodStart) return next;
    const plane = await this.deps.dataPlane.get(false);
    const counters = plane ? await plane.counters() : undefined;
    const previous = this.baseline;
    this.baseline = { periodStart, counters };
    if (previous === undefined || counters === undefined) return next;
    const nowSeconds = nowMs / 1000;
    const topology = topologyOf(await this.deps.store.read((tx) => desiredDataPlaneConfig(tx, nowSeconds)));
    // Stamped with the start of the period the counts were made in (the last one, if the clock jumped several).
    for (const { scope, points } of loadBalancerMetricPoints(topology, previous.counters, counters, periodStart - periodMs)) {
      await metrics.putMetricPoints(scope, points);
    }
    return next;
  }
}
