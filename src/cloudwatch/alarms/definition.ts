/**
 * PutMetricAlarm's input checked into an alarm's definition, with CloudWatch's errors. Every field
 * is honoured or refused: an alarm action is taken only when a registered target performs it
 * (action-targets.ts), anomaly detection bands (ThresholdMetricId and the
 * LessThanLowerOrGreaterThanUpperThreshold operators) are refused — each with a berthHelp saying so. An alarm
 * watches one metric (MetricName, Namespace, Statistic or ExtendedStatistic, Period) or the one
 * query of its Metrics that returns data (metric math over MetricStat queries of one period).
 */
import { canonicalDimensions } from '../storage/types.js';
import { badValue, invalidCombination, invalidValue, missing } from '../errors.js';
import { checkDimensions, checkName, checkNamespace, checkUnit, parseStatistic } from '../validate.js';
import { thresholdOperators, type ThresholdOperator, type TreatMissingData } from './evaluate.js';
import type { AlarmQuery, MetricAlarmRecord } from '../../store/contract/alarms.js';
import { MathError, parseExpression, referencedIds } from '../metric-math/parse.js';

export type AlarmDefinition = Omit<MetricAlarmRecord, 'accountId' | 'region' | 'name' | 'arn' | 'configurationUpdatedAt' | 'state' | 'evaluatedAt' | 'tags'>;

const basicStatistics = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'];
const anomalyOperators = ['LessThanLowerOrGreaterThanUpperThreshold', 'LessThanLowerThreshold', 'GreaterThanUpperThreshold'];
const treatments: TreatMissingData[] = ['missing', 'notBreaching', 'breaching', 'ignore'];

export function checkAlarmName(value: unknown, parameter = 'AlarmName'): string {
  if (value === undefined || value === '') throw missing(parameter);
  const name = String(value);
  if (name.length > 255) throw invalidValue(`The value for parameter ${parameter} must be at most 255 characters long.`, { field: parameter });
  return name;
}

export function checkAlarmNames(value: unknown, parameter = 'AlarmNames'): string[] {
  const names = (value ?? []) as unknown[];
  if (names.length > 100) throw invalidValue(`The collection ${parameter} must not have a size greater than 100.`, { field: parameter });
  return names.map((name, index) => checkAlarmName(name, `${parameter}.member.${index + 1}`));
}

/** Checks one action list (OKActions, AlarmActions, InsufficientDataActions): see action-targets.ts. */
export type ActionCheck = (value: unknown, parameter: string) => string[];

function checkInteger(value: unknown, parameter: string, min: number): number {
  if (value === undefined) throw missing(parameter);
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) throw invalidValue(`The value ${String(value)} for parameter ${parameter} is invalid: it must be an integer of at least ${min}.`, { field: parameter });
  return number;
}

export interface AlarmInput {
  AlarmName?: unknown;
  AlarmDescription?: unknown;
  ActionsEnabled?: unknown;
  OKActions?: unknown;
  AlarmActions?: unknown;
  InsufficientDataActions?: unknown;
  MetricName?: unknown;
  Namespace?: unknown;
  Statistic?: unknown;
  ExtendedStatistic?: unknown;
  Dimensions?: unknown;
  Period?: unknown;
  Unit?: unknown;
  EvaluationPeriods?: unknown;
  DatapointsToAlarm?: unknown;
  Threshold?: unknown;
  ComparisonOperator?: unknown;
  TreatMissingData?: unknown;
  EvaluateLowSampleCountPercentile?: unknown;
  Metrics?: unknown;
  Tags?: unknown;
  ThresholdMetricId?: unknown;
}

