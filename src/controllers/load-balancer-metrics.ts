/**
 * Publishes the load balancers' CloudWatch metrics (metrics/elb-metrics.ts) once per metric period.
 *
 * Once per period (period-metrics.ts): each pass that finds a period boundary passed since the last
 * sample reads the data plane's counters and the load balancers' configuration, puts the period's
 * points stamped with the start of the period that just ended, keeps the sample as the next
 * period's baseline, and asks to be looked at again at the next boundary.
 *
 *   start (t = 12:00:03, period 60 s): baseline sample, no points → again at 12:01:00
 *   12:01:00: sample; the deltas since the baseline are put at 12:00:00 → again at 12:02:00
 *
 * The first sample after start is only a baseline, so a control plane restarted while a data plane
 * keeps running does not put everything that data plane ever counted into one period. No data
 * plane running: nothing counted (one started later counts from zero, which counterDeltas takes as
 * a restart). Leased: only one process sharing the store publishes.
 */
import type { DataPlaneCounters } from '../elbv2/data-plane/types.js';
import { loadBalancerMetricPoints, topologyOf } from '../metrics/elb-metrics.js';
import { desiredDataPlaneConfig, type DataPlaneAccess } from './load-balancers.js';
import { PeriodMetrics, type EndedPeriod, type PeriodMetricsDeps } from './period-metrics.js';

export interface LoadBalancerMetricsDeps extends PeriodMetricsDeps {
  dataPlane: DataPlaneAccess;
}

export class LoadBalancerMetrics extends PeriodMetrics<LoadBalancerMetricsDeps, DataPlaneCounters | undefined> {
  /**
   * The period boundary, not a change, is what triggers a pass: the watch is here for the runner's
   * listing at start and its lease retries, and no change marks the key.
   */
  readonly watch = { kinds: ['loadBalancer'] as const, keysOf: () => [] };

  constructor(deps: LoadBalancerMetricsDeps) {
    super('load-balancer-metrics', deps);
  }

  /** The data plane's counters; undefined when none runs. */
  protected async read(): Promise<DataPlaneCounters | undefined> {
    const plane = await this.deps.dataPlane.get(false);
    return plane ? await plane.counters() : undefined;
  }

  protected async publish(ended: EndedPeriod, counters: DataPlaneCounters | undefined, previous: DataPlaneCounters | undefined): Promise<void> {
    if (counters === undefined) return;
    const nowSeconds = ended.nowMs / 1000;
    const topology = topologyOf(await this.deps.store.read((tx) => desiredDataPlaneConfig(tx, nowSeconds)));
    for (const { scope, points } of loadBalancerMetricPoints(topology, previous, counters, ended.startMs)) {
      await this.deps.metrics.putMetricPoints(scope, points);
    }
  }
}
