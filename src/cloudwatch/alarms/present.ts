/** An alarm record as the API answers it (MetricAlarm), and the history items it leaves. */
import type { AlarmHistoryRecord, AlarmQuery, MetricAlarmRecord } from '../../store/contract/alarms.js';

const seconds = (ms: number) => ms / 1000;

export function presentAlarm(alarm: MetricAlarmRecord): Record<string, unknown> {
  return {
    AlarmName: alarm.name,
    AlarmArn: alarm.arn,
    ...(alarm.description !== undefined ? { AlarmDescription: alarm.description } : {}),
    AlarmConfigurationUpdatedTimestamp: seconds(alarm.configurationUpdatedAt),
    ActionsEnabled: alarm.actionsEnabled,
    OKActions: alarm.okActions,
    AlarmActions: alarm.alarmActions,
    InsufficientDataActions: alarm.insufficientDataActions,
    StateValue: alarm.state.value,
    StateReason: alarm.state.reason,
    ...(alarm.state.reasonData !== undefined ? { StateReasonData: alarm.state.reasonData } : {}),
    StateUpdatedTimestamp: seconds(alarm.state.updatedAt),
    StateTransitionedTimestamp: seconds(alarm.state.transitionedAt),
    ...(alarm.metric ? { MetricName: alarm.metric.metricName, Namespace: alarm.metric.namespace } : {}),
    ...(alarm.statistic !== undefined ? { Statistic: alarm.statistic } : {}),
    ...(alarm.extendedStatistic !== undefined ? { ExtendedStatistic: alarm.extendedStatistic } : {}),
    ...(alarm.metric ? { Dimensions: alarm.metric.dimensions.map(presentDimension) } : {}),
    ...(alarm.metrics ? { Metrics: alarm.metrics.map(presentQuery) } : {}),
    Period: alarm.periodSeconds,
    ...(alarm.unit !== undefined ? { Unit: alarm.unit } : {}),
    EvaluationPeriods: alarm.evaluationPeriods,
    ...(alarm.datapointsToAlarm !== undefined ? { DatapointsToAlarm: alarm.datapointsToAlarm } : {}),
    Threshold: alarm.threshold,
    ComparisonOperator: alarm.comparisonOperator,
    ...(alarm.treatMissingData !== undefined ? { TreatMissingData: alarm.treatMissingData } : {}),
    ...(alarm.evaluateLowSampleCountPercentile !== undefined ? { EvaluateLowSampleCountPercentile: alarm.evaluateLowSampleCountPercentile } : {}),
  };
}

const presentDimension = (dimension: { name: string; value: string }) => ({ Name: dimension.name, Value: dimension.value });

function presentQuery(query: AlarmQuery): Record<string, unknown> {
  return {
    Id: query.id,
    ...(query.label !== undefined ? { Label: query.label } : {}),
    ReturnData: query.returnData,
    ...(query.expression !== undefined ? { Expression: query.expression } : {}),
    ...(query.metricStat
      ? {
          MetricStat: {
            Metric: { Namespace: query.metricStat.metric.namespace, MetricName: query.metricStat.metric.metricName, Dimensions: query.metricStat.metric.dimensions.map(presentDimension) },
            Period: query.metricStat.periodSeconds,
            Stat: query.metricStat.stat,
            ...(query.metricStat.unit !== undefined ? { Unit: query.metricStat.unit } : {}),
          },
        }
      : {}),
  };
}

/** The alarm's configuration as ConfigurationUpdate history data carries it. */
function configuration(alarm: MetricAlarmRecord): Record<string, unknown> {
  const { StateValue: _s, StateReason: _r, StateReasonData: _d, StateUpdatedTimestamp: _u, StateTransitionedTimestamp: _t, ...rest } = presentAlarm(alarm);
  return rest;
}

export function configurationItem(kind: 'Create' | 'Update' | 'Delete', alarm: MetricAlarmRecord, at: number, original?: MetricAlarmRecord): AlarmHistoryRecord {
  const verb = kind === 'Create' ? 'created' : kind === 'Update' ? 'updated' : 'deleted';
  const data =
    kind === 'Create'
      ? { type: 'Create', createdAlarm: configuration(alarm) }
      : kind === 'Delete'
        ? { type: 'Delete', deletedAlarm: configuration(alarm) }
        : { type: 'Update', updatedAlarm: configuration(alarm), ...(original ? { originalAlarm: configuration(original) } : {}) };
  return {
    accountId: alarm.accountId,
    region: alarm.region,
    alarmName: alarm.name,
    timestamp: at,
    type: 'ConfigurationUpdate',
    summary: `Alarm "${alarm.name}" ${verb}`,
    data: JSON.stringify(data),
  };
}

export function presentHistoryItem(item: AlarmHistoryRecord): Record<string, unknown> {
  return {
    AlarmName: item.alarmName,
    AlarmType: 'MetricAlarm',
    Timestamp: seconds(item.timestamp),
    HistoryItemType: item.type,
    HistorySummary: item.summary,
    HistoryData: item.data,
  };
}
