/**
 * The metric store seam: where CloudWatch metric points are appended and read back as periods.
 * Metric points are high-volume data, kept apart from the record store (see sqlite-metrics.ts for
 * the one implementation, and test/cloudwatch/storage/conformance.ts for what every one must pass).
 *
 * A metric is (account, region, namespace, metric name, dimension set); the dimension set is kept
 * sorted by name, so the order a client sends dimensions in does not make another metric. Each point
 * carries the unit it was put with: reads either filter on one unit or say which unit each period
 * is in (GetMetricStatistics) or merge them (GetMetricData).
 */

export interface Dimension {
  name: string;
  value: string;
}

export interface MetricIdentity {
  accountId: string;
  region: string;
  namespace: string;
  metricName: string;
  /** Sorted by name: see `canonicalDimensions`. */
  dimensions: readonly Dimension[];
}

/** What one point carries: a value, a statistic set, or values with their counts. */
export type PointValue =
  | { kind: 'value'; value: number }
  | { kind: 'statistics'; sampleCount: number; sum: number; minimum: number; maximum: number }
  | { kind: 'values'; values: readonly number[]; counts: readonly number[] };

export type StorageResolution = 1 | 60;

export interface MetricPoint {
  metric: MetricIdentity;
  /** Epoch milliseconds. */
  timestamp: number;
  value: PointValue;
  /** One of CloudWatch's units; 'None' when the client gave none. */
  unit: string;
  storageResolution: StorageResolution;
}

/** A ListMetrics filter on a dimension: a name alone matches any value. */
export interface DimensionFilter {
  name: string;
  value?: string;
}

export interface ListMetricsQuery {
  accountId: string;
  region: string;
  namespace?: string;
  metricName?: string;
  dimensions?: readonly DimensionFilter[];
  /** Only metrics with a point received at or after this instant (epoch ms): RecentlyActive PT3H. */
  activeSince?: number;
  /** Where the previous page stopped (from `next`). */
  after?: string;
  limit: number;
}

export interface ListMetricsPage {
  metrics: MetricIdentity[];
  next?: string;
}

/**
 * A statistic as CloudWatch names it: the five basic ones, a percentile (p99, p99.9) or a trimmed
 * mean (tm90: the mean of the values up to the 90th percentile).
 */
export type Statistic =
  | { kind: 'SampleCount' | 'Sum' | 'Minimum' | 'Maximum' | 'Average' }
  | { kind: 'percentile'; percent: number }
  | { kind: 'trimmedMean'; percent: number };

export interface AggregateQuery {
  metric: MetricIdentity;
  /** [start, end) in epoch ms; periods start at `start`, `start + period`, … */
  start: number;
  end: number;
  periodSeconds: number;
  /** Only points put with this unit. */
  unit?: string;
  /** Periods per unit (false) or one series merging every unit (true). */
  mergeUnits: boolean;
  statistics: readonly Statistic[];
}

export interface AggregatedPeriod {
  /** The period's start, epoch ms. */
  timestamp: number;
  /** The unit of the points; with mergeUnits, the unit when every point had the same one, else 'None'. */
  unit: string;
  /**
   * One entry per asked statistic, in the same order; undefined where the statistic cannot be had
   * (a percentile over points put only as statistic sets, as CloudWatch leaves it out too).
   */
  values: (number | undefined)[];
}

export interface MetricStorage {
  /** The percentile sketch's relative error: a percentile read back is within this fraction of the exact one. */
  readonly percentileRelativeError: number;
  /**
   * Appends points received at `receivedAt` (epoch ms): RecentlyActive and retention of the
   * metrics themselves go by when points were put, not by the points' own timestamps.
   */
  append(points: readonly MetricPoint[], receivedAt: number): Promise<void>;
  listMetrics(query: ListMetricsQuery): Promise<ListMetricsPage>;
  /** Periods with at least one point, in ascending time order. */
  aggregate(query: AggregateQuery): Promise<AggregatedPeriod[]>;
  /** Drops what retention no longer keeps, as of `now` (epoch ms). */
  compact(now: number): Promise<void>;
  /** Deletes every point and metric of an account, or of the whole installation. */
  reset(accountId?: string): Promise<void>;
  close(): Promise<void>;
}

/** How long each resolution is kept (ms). */
export const retention = {
  highResolutionMs: 3 * 3600_000,
  minuteMs: 15 * 24 * 3600_000,
  fiveMinuteMs: 63 * 24 * 3600_000,
  hourMs: 455 * 24 * 3600_000,
} as const;

export function canonicalDimensions(dimensions: readonly Dimension[]): Dimension[] {
  return [...dimensions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
