/**
 * The "CloudWatch Alarm State Change" event's `detail`, pure, as CloudWatch sends it to EventBridge
 * (source aws.cloudwatch) on every state change, whatever the alarm's actions and ActionsEnabled
 * (CloudWatch User Guide, "Alarm events and EventBridge"):
 *
 *   { "alarmName": "ServerCpuTooHigh",
 *     "configuration": { "description": "…", "metrics": [ { "id": "30b6c6b2-…", "metricStat": {
 *         "metric": { "dimensions": { "InstanceId": "i-…" }, "name": "CPUUtilization", "namespace": "AWS/EC2" },
 *         "period": 300, "stat": "Average" }, "returnData": true } ] },
 *     "previousState": { "reason": "…", "reasonData": "{…}", "timestamp": "2019-10-01T13:56:40.987+0000", "value": "OK" },
 *     "state": { "reason": "…", "reasonData": "{…}", "timestamp": "2019-10-02T17:04:40.989+0000", "value": "ALARM" } }
 *
 * A metric math alarm lists its queries: expressions as { expression, id, label, returnData },
 * metrics as { id, metricStat, returnData }. A single-metric alarm's one query has an id CloudWatch
 * makes up (a UUID); Berth derives it from the alarm's ARN, so it is the same in every event of an
 * alarm. reasonData and description appear only when the alarm has them.
 */
import { createHash } from 'node:crypto';
import type { AlarmMetric, AlarmQuery, AlarmState, MetricAlarmRecord } from '../../store/contract/alarms.js';
import { reasonDataDate } from './reason.js';

export const stateChangeSource = 'aws.cloudwatch';
export const stateChangeDetailType = 'CloudWatch Alarm State Change';

type EventState = Pick<AlarmState, 'value' | 'reason' | 'reasonData' | 'updatedAt'>;

/** The detail of the event for `alarm`'s change from `previous` to its state now. */
export function stateChangeDetail(alarm: MetricAlarmRecord, previous: EventState): Record<string, unknown> {
  return {
    alarmName: alarm.name,
    configuration: {
      ...(alarm.description !== undefined ? { description: alarm.description } : {}),
      metrics: alarm.metrics ? alarm.metrics.map(eventQuery) : [singleMetric(alarm)],
    },
    previousState: eventState(previous),
    state: eventState(alarm.state),
  };
}

function eventState(state: EventState): Record<string, unknown> {
  return {
    reason: state.reason,
    ...(state.reasonData !== undefined ? { reasonData: state.reasonData } : {}),
    timestamp: reasonDataDate(state.updatedAt),
    value: state.value,
  };
}

const eventMetric = (metric: AlarmMetric) => ({
  dimensions: Object.fromEntries(metric.dimensions.map((dimension) => [dimension.name, dimension.value])),
  name: metric.metricName,
  namespace: metric.namespace,
});

function singleMetric(alarm: MetricAlarmRecord): Record<string, unknown> {
  return {
    id: uuidOf(alarm.arn),
    metricStat: { metric: eventMetric(alarm.metric!), period: alarm.periodSeconds, stat: alarm.statistic ?? alarm.extendedStatistic },
    returnData: true,
  };
}

function eventQuery(query: AlarmQuery): Record<string, unknown> {
  if (query.expression !== undefined) {
    return { expression: query.expression, id: query.id, ...(query.label !== undefined ? { label: query.label } : {}), returnData: query.returnData };
  }
  const stat = query.metricStat!;
  return {
    id: query.id,
    ...(query.label !== undefined ? { label: query.label } : {}),
    metricStat: { metric: eventMetric(stat.metric), period: stat.periodSeconds, stat: stat.stat },
    returnData: query.returnData,
  };
}

/** A UUID-shaped id that depends only on `text`. */
function uuidOf(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
