/**
 * PutMetricData: up to 1,000 metric data items, each a Value, a StatisticValues set or Values with
 * Counts, checked as CloudWatch checks them, then appended to the metric store in one write.
 */
import type { Handler } from '../edge/protocols/operation.js';
import type { CloudWatchDeps } from './deps.js';
import { badValue, invalidCombination, invalidValue, missing } from './errors.js';
import type { MetricPoint, PointValue, StorageResolution } from './storage/types.js';
import { checkDimensions, checkName, checkPutNamespace, checkUnit, timestampOf } from './validate.js';

interface MetricDatum {
  MetricName?: string;
  Dimensions?: { Name?: string; Value?: string }[];
  Timestamp?: unknown;
  Value?: number;
  StatisticValues?: { SampleCount?: number; Sum?: number; Minimum?: number; Maximum?: number };
  Values?: number[];
  Counts?: number[];
  Unit?: string;
  StorageResolution?: number;
}

const twoWeeksMs = 14 * 24 * 3600_000;
const twoHoursMs = 2 * 3600_000;
// CloudWatch refuses values outside ±2^360 and magnitudes under 8.515920e-109 (other than zero).
const largest = Math.pow(2, 360);
const smallest = 8.515920e-109;

function checkNumber(value: unknown, parameter: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || Math.abs(number) > largest || (number !== 0 && Math.abs(number) < smallest)) throw badValue(value, parameter);
  return number;
}

function valueOf(datum: MetricDatum, at: string): PointValue {
  const given = [datum.Value !== undefined && 'Value', datum.StatisticValues !== undefined && 'StatisticValues', datum.Values !== undefined && 'Values'].filter(Boolean) as string[];
  if (given.length > 1) {
    throw invalidCombination(`The parameters ${at}.${given[0]} and ${at}.${given[1]} are mutually exclusive and you have specified both.`, { field: `${at}.${given[1]}` });
  }
  if (datum.Counts !== undefined && datum.Values === undefined) {
    throw invalidCombination(`The parameter ${at}.Counts can only be specified with ${at}.Values.`, { field: `${at}.Counts` });
  }
  if (datum.Value !== undefined) return { kind: 'value', value: checkNumber(datum.Value, `${at}.Value`) };
  if (datum.StatisticValues !== undefined) {
    const set = datum.StatisticValues;
    const member = (name: 'SampleCount' | 'Sum' | 'Minimum' | 'Maximum') => {
      if (set[name] === undefined) throw missing(`${at}.StatisticValues.${name}`);
      return checkNumber(set[name], `${at}.StatisticValues.${name}`);
    };
    const statistics = { kind: 'statistics' as const, sampleCount: member('SampleCount'), sum: member('Sum'), minimum: member('Minimum'), maximum: member('Maximum') };
    if (statistics.sampleCount <= 0) throw badValue(statistics.sampleCount, `${at}.StatisticValues.SampleCount`, { hint: 'A statistic set describes at least one sample.' });
    if (statistics.minimum > statistics.maximum) throw invalidValue(`The parameter ${at}.StatisticValues.Minimum must be less than or equal to the parameter ${at}.StatisticValues.Maximum.`, { field: `${at}.StatisticValues` });
    return statistics;
  }
  if (datum.Values !== undefined) {
    if (datum.Values.length > 150) throw invalidValue(`The collection ${at}.Values must not have a size greater than 150.`, { field: `${at}.Values` });
    const values = datum.Values.map((item, index) => checkNumber(item, `${at}.Values.member.${index + 1}`));
    const counts = datum.Counts === undefined ? values.map(() => 1) : datum.Counts.map((item, index) => checkNumber(item, `${at}.Counts.member.${index + 1}`));
    if (counts.length !== values.length) {
      throw invalidValue(`The parameters ${at}.Values and ${at}.Counts must be of the same size.`, { field: `${at}.Counts`, hint: `${values.length} values, ${counts.length} counts.` });
    }
    counts.forEach((count, index) => {
      if (count < 0) throw badValue(count, `${at}.Counts.member.${index + 1}`, { hint: 'A count is how many times its value was seen: zero or more.' });
    });
    if (values.length === 0) throw missing(`${at}.Values`);
    return { kind: 'values', values, counts };
  }
  throw invalidCombination(`At least one of the parameters ${at}.Value, ${at}.StatisticValues and ${at}.Values must be specified.`, { field: at });
}

/** The points one call puts, checked; epoch ms `now` bounds the timestamps. */
export function pointsOf(input: Record<string, unknown>, scope: { accountId: string; region: string }, now: number): MetricPoint[] {
  if (input.EntityMetricData !== undefined && (input.EntityMetricData as unknown[]).length > 0) {
    throw invalidValue('The value EntityMetricData for parameter EntityMetricData is invalid.', {
      field: 'EntityMetricData',
      hint: 'Berth keeps no entities (CloudWatch Explore related): put the metrics in MetricData.',
    });
  }
  const namespace = checkPutNamespace(input.Namespace);
  const data = (input.MetricData ?? []) as MetricDatum[];
  if (data.length === 0) throw missing('MetricData');
  if (data.length > 1000) throw invalidValue('The collection MetricData must not have a size greater than 1000.', { field: 'MetricData' });
  return data.map((datum, index) => {
    const at = `MetricData.member.${index + 1}`;
    const metricName = checkName(datum.MetricName, `${at}.MetricName`);
    const dimensions = checkDimensions(datum.Dimensions, `${at}.Dimensions`);
    const timestamp = datum.Timestamp === undefined ? now : timestampOf(datum.Timestamp, `${at}.Timestamp`);
    if (timestamp < now - twoWeeksMs) {
      throw invalidValue(`The parameter ${at}.Timestamp must specify a time within the past two weeks.`, { field: `${at}.Timestamp` });
    }
    if (timestamp > now + twoHoursMs) {
      throw invalidValue(`The parameter ${at}.Timestamp must specify a time no more than two hours in the future.`, { field: `${at}.Timestamp` });
    }
    const resolution = datum.StorageResolution ?? 60;
    if (resolution !== 1 && resolution !== 60) {
      throw badValue(resolution, `${at}.StorageResolution`, { hint: 'StorageResolution is 1 (high resolution, kept per second) or 60 (standard, the default).' });
    }
    return {
      metric: { accountId: scope.accountId, region: scope.region, namespace, metricName, dimensions },
      timestamp,
      value: valueOf(datum, at),
      unit: checkUnit(datum.Unit, `${at}.Unit`) ?? 'None',
      storageResolution: resolution as StorageResolution,
    };
  });
}

export function putMetricDataOperation(deps: CloudWatchDeps): Record<string, Handler> {
  return {
    PutMetricData: async (input: Record<string, unknown>, ctx) => {
      // StrictEntityValidation only concerns EntityMetricData, which is refused above when given.
      await deps.storage.append(pointsOf(input, ctx.scope, ctx.now.getTime()), ctx.now.getTime());
      return {};
    },
  };
}
