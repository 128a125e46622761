/**
 * The storage contract of CloudWatch alarms: per account and region, one record per metric alarm
 * (its definition, its state, its tags), and the alarm history (state changes and configuration
 * updates) in a table of its own, appended to and read by time, and the alarm actions that are
 * due and not yet delivered (an outbox, written with the state change that made them due). Times
 * are epoch milliseconds.
 */
import type { Versioned } from './core.js';

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmMetric {
  namespace: string;
  metricName: string;
  /** Sorted by name, as the metric store keeps them. */
  dimensions: { name: string; value: string }[];
}

/** One query of a metric math alarm (PutMetricAlarm Metrics): a metric read, or an expression over the others. */
export interface AlarmQuery {
  id: string;
  label?: string;
  /** The one query the alarm compares with its threshold. */
  returnData: boolean;
  metricStat?: { metric: AlarmMetric; periodSeconds: number; stat: string; unit?: string };
  expression?: string;
}

export interface AlarmState {
  value: AlarmStateValue;
  reason: string;
  reasonData?: string;
  /** When the state (or its reason) was last set. */
  updatedAt: number;
  /** When the state value last changed. */
  transitionedAt: number;
}

export interface MetricAlarmRecord extends Versioned {
  accountId: string;
  region: string;
  name: string;
  arn: string;
  description?: string;
  actionsEnabled: boolean;
  okActions: string[];
  alarmActions: string[];
  insufficientDataActions: string[];
  /** The metric of a single-metric alarm; absent for a metric math alarm (see `metrics`). */
  metric?: AlarmMetric;
  /** The queries of a metric math alarm. */
  metrics?: AlarmQuery[];
  /** A basic statistic (Average) or an extended one (p99), as given. */
  statistic?: string;
  extendedStatistic?: string;
  unit?: string;
  /** The alarm's period; for a metric math alarm, its metrics' (one for all). */
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm?: number;
  threshold: number;
  comparisonOperator: string;
  treatMissingData?: string;
  evaluateLowSampleCountPercentile?: string;
  configurationUpdatedAt: number;
  state: AlarmState;
  /** When the evaluator last looked at the alarm (its next evaluation is a period later). */
  evaluatedAt?: number;
  /**
   * When the Auto Scaling actions of the current state were last made due: they repeat once a
   * minute while the alarm stays in the state (see ../../cloudwatch/alarms/due-actions.ts).
   */
  actionsRepeatedAt?: number;
  tags: { Key: string; Value: string }[];
}

export type AlarmHistoryType = 'ConfigurationUpdate' | 'StateUpdate' | 'Action';

export interface AlarmHistoryRecord {
  accountId: string;
  region: string;
  alarmName: string;
  timestamp: number;
  type: AlarmHistoryType;
  summary: string;
  /** The machine-readable HistoryData JSON. */
  data: string;
}

export interface AlarmHistoryQuery {
  accountId: string;
  region: string;
  alarmName?: string;
  type?: AlarmHistoryType;
  /** [start, end] in epoch ms. */
  start?: number;
  end?: number;
  newestFirst: boolean;
  /** Skip this many matching items (the page cursor). */
  offset: number;
  limit: number;
}

export interface MetricAlarmsTable {
  get(accountId: string, region: string, name: string): Promise<MetricAlarmRecord | undefined>;
  /** Every alarm of an account and region, by name. */
  list(accountId: string, region: string): Promise<MetricAlarmRecord[]>;
  /** Every alarm of every account and region: what the evaluator goes through. */
  listAll(): Promise<MetricAlarmRecord[]>;
  put(record: MetricAlarmRecord): Promise<void>;
  /** Removes the alarm; its history stays, as CloudWatch keeps a deleted alarm's history. */
  delete(record: MetricAlarmRecord): Promise<void>;
  appendHistory(item: AlarmHistoryRecord): Promise<void>;
  history(query: AlarmHistoryQuery): Promise<AlarmHistoryRecord[]>;
}

/**
 * One alarm action that is due: written in the transaction that changed the alarm's state (or kept
 * it, for a repeating Auto Scaling action), removed by the consumer that delivered it, in the
 * transaction that records the outcome in the alarm's history. What is here was not delivered yet.
 */
export interface AlarmActionRecord extends Versioned {
  id: string;
  accountId: string;
  region: string;
  alarmName: string;
  alarmArn: string;
  /** The action's ARN, as PutMetricAlarm took it. */
  action: string;
  /** The service in the action's ARN (autoscaling, sns, …): which target delivers it. */
  service: string;
  /** The state the alarm went into, or stays in for a repeated action. */
  state: { value: AlarmStateValue; reason: string; reasonData?: string; updatedAt: number };
  previousState: AlarmStateValue;
  /** When it became due: the evaluation or SetAlarmState that made it so. */
  dueAt: number;
  /** An Auto Scaling action made due again while the alarm stays in its state. */
  repeated: boolean;
}

export interface AlarmActionsTable {
  add(record: AlarmActionRecord): Promise<void>;
  get(id: string): Promise<AlarmActionRecord | undefined>;
  /** The actions of one service still to deliver, oldest first. */
  pending(service: string): Promise<AlarmActionRecord[]>;
  /** Removes a delivered action. */
  complete(record: AlarmActionRecord): Promise<void>;
}

export interface AlarmTables {
  metricAlarms: MetricAlarmsTable;
  alarmActions: AlarmActionsTable;
}
