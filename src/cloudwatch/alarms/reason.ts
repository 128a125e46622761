/**
 * An evaluation's StateReason and StateReasonData, worded as CloudWatch words them:
 * "Threshold Crossed: 3 out of the last 3 datapoints [75.1 (05/12/26 00:05:00), …] were greater
 * than the threshold (70.0) (minimum 3 datapoints for OK -> ALARM transition)." Numbers print as
 * CloudWatch (Java) prints doubles: 70.0, 6.046241709654764; dates as dd/MM/yy HH:mm:ss in UTC.
 */
import type { AlarmState, EvaluationRule, RangePoint, ThresholdOperator } from './rule.js';

export interface EvaluatedPoint {
  timestamp: number;
  /** Periods back from the evaluation: the newest period is 1. */
  age: number;
  value?: number;
  sampleCount?: number;
  breaching: boolean;
}

const operatorWords: Record<ThresholdOperator, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

/** A double as Java's Double.toString prints it in the common range: 70.0, 0.5, 1.0E10 aside. */
export function javaDouble(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e7) return value.toFixed(1);
  return String(value);
}

const two = (n: number) => String(n).padStart(2, '0');

/** dd/MM/yy HH:mm:ss, UTC. */
export function reasonDate(ms: number): string {
  const date = new Date(ms);
  return `${two(date.getUTCDate())}/${two(date.getUTCMonth() + 1)}/${two(date.getUTCFullYear() % 100)} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
}

/** 2026-12-05T00:05:00.000+0000, the form of StateReasonData's dates. */
export function reasonDataDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export interface Transition {
  from: AlarmState;
  to: AlarmState;
  evaluated: readonly EvaluatedPoint[];
  breaching: readonly EvaluatedPoint[];
  /** How many datapoints the transition takes (M for ALARM, N - M + 1 for OK). */
  minimum: number;
  /** INSUFFICIENT_DATA: how many periods had no data. */
  unknown?: number;
}

export function alarmReason(rule: EvaluationRule, transition: Transition): string {
  if (transition.to === 'INSUFFICIENT_DATA') {
    const unknown = transition.unknown ?? 0;
    return `Insufficient Data: ${plural(unknown, 'datapoint')} ${unknown === 1 ? 'was' : 'were'} unknown.`;
  }
  const alarm = transition.to === 'ALARM';
  // The datapoints that made the decision: the breaching ones for ALARM, the others for OK.
  const deciding = transition.evaluated.filter((point) => point.breaching === alarm);
  const listed = deciding
    .filter((point) => point.value !== undefined)
    .map((point) => `${javaDouble(point.value!)} (${reasonDate(point.timestamp)})`)
    .join(', ');
  const count = deciding.length;
  const total = transition.evaluated.length;
  const verb = count === 1 ? 'was' : 'were';
  // Decided with missing data (TreatMissingData breaching or notBreaching): CloudWatch counts the
  // datapoints received over the N periods and names the treatment of the missing ones, listing no
  // values ("1 datapoint was received for 3 periods and 2 missing datapoints were treated as
  // [Breaching]."; "no datapoints were received for …" when none came).
  if (deciding.some((point) => point.value === undefined)) {
    const missing = transition.evaluated.filter((point) => point.value === undefined).length;
    const received = total - missing;
    const receivedWords = received === 0 ? 'no datapoints were' : `${plural(received, 'datapoint')} ${received === 1 ? 'was' : 'were'}`;
    return `Threshold Crossed: ${receivedWords} received for ${plural(total, 'period')} and ${plural(missing, 'missing datapoint')} ${missing === 1 ? 'was' : 'were'} treated as [${alarm ? 'Breaching' : 'NonBreaching'}].`;
  }
  const words = `${alarm ? '' : 'not '}${operatorWords[rule.comparisonOperator]}`;
  const head = total === count && total === 1 ? `${plural(count, 'datapoint')}` : `${count} out of the last ${plural(total, 'datapoint')}`;
  const tail = transition.from !== transition.to ? ` (minimum ${plural(transition.minimum, 'datapoint')} for ${transition.from} -> ${transition.to} transition)` : '';
  return `Threshold Crossed: ${head} [${listed}] ${verb} ${words} the threshold (${javaDouble(rule.threshold)})${tail}.`;
}

/** StateReasonData: the JSON CloudWatch puts beside the reason. */
export function reasonData(rule: EvaluationRule, range: readonly RangePoint[], evaluated: readonly EvaluatedPoint[], queryDate: number): string {
  const newestFirst = [...range].reverse();
  const data: Record<string, unknown> = {
    version: '1.0',
    queryDate: reasonDataDate(queryDate),
    ...(range.length > 0 ? { startDate: reasonDataDate(range[0]!.timestamp) } : {}),
    ...(rule.statistic === undefined ? {} : rule.percentile !== undefined ? { extendedStatistic: rule.statistic } : { statistic: rule.statistic }),
    period: rule.periodSeconds,
    recentDatapoints: newestFirst.filter((point) => point.value !== undefined).slice(0, rule.evaluationPeriods).map((point) => point.value),
    threshold: rule.threshold,
    evaluatedDatapoints: evaluated.map((point) => ({
      timestamp: reasonDataDate(point.timestamp),
      ...(point.sampleCount !== undefined ? { sampleCount: point.sampleCount } : {}),
      ...(point.value !== undefined ? { value: point.value } : {}),
    })),
  };
  return JSON.stringify(data);
}
