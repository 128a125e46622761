/**
 * The datapoints an alarm is evaluated on, one per period of its evaluation window: its metric's
 * statistic (with the sample count, for EvaluateLowSampleCountPercentile), or for a metric math
 * alarm the series of the query that returns data, computed by metric math (../metric-math/) over
 * its MetricStat queries as GetMetricData computes it.
 */
import type { MetricAlarmRecord } from '../../store/contract/alarms.js';
import { evaluate, type MathValue, type Series } from '../metric-math/evaluate.js';
import { parseExpression } from '../metric-math/parse.js';
import type { MetricStorage } from '../storage/types.js';
import { parseStatistic } from '../validate.js';
import type { RangePoint } from './evaluate.js';
import { rangePoints, sampleCount, type EvaluationWindow } from './range.js';

export async function alarmDatapoints(storage: MetricStorage, alarm: MetricAlarmRecord, window: EvaluationWindow): Promise<RangePoint[]> {
  const scope = { accountId: alarm.accountId, region: alarm.region };
  if (alarm.metric) {
    const statistic = parseStatistic(alarm.statistic ?? alarm.extendedStatistic!, 'Statistic')!;
    const found = await storage.aggregate({
      metric: { ...scope, ...alarm.metric },
      start: window.start,
      end: window.end,
      periodSeconds: alarm.periodSeconds,
      ...(alarm.unit !== undefined ? { unit: alarm.unit } : {}),
      mergeUnits: true,
      statistics: [statistic, sampleCount],
    });
    return rangePoints(window, found);
  }

  const queries = alarm.metrics ?? [];
  const values = new Map<string, MathValue>();
  const stats: Series[] = [];
  for (const query of queries) {
    if (!query.metricStat) continue;
    const found = await storage.aggregate({
      metric: { ...scope, ...query.metricStat.metric },
      start: window.start,
      end: window.end,
      periodSeconds: query.metricStat.periodSeconds,
      ...(query.metricStat.unit !== undefined ? { unit: query.metricStat.unit } : {}),
      mergeUnits: true,
      statistics: [parseStatistic(query.metricStat.stat, 'Stat')!],
    });
    const series: Series = { label: query.label ?? query.metricStat.metric.metricName, timestamps: [], values: [] };
    for (const period of found) {
      if (period.values[0] === undefined) continue;
      series.timestamps.push(period.timestamp);
      series.values.push(period.values[0]);
    }
    values.set(query.id, { kind: 'series', series });
    stats.push(series);
  }
  const grid: number[] = [];
  for (let at = window.start; at < window.end; at += window.periodMs) grid.push(at);
  const byId = new Map(queries.map((query) => [query.id, query]));
  const valueOf = (id: string, depth = 0): MathValue | undefined => {
    const known = values.get(id);
    if (known) return known;
    const query = byId.get(id);
    // Checked when the alarm was put; a cycle is bounded here rather than trusted.
    if (!query?.expression || depth > queries.length) return undefined;
    const value = evaluate(parseExpression(query.expression), { lookup: (other) => valueOf(other, depth + 1), metrics: () => stats, grid });
    values.set(id, value);
    return value;
  };
  const watched = queries.find((query) => query.returnData)!;
  let result: MathValue | undefined;
  try {
    result = valueOf(watched.id);
  } catch {
    // An expression that cannot be computed over these periods (a cycle, a wrong type) has no data.
    result = undefined;
  }
  const points = new Map<number, number>();
  if (result?.kind === 'series') result.series.timestamps.forEach((at, index) => points.set(at, result.series.values[index]!));
  else if (result?.kind === 'scalar') for (const at of grid) points.set(at, result.value);
  return grid.map((at) => (points.has(at) ? { timestamp: at, value: points.get(at)!, sampleCount: 1 } : { timestamp: at }));
}
