/**
 * GetMetricData: MetricStat queries read from the metric store, Expression queries evaluated by
 * metric math (metric-math/) over them; ReturnData picks the results sent, ScanBy their order
 * (TimestampDescending by default), MaxDatapoints (default 100,800) the page size across results,
 * NextToken the next page with StatusCode PartialData until the last. An expression returning an
 * array (METRICS()) gives one result per series, all with the expression's Id; a scalar becomes a
 * series with that value at every period.
 */
import { createHash } from 'node:crypto';
import type { Handler } from '../edge/protocols/operation.js';
import type { CloudWatchDeps } from './deps.js';
import { badValue, invalidCombination, invalidNextToken, invalidValue, missing } from './errors.js';
import { periodRange } from './get-metric-statistics.js';
import { evaluate, type MathValue, type Series } from './metric-math/evaluate.js';
import { MathError, parseExpression, referencedIds, type Expr } from './metric-math/parse.js';
import type { Statistic } from './storage/types.js';
import { checkDimensions, checkName, checkNamespace, checkPeriod, checkUnit, parseStatistic, timestampOf } from './validate.js';

interface QueryInput {
  Id?: string;
  MetricStat?: { Metric?: { Namespace?: string; MetricName?: string; Dimensions?: { Name?: string; Value?: string }[] }; Period?: number; Stat?: string; Unit?: string };
  Expression?: string;
  Label?: string;
  ReturnData?: boolean;
  Period?: number;
  AccountId?: string;
}

type Query =
  | { id: string; label?: string; returnData: boolean; kind: 'stat'; metric: { namespace: string; metricName: string; dimensions: { name: string; value: string }[] }; period: number; stat: Statistic; unit?: string }
  | { id: string; label?: string; returnData: boolean; kind: 'expression'; expression: Expr; source: string };

const defaultMaxDatapoints = 100_800;

function checkQueries(list: QueryInput[], accountId: string): Query[] {
  if (list.length === 0) throw missing('MetricDataQueries');
  if (list.length > 500) throw invalidValue('The collection MetricDataQueries must not have a size greater than 500.', { field: 'MetricDataQueries' });
  const ids = new Set<string>();
  return list.map((query, index) => {
    const at = `MetricDataQueries.member.${index + 1}`;
    const id = checkName(query.Id, `${at}.Id`);
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(id)) throw badValue(id, `${at}.Id`, { hint: 'An Id starts with a lower-case letter and has only letters, digits and underscores.' });
    if (ids.has(id)) throw invalidValue(`The value ${id} for parameter ${at}.Id is not unique.`, { field: `${at}.Id` });
    ids.add(id);
    if (query.AccountId !== undefined && query.AccountId !== accountId) {
      throw badValue(query.AccountId, `${at}.AccountId`, { hint: `Without cross-account observability a query reads your own account ${accountId} only.` });
    }
    const common = { id, returnData: query.ReturnData ?? true, ...(query.Label !== undefined ? { label: query.Label } : {}) };
    if ((query.MetricStat === undefined) === (query.Expression === undefined)) {
      throw invalidCombination(`Exactly one of the parameters ${at}.MetricStat and ${at}.Expression must be specified.`, { field: at });
    }
    if (query.Expression !== undefined) {
      if (query.Period !== undefined) {
        throw invalidCombination(`The parameter ${at}.Period can only be specified with a SEARCH expression.`, { field: `${at}.Period`, hint: 'Berth serves no SEARCH: an expression takes the periods of the metrics it reads.' });
      }
      try {
        return { ...common, kind: 'expression' as const, expression: parseExpression(query.Expression), source: query.Expression };
      } catch (error) {
        if (error instanceof MathError) throw invalidValue(`Error in expression ${id}: ${error.message}`, { field: `${at}.Expression` });
        throw error;
      }
    }
    if (query.Period !== undefined) throw invalidCombination(`The parameter ${at}.Period can only be specified with an expression.`, { field: `${at}.Period`, hint: `Give the period in ${at}.MetricStat.Period.` });
    const stat = query.MetricStat!;
    const metric = stat.Metric ?? {};
    const statistic = parseStatistic(checkName(stat.Stat, `${at}.MetricStat.Stat`), `${at}.MetricStat.Stat`);
    if (!statistic) {
      throw badValue(stat.Stat, `${at}.MetricStat.Stat`, { hint: 'Berth computes SampleCount, Sum, Minimum, Maximum, Average, percentiles pNN.NN and trimmed means tmNN.NN.' });
    }
    const unit = checkUnit(stat.Unit, `${at}.MetricStat.Unit`);
    return {
      ...common,
      kind: 'stat' as const,
      metric: {
        namespace: checkNamespace(metric.Namespace, `${at}.MetricStat.Metric.Namespace`),
        metricName: checkName(metric.MetricName, `${at}.MetricStat.Metric.MetricName`),
        dimensions: checkDimensions(metric.Dimensions, `${at}.MetricStat.Metric.Dimensions`),
      },
      period: checkPeriod(stat.Period, `${at}.MetricStat.Period`),
      stat: statistic,
      ...(unit ? { unit } : {}),
    };
  });
}

/** What a request's token is tied to: the request itself without its token. */
const fingerprint = (input: Record<string, unknown>) =>
  createHash('sha256').update(JSON.stringify({ ...input, NextToken: undefined })).digest('base64url').slice(0, 16);

function tokenOffset(token: string, print: string): number {
  const match = /^gmd:(\d+):(.+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match || match[2] !== print) throw invalidNextToken(token);
  return Number(match[1]);
}

