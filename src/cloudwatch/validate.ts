/**
 * Checks shared by the CloudWatch operations: units, dimensions, namespaces, statistics, periods.
 * Parameter names in messages are the Query names (MetricData.member.1.Value) for both protocols,
 * as CloudWatch's JSON protocol keeps its Query errors.
 */
import type { Dimension, DimensionFilter, Statistic } from './storage/types.js';
import { badValue, invalidValue, missing } from './errors.js';

export const units = [
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes',
  'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second',
  'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second',
  'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
] as const;

/** The units in the order CloudWatch lists them when it refuses one (its words, below). */
const unitsAsListed = [
  'Megabits', 'Terabits', 'Gigabits', 'Count', 'Bytes', 'Gigabytes', 'Gigabytes/Second', 'Kilobytes', 'Kilobits/Second',
  'Terabytes', 'Terabits/Second', 'Bytes/Second', 'Percent', 'Megabytes', 'Megabits/Second', 'Milliseconds', 'Microseconds',
  'Kilobytes/Second', 'Gigabits/Second', 'Megabytes/Second', 'Bits', 'Bits/Second', 'Count/Second', 'Seconds', 'Kilobits',
  'Terabytes/Second', 'None',
];

/** "The parameter MetricData.member.1.Unit must be a value in the set [ Megabits, Terabits, … ]." */
export function checkUnit(unit: unknown, parameter: string): string | undefined {
  if (unit === undefined) return undefined;
  if (!(units as readonly string[]).includes(String(unit))) {
    throw invalidValue(`The parameter ${parameter} must be a value in the set [ ${unitsAsListed.join(', ')} ].`, { field: parameter, hint: `'${String(unit)}' is not a CloudWatch unit.` });
  }
  return String(unit);
}

/** A name or value of 1 to 255 characters (CloudWatch's limit for namespaces, names and dimensions). */
export function checkName(value: unknown, parameter: string, pattern?: RegExp): string {
  if (value === undefined || value === '') throw missing(parameter);
  const text = String(value);
  if (text.length > 255 || (pattern && !pattern.test(text))) throw badValue(text, parameter);
  return text;
}

// Namespaces: letters, digits, and . - _ / # : and space, not starting with ':'.
const namespacePattern = /^[^:][^\u0000-\u001f]*$/;

export function checkNamespace(value: unknown, parameter = 'Namespace'): string {
  return checkName(value, parameter, namespacePattern);
}

/** The namespace a client may put into: AWS/ is AWS's own (Berth's publishers use the in-process hook). */
export function checkPutNamespace(value: unknown): string {
  const namespace = checkNamespace(value);
  if (namespace.startsWith('AWS/')) {
    // CloudWatch's words name the reserved prefix, not the namespace given.
    throw invalidValue('The value AWS/ for parameter Namespace is invalid.', {
      field: 'Namespace',
      hint: `${namespace}: namespaces starting with AWS/ are reserved for AWS services; Berth publishes those itself. Use a namespace of your own.`,
    });
  }
  return namespace;
}

export function checkDimensions(value: unknown, parameter: string): Dimension[] {
  const list = (value ?? []) as { Name?: unknown; Value?: unknown }[];
  if (list.length > 30) throw invalidValue(`The collection ${parameter} must not have a size greater than 30.`, { field: parameter });
  const seen = new Set<string>();
  return list.map((entry, index) => {
    const name = checkName(entry.Name, `${parameter}.member.${index + 1}.Name`);
    const dimensionValue = checkName(entry.Value, `${parameter}.member.${index + 1}.Value`);
    if (seen.has(name)) throw invalidValue(`No metric may have duplicate dimension names.`, { field: `${parameter}.member.${index + 1}.Name` });
    seen.add(name);
    return { name, value: dimensionValue };
  });
}

/** ListMetrics's dimension filters: a Name, with or without a Value. */
export function checkDimensionFilters(value: unknown): DimensionFilter[] {
  const list = (value ?? []) as { Name?: unknown; Value?: unknown }[];
  if (list.length > 10) throw invalidValue('The collection Dimensions must not have a size greater than 10.', { field: 'Dimensions' });
  return list.map((entry, index) => {
    const name = checkName(entry.Name, `Dimensions.member.${index + 1}.Name`);
    return entry.Value === undefined ? { name } : { name, value: checkName(entry.Value, `Dimensions.member.${index + 1}.Value`) };
  });
}

const basic = new Set(['SampleCount', 'Sum', 'Minimum', 'Maximum', 'Average']);

/**
 * A statistic's name: SampleCount, Sum, Minimum, Maximum, Average, a percentile pNN.NN (p0 to p100)
 * or a trimmed mean tmNN.NN. CloudWatch's other extended statistics (TM(a:b), wm, tc, ts, PR, IQM)
 * are refused, not approximated.
 */
export function parseStatistic(name: string, parameter: string): Statistic | undefined {
  if (basic.has(name)) return { kind: name as 'Sum' };
  const match = /^(p|tm)(\d{1,3}(?:\.\d{1,2})?)$/.exec(name);
  if (match) {
    const percent = Number(match[2]);
    if (percent <= 100 && (match[1] === 'p' || percent > 0)) return match[1] === 'p' ? { kind: 'percentile', percent } : { kind: 'trimmedMean', percent };
  }
  return undefined;
}

export function checkExtendedStatistic(name: string, parameter: string): Statistic {
  const statistic = parseStatistic(name, parameter);
  if (!statistic || statistic.kind === 'SampleCount' || statistic.kind === 'Sum' || statistic.kind === 'Minimum' || statistic.kind === 'Maximum' || statistic.kind === 'Average') {
    throw badValue(name, parameter, {
      hint: 'Berth computes percentiles (p0 to p100, e.g. p99.9) and trimmed means tmNN (e.g. tm90); the other extended statistics (TM(a:b), wm, tc, ts, PR, IQM) are not served.',
    });
  }
  return statistic;
}

/**
 * A period: 1, 5, 10, 30 or a multiple of 60 seconds. CloudWatch's rule is the same whatever the
 * metric's storage resolution; periods under a minute read 1-second points, which only
 * high-resolution puts leave.
 */
export function checkPeriod(value: unknown, parameter: string): number {
  if (value === undefined) throw missing(parameter);
  const period = Number(value);
  if (!Number.isInteger(period) || period < 1) throw badValue(value, parameter);
  if (![1, 5, 10, 30].includes(period) && period % 60 !== 0) {
    throw invalidValue(`The parameter ${parameter} must be a multiple of 60.`, { field: parameter, hint: 'Below a minute, periods of 1, 5, 10 and 30 seconds read high-resolution points.' });
  }
  return period;
}

/** Epoch ms of a timestamp as the protocols hand it over: epoch seconds (JSON) or ISO 8601 text (Query). */
export function timestampOf(value: unknown, parameter: string): number {
  const ms = typeof value === 'number' ? value * 1000 : value instanceof Date ? value.getTime() : Date.parse(String(value));
  if (!Number.isFinite(ms)) throw badValue(value, parameter);
  return ms;
}
