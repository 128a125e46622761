/**
 * How Berth's own parts publish metrics: in process, into the same metric store the API reads,
 * without HTTP and without the API's refusal of AWS/ namespaces.
 *
 * What is put here (the names and dimensions are AWS's, so dashboards, alarms and scaling policies
 * written for AWS read them unchanged):
 *
 * - AWS/ECS and ECS/ContainerInsights, by controllers/ecs-metrics.ts from the container usage
 *   agents send (arithmetic and the exact list in metrics/ecs-utilization.ts).
 * - AWS/ApplicationELB and AWS/NetworkELB, by controllers/load-balancer-metrics.ts from the data
 *   plane's counters (metrics/elb-metrics.ts). Not published: TargetConnectionErrorCount and the
 *   ECS/ContainerInsights storage bytes, which nothing counts yet.
 *
 * Publishers aggregate over `periodSeconds` (the server's --metric-period-seconds, 60 as in AWS by
 * default) and put one point per metric per period, stamped with the period's start.
 */
import type { Clock } from '../core/clock.js';
import type { Dimension, MetricStorage, PointValue } from './storage/types.js';
import { units } from './validate.js';

export interface PublishedPoint {
  namespace: string;
  metricName: string;
  dimensions: readonly Dimension[];
  /** Epoch ms; the publisher's clock's now when left out. */
  timestamp?: number;
  value: PointValue;
  unit: (typeof units)[number];
}

export class MetricPublisher {
  constructor(
    private readonly storage: MetricStorage,
    private readonly clock: Clock,
    /** The period publishers aggregate over (seconds). */
    readonly periodSeconds: number,
  ) {}

  /** Puts points of an account and Region. A point shorter-period than a minute is kept at 1-second resolution. */
  async putMetricPoints(scope: { accountId: string; region: string }, points: readonly PublishedPoint[]): Promise<void> {
    const now = this.clock.now().getTime();
    for (const point of points) {
      if (point.dimensions.length > 30) throw new Error(`${point.namespace} ${point.metricName}: at most 30 dimensions, got ${point.dimensions.length}`);
      if (!(units as readonly string[]).includes(point.unit)) throw new Error(`${point.namespace} ${point.metricName}: unknown unit ${point.unit}`);
    }
    await this.storage.append(
      points.map((point) => ({
        metric: { ...scope, namespace: point.namespace, metricName: point.metricName, dimensions: point.dimensions },
        timestamp: point.timestamp ?? now,
        value: point.value,
        unit: point.unit,
        storageResolution: this.periodSeconds < 60 ? 1 : 60,
      })),
      now,
    );
  }
}