export function getMetricDataOperation(deps: CloudWatchDeps): Record<string, Handler> {
  return {
    GetMetricData: async (input: Record<string, unknown>, ctx) => {
      const queries = checkQueries((input.MetricDataQueries ?? []) as QueryInput[], ctx.scope.accountId);
      const scanBy = input.ScanBy ?? 'TimestampDescending';
      if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') throw badValue(scanBy, 'ScanBy');
      const maxDatapoints = input.MaxDatapoints === undefined ? defaultMaxDatapoints : Number(input.MaxDatapoints);
      if (!Number.isInteger(maxDatapoints) || maxDatapoints < 1) throw badValue(input.MaxDatapoints, 'MaxDatapoints');
      const timezone = (input.LabelOptions as { Timezone?: string } | undefined)?.Timezone;
      if (timezone !== undefined && !/^[+-]0000$/.test(timezone)) {
        throw badValue(timezone, 'LabelOptions.Timezone', { hint: 'Berth has no dynamic labels to render in a time zone: labels are returned as given; leave Timezone out or give +0000.' });
      }
      const startMs = timestampOf(input.StartTime, 'StartTime');
      const endMs = timestampOf(input.EndTime, 'EndTime');
      const stats = queries.filter((query) => query.kind === 'stat');
      const smallest = Math.min(...stats.map((query) => query.period), 60);
      const range = periodRange(startMs, endMs, smallest, ctx.now.getTime());
      const grid: number[] = [];
      for (let at = range.start; at < range.end && grid.length <= defaultMaxDatapoints; at += smallest * 1000) grid.push(at);

      // Read every MetricStat, then evaluate expressions in dependency order.
      const values = new Map<string, MathValue>();
      for (const query of stats) {
        const { start, end } = periodRange(startMs, endMs, query.period, ctx.now.getTime());
        const periods = await deps.storage.aggregate({
          metric: { accountId: ctx.scope.accountId, region: ctx.scope.region, ...query.metric },
          start,
          end,
          periodSeconds: query.period,
          ...(query.unit ? { unit: query.unit } : {}),
          mergeUnits: true,
          statistics: [query.stat],
        });
        const series: Series = { label: query.label ?? query.metric.metricName, timestamps: [], values: [] };
        for (const period of periods) {
          if (period.values[0] === undefined) continue;
          series.timestamps.push(period.timestamp);
          series.values.push(period.values[0]);
        }
        values.set(query.id, { kind: 'series', series });
      }
      const byId = new Map(queries.map((query) => [query.id, query]));
      const evaluating = new Set<string>();
      const valueOf = (id: string): MathValue | undefined => {
        const known = values.get(id);
        if (known) return known;
        const query = byId.get(id);
        if (!query || query.kind !== 'expression') return undefined;
        if (evaluating.has(id)) throw invalidValue(`Error in expression ${id}: Circular dependency between expressions.`, { field: 'MetricDataQueries' });
        evaluating.add(id);
        let value: MathValue;
        try {
          value = evaluate(query.expression, {
            lookup: valueOf,
            metrics: () => stats.map((stat) => (values.get(stat.id) as { series: Series }).series),
            grid,
          });
        } catch (error) {
          if (error instanceof MathError) throw invalidValue(`Error in expression ${id}: ${error.message}`, { field: 'MetricDataQueries' });
          throw error;
        }
        evaluating.delete(id);
        values.set(id, value);
        return value;
      };
      for (const query of queries) {
        if (query.kind === 'expression') for (const id of referencedIds(query.expression).ids) if (!byId.has(id)) throw invalidValue(`Error in expression ${query.id}: Unrecognized metric id '${id}'.`, { field: 'MetricDataQueries' });
        valueOf(query.id);
      }

      const results: { id: string; label: string; series: Series }[] = [];
      for (const query of queries) {
        if (!query.returnData) continue;
        const value = values.get(query.id)!;
        const label = query.label ?? (query.kind === 'stat' ? query.metric.metricName : query.id);
        if (value.kind === 'series') results.push({ id: query.id, label, series: value.series });
        else if (value.kind === 'array') for (const series of value.series) results.push({ id: query.id, label: query.label ?? series.label, series });
        else if (value.kind === 'scalar') results.push({ id: query.id, label, series: { label, timestamps: grid, values: grid.map(() => value.value) } });
        else throw invalidValue(`Error in expression ${query.id}: The result of an expression must be a time series or a number.`, { field: 'MetricDataQueries' });
      }

      // Paging: the points of every result in order, MaxDatapoints a page.
      const print = fingerprint(input);
      let skip = input.NextToken === undefined ? 0 : tokenOffset(String(input.NextToken), print);
      let room = maxDatapoints;
      let remaining = 0;
      const page = results.map((result) => {
        const order = result.series.timestamps.map((_, index) => index);
        if (scanBy === 'TimestampDescending') order.reverse();
        const skipped = Math.min(skip, order.length);
        skip -= skipped;
        const taken = order.slice(skipped, skipped + room);
        room -= taken.length;
        remaining += order.length - skipped - taken.length;
        return {
          Id: result.id,
          Label: result.label,
          Timestamps: taken.map((index) => result.series.timestamps[index]! / 1000),
          Values: taken.map((index) => result.series.values[index]!),
          StatusCode: 'Complete',
          Messages: [],
        };
      });
      const offset = (input.NextToken === undefined ? 0 : tokenOffset(String(input.NextToken), print)) + maxDatapoints - room;
      if (remaining > 0) for (const result of page) result.StatusCode = 'PartialData';
      return {
        MetricDataResults: page,
        Messages: [],
        ...(remaining > 0 ? { NextToken: Buffer.from(`gmd:${offset}:${print}`).toString('base64url') } : {}),
      };
    },
  };
}
