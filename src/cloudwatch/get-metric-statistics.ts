/**
 * GetMetricStatistics: one metric's statistics per period over [StartTime, EndTime), a data point
 * per period and unit that has points (without a Unit filter, each unit apart, as CloudWatch does).
 * Periods start at StartTime rounded down (see periodRange): the same points fall in the same
 * periods however the range is cut.
 */
import type { Handler } from '../edge/protocols/operation.js';
import type { CloudWatchDeps } from './deps.js';
import { invalidCombination, invalidValue } from './errors.js';
import type { Statistic } from './storage/types.js';
import { checkDimensions, checkExtendedStatistic, checkName, checkNamespace, checkPeriod, checkUnit, parseStatistic, timestampOf } from './validate.js';

export const maxDatapoints = 1440;

/**
 * [start, end) as the periods cover it: start rounded down to the minute (to the period below a
 * minute) and, as CloudWatch rounds it, to 5 minutes when more than 15 days back and to the hour
 * when more than 63 days back, where only the coarser roll-ups are left.
 */
export function periodRange(startMs: number, endMs: number, periodSeconds: number, nowMs: number, startParameter = 'StartTime'): { start: number; end: number } {
  if (startMs >= endMs) throw invalidValue(`The parameter ${startParameter} must be less than the parameter EndTime.`, { field: startParameter });
  const day = 24 * 3600_000;
  const age = nowMs - startMs;
  const grain = (age > 63 * day ? 3600 : age > 15 * day ? 300 : Math.min(periodSeconds, 60)) * 1000;
  return { start: Math.floor(startMs / grain) * grain, end: endMs };
}

export function tooManyDatapoints(count: number): Error {
  return invalidCombination(
    `You have requested up to ${count.toLocaleString('en-US')} datapoints, which exceeds the limit of ${maxDatapoints.toLocaleString('en-US')}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
    { field: 'Period' },
  );
}

export function getMetricStatisticsOperation(deps: CloudWatchDeps): Record<string, Handler> {
  return {
    GetMetricStatistics: async (input: Record<string, unknown>, ctx) => {
      const namespace = checkNamespace(input.Namespace);
      const metricName = checkName(input.MetricName, 'MetricName');
      const dimensions = checkDimensions(input.Dimensions, 'Dimensions');
      const period = checkPeriod(input.Period, 'Period');
      const unit = checkUnit(input.Unit, 'Unit');
      const basic = (input.Statistics ?? []) as string[];
      const extended = (input.ExtendedStatistics ?? []) as string[];
      if (basic.length === 0 && extended.length === 0) {
        throw invalidCombination('At least one of the parameters Statistics and ExtendedStatistics must be specified.', { field: 'Statistics' });
      }
      if (basic.length > 5) throw invalidValue('The collection Statistics must not have a size greater than 5.', { field: 'Statistics' });
      if (extended.length > 10) throw invalidValue('The collection ExtendedStatistics must not have a size greater than 10.', { field: 'ExtendedStatistics' });
      const statistics: Statistic[] = basic.map((name, index) => {
        const statistic = parseStatistic(name, `Statistics.member.${index + 1}`);
        if (!statistic || statistic.kind === 'percentile' || statistic.kind === 'trimmedMean') {
          throw invalidValue(`The value ${name} for parameter Statistics.member.${index + 1} is invalid.`, {
            field: `Statistics.member.${index + 1}`,
            hint: 'Statistics are SampleCount, Average, Sum, Minimum and Maximum; percentiles go in ExtendedStatistics.',
          });
        }
        return statistic;
      });
      statistics.push(...extended.map((name, index) => checkExtendedStatistic(name, `ExtendedStatistics.member.${index + 1}`)));
      const { start, end } = periodRange(timestampOf(input.StartTime, 'StartTime'), timestampOf(input.EndTime, 'EndTime'), period, ctx.now.getTime());
      const count = Math.ceil((end - start) / (period * 1000));
      if (count > maxDatapoints) throw tooManyDatapoints(count);

      const periods = await deps.storage.aggregate({
        metric: { accountId: ctx.scope.accountId, region: ctx.scope.region, namespace, metricName, dimensions },
        start,
        end,
        periodSeconds: period,
        ...(unit ? { unit } : {}),
        mergeUnits: false,
        statistics,
      });
      return {
        Label: metricName,
        Datapoints: periods.map((found) => {
          const point: Record<string, unknown> = { Timestamp: found.timestamp / 1000, Unit: found.unit };
          basic.forEach((name, index) => (point[name] = found.values[index]));
          const percentiles: Record<string, number> = {};
          extended.forEach((name, index) => {
            const value = found.values[basic.length + index];
            if (value !== undefined) percentiles[name] = value;
          });
          if (extended.length > 0) point.ExtendedStatistics = percentiles;
          return point;
        }),
      };
    },
  };
}