export function checkDefinition(input: AlarmInput, checkActions: ActionCheck): AlarmDefinition {
  const description = input.AlarmDescription === undefined ? undefined : String(input.AlarmDescription);
  if (description !== undefined && description.length > 1024) throw invalidValue('The value for parameter AlarmDescription must be at most 1024 characters long.', { field: 'AlarmDescription' });
  const okActions = checkActions(input.OKActions, 'OKActions');
  const alarmActions = checkActions(input.AlarmActions, 'AlarmActions');
  const insufficientDataActions = checkActions(input.InsufficientDataActions, 'InsufficientDataActions');

  if (input.ThresholdMetricId !== undefined) {
    throw invalidValue(`The value ${String(input.ThresholdMetricId)} for parameter ThresholdMetricId is invalid.`, {
      field: 'ThresholdMetricId',
      hint: 'Berth has no anomaly detection models, so alarms compare against a fixed Threshold only.',
    });
  }
  const operator = input.ComparisonOperator;
  if (operator === undefined) throw missing('ComparisonOperator');
  if (anomalyOperators.includes(String(operator))) {
    throw invalidValue(`The value ${String(operator)} for parameter ComparisonOperator is invalid.`, {
      field: 'ComparisonOperator',
      hint: 'The anomaly band operators need an anomaly detection model, which Berth does not have; use one of ' + thresholdOperators.join(', ') + '.',
    });
  }
  if (!(thresholdOperators as readonly string[]).includes(String(operator))) throw badValue(operator, 'ComparisonOperator', { hint: `One of ${thresholdOperators.join(', ')}.` });

  const math = input.Metrics !== undefined && (input.Metrics as unknown[]).length > 0;
  let source: Pick<AlarmDefinition, 'metric' | 'metrics' | 'statistic' | 'extendedStatistic' | 'unit'>;
  let period: number;
  let percentile: number | undefined;
  if (math) {
    for (const parameter of ['MetricName', 'Namespace', 'Statistic', 'ExtendedStatistic', 'Dimensions', 'Period', 'Unit'] as const) {
      if (input[parameter] !== undefined) {
        throw invalidCombination(`The parameters Metrics and ${parameter} are mutually exclusive.`, { field: parameter, hint: 'A metric math alarm gives its metrics, periods and statistics in Metrics.' });
      }
    }
    const metrics = checkAlarmQueries(input.Metrics as QueryInput[]);
    source = { metrics };
    period = metrics.find((query) => query.metricStat)!.metricStat!.periodSeconds;
  } else {
    const namespace = checkNamespace(input.Namespace);
    const metricName = checkName(input.MetricName, 'MetricName');
    const dimensions = canonicalDimensions(checkDimensions(input.Dimensions, 'Dimensions'));
    const hasStatistic = input.Statistic !== undefined;
    const hasExtended = input.ExtendedStatistic !== undefined;
    if (hasStatistic === hasExtended) {
      throw invalidCombination('Exactly one of the parameters Statistic and ExtendedStatistic must be specified.', { field: 'Statistic' });
    }
    if (hasStatistic && !basicStatistics.includes(String(input.Statistic))) throw badValue(input.Statistic, 'Statistic', { hint: `One of ${basicStatistics.join(', ')}; percentiles go in ExtendedStatistic.` });
    if (hasExtended) {
      const statistic = parseStatistic(String(input.ExtendedStatistic), 'ExtendedStatistic');
      if (!statistic || (statistic.kind !== 'percentile' && statistic.kind !== 'trimmedMean')) {
        throw badValue(input.ExtendedStatistic, 'ExtendedStatistic', { hint: 'Berth evaluates percentiles pNN.NN and trimmed means tmNN.NN.' });
      }
      if (statistic.kind === 'percentile') percentile = statistic.percent;
    }
    period = checkAlarmPeriod(input.Period, 'Period');
    const unit = checkUnit(input.Unit, 'Unit');
    source = {
      metric: { namespace, metricName, dimensions },
      ...(hasStatistic ? { statistic: String(input.Statistic) } : { extendedStatistic: String(input.ExtendedStatistic) }),
      ...(unit !== undefined ? { unit } : {}),
    };
  }
  const evaluationPeriods = checkInteger(input.EvaluationPeriods, 'EvaluationPeriods', 1);
  if (evaluationPeriods * period > 86_400 && period < 3600) {
    throw invalidValue('Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400).', { field: 'EvaluationPeriods' });
  }
  if (evaluationPeriods * period > 7 * 86_400) {
    throw invalidValue('Metrics cannot be checked across more than 7 days (EvaluationPeriods * Period must be <= 604800).', { field: 'EvaluationPeriods' });
  }
  const datapointsToAlarm = input.DatapointsToAlarm === undefined ? undefined : checkInteger(input.DatapointsToAlarm, 'DatapointsToAlarm', 1);
  if (datapointsToAlarm !== undefined && datapointsToAlarm > evaluationPeriods) {
    throw invalidValue('DatapointsToAlarm must be less than or equal to EvaluationPeriods.', { field: 'DatapointsToAlarm' });
  }
  if (input.Threshold === undefined) throw missing('Threshold');
  const threshold = Number(input.Threshold);
  if (!Number.isFinite(threshold)) throw badValue(input.Threshold, 'Threshold');

  const treatMissingData = input.TreatMissingData === undefined ? undefined : String(input.TreatMissingData);
  if (treatMissingData !== undefined && !(treatments as string[]).includes(treatMissingData)) {
    throw badValue(treatMissingData, 'TreatMissingData', { hint: `One of ${treatments.join(', ')}.` });
  }
  const lowSample = input.EvaluateLowSampleCountPercentile === undefined ? undefined : String(input.EvaluateLowSampleCountPercentile);
  if (lowSample !== undefined) {
    if (!['evaluate', 'ignore'].includes(lowSample)) throw badValue(lowSample, 'EvaluateLowSampleCountPercentile', { hint: 'evaluate or ignore.' });
    if (percentile === undefined) {
      throw invalidCombination('EvaluateLowSampleCountPercentile can only be used with a percentile ExtendedStatistic.', { field: 'EvaluateLowSampleCountPercentile' });
    }
  }
  const actionsEnabled = input.ActionsEnabled === undefined ? true : input.ActionsEnabled === true || input.ActionsEnabled === 'true';

  return {
    ...(description !== undefined ? { description } : {}),
    actionsEnabled,
    okActions,
    alarmActions,
    insufficientDataActions,
    ...source,
    periodSeconds: period,
    evaluationPeriods,
    ...(datapointsToAlarm !== undefined ? { datapointsToAlarm } : {}),
    threshold,
    comparisonOperator: operator as ThresholdOperator,
    ...(treatMissingData !== undefined ? { treatMissingData } : {}),
    ...(lowSample !== undefined ? { evaluateLowSampleCountPercentile: lowSample } : {}),
  };
}

