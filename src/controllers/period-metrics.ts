/**
 * The skeleton of a controller that publishes metrics once per metric period (ecs-metrics.ts,
 * load-balancer-metrics.ts): one fixed key, on the injected clock. A pass that finds a period
 * boundary passed since the last takes a reading, marks the period, and publishes the points of
 * the period that just ended; every pass asks to be looked at again at the next boundary.
 *
 *   start (t = 12:00:03, period 60 s): reading, the period marked, nothing put → again at 12:01:00
 *   12:01:00: reading; the points of 12:00:00–12:01:00 are put, stamped 12:00:00 → again at 12:02:00
 *
 * The pass at start only marks the period (and keeps its reading as a baseline): the period that
 * ended before it is not this process's to put. A reading that fails leaves the period unmarked,
 * so the runner's retry takes it again; once the period is marked, a failure to publish is not
 * retried, so no point is put twice.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { MetricPublisher } from '../cloudwatch/publisher.js';
import type { Clock } from '../core/clock.js';
import type { LeaderLease } from '../store/leader-lease.js';
import type { Store } from '../store/types.js';
import { requeueAfter, type Reconciled } from './controller.js';
import { RunnableController } from './runnable.js';

export interface PeriodMetricsDeps {
  store: Store;
  clock: Clock;
  log: FastifyBaseLogger;
  metrics: MetricPublisher;
  lease?: LeaderLease;
}

export interface EndedPeriod {
  /** The start of the period that just ended, in the clock's milliseconds: the points' timestamp. */
  startMs: number;
  periodMs: number;
  nowMs: number;
}

/** `R` is what a pass reads before it marks its period (a data plane's counters), kept as the next pass's baseline. */
export abstract class PeriodMetrics<D extends PeriodMetricsDeps, R = void> extends RunnableController {
  readonly lease?: LeaderLease;
  /** The last pass's period start and reading; undefined until the first pass. */
  private last: { periodStart: number; reading: R } | undefined;

  constructor(
    name: string,
    protected readonly deps: D,
  ) {
    super(name, deps);
    if (deps.lease) this.lease = deps.lease;
  }

  /** What a pass reads before its period is marked. */
  protected abstract read(): Promise<R>;

  /** Puts the points of the period that ended; `previous` is the reading of the pass before. */
  protected abstract publish(ended: EndedPeriod, reading: R, previous: R): Promise<void>;

  override async stop(): Promise<void> {
    await super.stop();
    this.last = undefined;
  }

  async listKeys(): Promise<string[]> {
    return [this.name];
  }

  async reconcile(): Promise<Reconciled> {
    const periodMs = this.deps.metrics.periodSeconds * 1000;
    const nowMs = this.deps.clock.now().getTime();
    const periodStart = Math.floor(nowMs / periodMs) * periodMs;
    const next = requeueAfter(periodStart + periodMs - nowMs);
    if (this.last !== undefined && this.last.periodStart >= periodStart) return next;
    const reading = await this.read();
    const previous = this.last;
    this.last = { periodStart, reading };
    if (previous === undefined) return next;
    // Stamped with the start of the period that just ended (the last one, if the clock jumped several).
    await this.publish({ startMs: periodStart - periodMs, periodMs, nowMs }, reading, previous.reading);
    return next;
  }
}
