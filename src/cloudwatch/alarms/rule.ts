/**
 * What an alarm's evaluation works on: its states, its rule (statistic, period, M out of N,
 * threshold, how missing data counts) and the points of its evaluation range. Shared by the
 * evaluator (evaluate.ts) and the words it gives its decisions (reason.ts).
 */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type TreatMissingData = 'missing' | 'notBreaching' | 'breaching' | 'ignore';
export type ThresholdOperator = 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';

export const thresholdOperators: readonly ThresholdOperator[] = ['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'];

export interface EvaluationRule {
  /** The statistic's name as the alarm gives it (Average, p99): for the reason data; absent for metric math. */
  statistic?: string;
  /** The percentile when the statistic is one (for EvaluateLowSampleCountPercentile). */
  percentile?: number;
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparisonOperator: ThresholdOperator;
  treatMissingData: TreatMissingData;
  evaluateLowSampleCountPercentile: 'evaluate' | 'ignore';
}

/** One period of the evaluation range; value undefined when the period has no data. */
export interface RangePoint {
  /** The period's start, epoch ms. */
  timestamp: number;
  value?: number;
  sampleCount?: number;
}