/** An alarm's period: 10, 30 or a multiple of 60 seconds. */
function checkAlarmPeriod(value: unknown, parameter: string): number {
  const period = checkInteger(value, parameter, 1);
  if (![10, 30].includes(period) && period % 60 !== 0) {
    throw invalidValue(`The parameter ${parameter} must be 10, 30 or a multiple of 60.`, { field: parameter, hint: 'Alarms on high-resolution metrics take 10 or 30 seconds; otherwise periods are whole minutes.' });
  }
  return period;
}

interface QueryInput {
  Id?: unknown;
  Label?: unknown;
  ReturnData?: unknown;
  Expression?: unknown;
  Period?: unknown;
  AccountId?: unknown;
  MetricStat?: { Metric?: { Namespace?: unknown; MetricName?: unknown; Dimensions?: unknown }; Period?: unknown; Stat?: unknown; Unit?: unknown };
}

/**
 * A metric math alarm's Metrics: at most 10 queries with unique ids, each a MetricStat or an
 * Expression over the others' ids, exactly one of them returning data, every MetricStat of one period.
 */
function checkAlarmQueries(list: QueryInput[]): AlarmQuery[] {
  if (list.length > 10) throw invalidValue('The collection Metrics must not have a size greater than 10.', { field: 'Metrics' });
  const ids = new Set<string>();
  const queries = list.map((query, index): AlarmQuery => {
    const at = `Metrics.member.${index + 1}`;
    const id = checkName(query.Id, `${at}.Id`);
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(id)) throw badValue(id, `${at}.Id`, { hint: 'An Id starts with a lower-case letter and has only letters, digits and underscores.' });
    if (ids.has(id)) throw invalidValue(`The value ${id} for parameter ${at}.Id is not unique.`, { field: `${at}.Id` });
    ids.add(id);
    if (query.AccountId !== undefined) throw badValue(query.AccountId, `${at}.AccountId`, { hint: 'Without cross-account observability an alarm reads its own account only; leave AccountId out.' });
    const common = { id, returnData: query.ReturnData === undefined ? true : query.ReturnData === true || query.ReturnData === 'true', ...(query.Label !== undefined ? { label: String(query.Label) } : {}) };
    if ((query.MetricStat === undefined) === (query.Expression === undefined)) {
      throw invalidCombination(`Exactly one of the parameters ${at}.MetricStat and ${at}.Expression must be specified.`, { field: at });
    }
    if (query.Expression !== undefined) {
      if (query.Period !== undefined) throw invalidCombination(`The parameter ${at}.Period can only be specified with a SEARCH expression.`, { field: `${at}.Period`, hint: 'Berth serves no SEARCH: an expression takes the period of the metrics it reads.' });
      const expression = String(query.Expression);
      try {
        parseExpression(expression);
      } catch (error) {
        if (error instanceof MathError) throw invalidValue(`Error in expression ${id}: ${error.message}`, { field: `${at}.Expression` });
        throw error;
      }
      return { ...common, expression };
    }
    if (query.Period !== undefined) throw invalidCombination(`The parameter ${at}.Period can only be specified with an expression.`, { field: `${at}.Period`, hint: `Give the period in ${at}.MetricStat.Period.` });
    const stat = query.MetricStat!;
    const statName = checkName(stat.Stat, `${at}.MetricStat.Stat`);
    if (!parseStatistic(statName, `${at}.MetricStat.Stat`)) {
      throw badValue(statName, `${at}.MetricStat.Stat`, { hint: 'Berth computes SampleCount, Sum, Minimum, Maximum, Average, percentiles pNN.NN and trimmed means tmNN.NN.' });
    }
    const unit = checkUnit(stat.Unit, `${at}.MetricStat.Unit`);
    const metric = stat.Metric ?? {};
    return {
      ...common,
      metricStat: {
        metric: {
          namespace: checkNamespace(metric.Namespace, `${at}.MetricStat.Metric.Namespace`),
          metricName: checkName(metric.MetricName, `${at}.MetricStat.Metric.MetricName`),
          dimensions: canonicalDimensions(checkDimensions(metric.Dimensions, `${at}.MetricStat.Metric.Dimensions`)),
        },
        periodSeconds: checkAlarmPeriod(stat.Period, `${at}.MetricStat.Period`),
        stat: statName,
        ...(unit !== undefined ? { unit } : {}),
      },
    };
  });
  if (queries.filter((query) => query.returnData).length !== 1) {
    throw invalidValue('Exactly one element of the metrics list should return data.', { field: 'Metrics', hint: 'Set ReturnData to false on every query but the one the alarm compares with its threshold.' });
  }
  const stats = queries.filter((query) => query.metricStat);
  if (stats.length === 0) throw invalidValue('The value for parameter Metrics is invalid.', { field: 'Metrics', hint: 'A metric math alarm reads at least one metric through a MetricStat query.' });
  if (new Set(stats.map((query) => query.metricStat!.periodSeconds)).size > 1) {
    throw invalidValue('The value for parameter Metrics is invalid.', { field: 'Metrics', hint: 'Every MetricStat of an alarm has the same Period: the alarm evaluates one period at a time.' });
  }
  const references = new Map<string, string[]>();
  for (const query of queries) {
    if (query.expression === undefined) continue;
    const referenced = referencedIds(parseExpression(query.expression)).ids;
    for (const id of referenced) if (!ids.has(id)) throw invalidValue(`Error in expression ${query.id}: Unrecognized metric id '${id}'.`, { field: 'Metrics' });
    references.set(query.id, referenced);
  }
  // An expression that reaches itself through others could never be computed: refused here, not left without data.
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (id: string) => {
    if (done.has(id)) return;
    if (visiting.has(id)) throw invalidValue(`Error in expression ${id}: Circular dependency between expressions.`, { field: 'Metrics' });
    visiting.add(id);
    for (const next of references.get(id) ?? []) visit(next);
    visiting.delete(id);
    done.add(id);
  };
  for (const id of references.keys()) visit(id);
  return queries;
}

export function checkTags(value: unknown, parameter = 'Tags'): { Key: string; Value: string }[] {
  const tags = (value ?? []) as { Key?: unknown; Value?: unknown }[];
  if (tags.length > 50) throw invalidValue(`The collection ${parameter} must not have a size greater than 50.`, { field: parameter });
  return tags.map((tag, index) => {
    const key = tag.Key === undefined ? undefined : String(tag.Key);
    if (key === undefined || key === '') throw missing(`${parameter}.member.${index + 1}.Key`);
    if (key.length > 128 || key.startsWith('aws:')) throw badValue(key, `${parameter}.member.${index + 1}.Key`, { hint: 'A tag key has 1 to 128 characters and does not start with aws:.' });
    if (tag.Value === undefined) throw missing(`${parameter}.member.${index + 1}.Value`);
    const tagValue = String(tag.Value);
    if (tagValue.length > 256) throw badValue(tagValue, `${parameter}.member.${index + 1}.Value`, { hint: 'A tag value has at most 256 characters.' });
    return { Key: key, Value: tagValue };
  });
}
