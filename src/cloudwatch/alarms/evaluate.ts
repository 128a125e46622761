/**
 * The alarm evaluator, pure: from an alarm's definition, its current state and the datapoints of its
 * evaluation range, the state it should be in and CloudWatch's reason for it. No I/O, no clock: the
 * evaluation controller reads the datapoints and hands over the time of the query.
 *
 * CloudWatch's rules ("Evaluating an alarm", "Configuring how CloudWatch alarms treat missing data"):
 * - M out of N: ALARM when at least DatapointsToAlarm (M) of the last EvaluationPeriods (N)
 *   datapoints breach; OK otherwise.
 * - The evaluation range is longer than N (Berth takes N + 2 periods) so that, with missing data
 *   treated as `missing` or `ignore`, the most recent N datapoints present in the range are
 *   evaluated. With none present, `missing` goes to INSUFFICIENT_DATA and `ignore` keeps the state.
 *   With fewer than M present, the alarm still goes to ALARM when the oldest breaching datapoint is
 *   at least M periods old and every more recent one breaches or is missing ("avoiding premature
 *   transitions"); with none breaching it is OK; otherwise `missing` is INSUFFICIENT_DATA and
 *   `ignore` keeps the state.
 * - `breaching` and `notBreaching` fill every missing one of the last N periods as breaching or not.
 * - EvaluateLowSampleCountPercentile `ignore`: a percentile datapoint from too few samples to be
 *   significant (fewer than 10 / (1 - p/100)) leaves the state as it is.
 */
import { alarmReason, reasonData, type EvaluatedPoint } from './reason.js';
import type { AlarmState, EvaluationRule, RangePoint, ThresholdOperator } from './rule.js';

export { thresholdOperators, type AlarmState, type EvaluationRule, type RangePoint, type ThresholdOperator, type TreatMissingData } from './rule.js';

export interface Evaluation {
  /** Undefined: the alarm keeps its state (ignore with no data, a low sample count ignored). */
  state?: AlarmState;
  reason?: string;
  reasonData?: string;
}

/** The number of periods read before the newest: N + 2, the longer range `missing` and `ignore` look back over. */
export function evaluationRangeLength(rule: Pick<EvaluationRule, 'evaluationPeriods'>): number {
  return rule.evaluationPeriods + 2;
}

export function breaches(value: number, operator: ThresholdOperator, threshold: number): boolean {
  switch (operator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

/**
 * `range` lists the periods of the evaluation range oldest first, the newest last (every period,
 * those without data too); `current` is the alarm's state now; `queryDate` when it is evaluated.
 */
export function evaluateAlarm(rule: EvaluationRule, current: AlarmState, range: readonly RangePoint[], queryDate: number): Evaluation {
  const n = rule.evaluationPeriods;
  const m = rule.datapointsToAlarm;
  const keep: Evaluation = {};

  if (rule.percentile !== undefined && rule.evaluateLowSampleCountPercentile === 'ignore') {
    const needed = 10 / (1 - rule.percentile / 100);
    if (range.some((point) => point.value !== undefined && (point.sampleCount ?? 0) < needed)) return keep;
  }

  const decide = (state: AlarmState, evaluated: EvaluatedPoint[], minimum: number): Evaluation => {
    const breaching = evaluated.filter((point) => point.breaching);
    return {
      state,
      reason: alarmReason(rule, { from: current, to: state, evaluated, breaching, minimum }),
      reasonData: reasonData(rule, range, evaluated, queryDate),
    };
  };
  const classify = (point: RangePoint, age: number): EvaluatedPoint => ({
    timestamp: point.timestamp,
    age,
    ...(point.value !== undefined ? { value: point.value, sampleCount: point.sampleCount ?? 1 } : {}),
    breaching: point.value !== undefined ? breaches(point.value, rule.comparisonOperator, rule.threshold) : rule.treatMissingData === 'breaching',
  });

  // Newest first, with each point's age in periods (the newest is 1 period old).
  const newestFirst = [...range].reverse().map((point, index) => ({ point, age: index + 1 }));

  if (rule.treatMissingData === 'breaching' || rule.treatMissingData === 'notBreaching') {
    const evaluated = newestFirst.slice(0, n).map(({ point, age }) => classify(point, age));
    const breachingCount = evaluated.filter((point) => point.breaching).length;
    return breachingCount >= m ? decide('ALARM', evaluated, m) : decide('OK', evaluated, n - m + 1);
  }

  const present = newestFirst.filter(({ point }) => point.value !== undefined).slice(0, n).map(({ point, age }) => classify(point, age));
  if (present.length === 0) {
    if (rule.treatMissingData === 'ignore') return keep;
    return { state: 'INSUFFICIENT_DATA', reason: alarmReason(rule, { from: current, to: 'INSUFFICIENT_DATA', evaluated: [], breaching: [], minimum: 0, unknown: range.length }), reasonData: reasonData(rule, range, [], queryDate) };
  }
  const breachingCount = present.filter((point) => point.breaching).length;
  if (breachingCount >= m) return decide('ALARM', present, m);
  if (breachingCount === 0) return decide('OK', present, Math.min(present.length, n - m + 1));
  // Fewer breaching than M. With fewer than M datapoints at all: premature ALARM when the oldest
  // breaching point is at least M periods old and everything more recent breaches or is missing.
  if (present.length < m) {
    const oldestBreaching = present.filter((point) => point.breaching).at(-1)!;
    const moreRecent = present.filter((point) => point.age < oldestBreaching.age);
    if (oldestBreaching.age >= m && moreRecent.every((point) => point.breaching)) return decide('ALARM', present, m);
  }
  const notBreaching = present.length - breachingCount;
  // Enough datapoints that M breaching can no longer be among the last N: OK.
  if (present.length >= m || notBreaching > n - m) return decide('OK', present, n - m + 1);
  if (rule.treatMissingData === 'ignore') return keep;
  return { state: 'INSUFFICIENT_DATA', reason: alarmReason(rule, { from: current, to: 'INSUFFICIENT_DATA', evaluated: present, breaching: [], minimum: 0, unknown: range.length - present.length }), reasonData: reasonData(rule, range, present, queryDate) };
}
