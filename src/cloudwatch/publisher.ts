/**
 * How Berth's own parts publish metrics: in process, into the same metric store the API reads,
 * without HTTP and without the API's refusal of AWS/ namespaces.
 *
 * What will land here (later work; the names and dimensions are AWS's, so dashboards, alarms and
 * scaling policies written for AWS read them unchanged):
 *
 * - AWS/ECS: CPUUtilization and MemoryUtilization (Percent) per {ClusterName, ServiceName} and per
 *   {ClusterName}; CPUReservation and MemoryReservation (Percent) per {ClusterName}. Put as a value
 *   per task or host sample (or a statistic set per period), so Average/Minimum/Maximum/SampleCount
 *   read as in AWS.
 * - ECS/ContainerInsights (clusters with containerInsights enabled): CpuUtilized, CpuReserved,
 *   MemoryUtilized, MemoryReserved, NetworkRxBytes, NetworkTxBytes, StorageReadBytes,
 *   StorageWriteBytes, RunningTaskCount, PendingTaskCount, DesiredTaskCount per {ClusterName},
 *   {ClusterName, ServiceName}, {ClusterName, TaskDefinitionFamily}.
 * - AWS/ApplicationELB: RequestCount, HTTPCode_Target_2XX_Count … HTTPCode_ELB_5XX_Count,
 *   TargetConnectionErrorCount (Count, Sum) per {LoadBalancer}, {LoadBalancer, TargetGroup},
 *   {TargetGroup}; RequestCountPerTarget per {TargetGroup}; TargetResponseTime (Seconds, one
 *   value per request or Values+Counts, so percentiles work) per {LoadBalancer} and {LoadBalancer,
 *   TargetGroup}; HealthyHostCount and UnHealthyHostCount per {LoadBalancer, TargetGroup}.
 *   LoadBalancer is the ARN's suffix "app/<name>/<id>", TargetGroup "targetgroup/<name>/<id>".
 * - AWS/NetworkELB likewise for network load balancers (ActiveFlowCount, NewFlowCount,
 *   ProcessedBytes, HealthyHostCount, UnHealthyHostCount).
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
