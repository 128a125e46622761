/**
 * ListMetrics: the metrics of the caller's account and Region with a point in the last two weeks
 * (compaction drops the rest), 500 a page, filtered by namespace, name, dimensions (a Name alone
 * matches any value) and RecentlyActive PT3H.
 */
import type { Handler } from '../edge/protocols/operation.js';
import type { CloudWatchDeps } from './deps.js';
import { badValue, invalidNextToken, invalidValue } from './errors.js';
import { checkDimensionFilters, checkName, checkNamespace } from './validate.js';

const pageSize = 500;

export const encodeToken = (after: string) => Buffer.from(`metrics:${after}`).toString('base64url');

export function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const match = /^metrics:(\d+)$/.exec(text);
  if (!match) throw invalidNextToken(token);
  return match[1]!;
}

export function listMetricsOperation(deps: CloudWatchDeps): Record<string, Handler> {
  return {
    ListMetrics: async (input: Record<string, unknown>, ctx) => {
      if (input.IncludeLinkedAccounts === true) {
        throw invalidValue('The value true for parameter IncludeLinkedAccounts is invalid.', {
          field: 'IncludeLinkedAccounts',
          hint: 'Berth has no cross-account observability: each account lists its own metrics.',
        });
      }
      if (input.OwningAccount !== undefined && input.OwningAccount !== ctx.scope.accountId) {
        throw badValue(input.OwningAccount, 'OwningAccount', { hint: `Without cross-account observability only your own account ${ctx.scope.accountId} has metrics to list.` });
      }
      if (input.RecentlyActive !== undefined && input.RecentlyActive !== 'PT3H') throw badValue(input.RecentlyActive, 'RecentlyActive', { hint: 'The one value CloudWatch takes is PT3H.' });
      const now = ctx.now.getTime();
      const page = await deps.storage.listMetrics({
        accountId: ctx.scope.accountId,
        region: ctx.scope.region,
        ...(input.Namespace !== undefined ? { namespace: checkNamespace(input.Namespace) } : {}),
        ...(input.MetricName !== undefined ? { metricName: checkName(input.MetricName, 'MetricName') } : {}),
        dimensions: checkDimensionFilters(input.Dimensions),
        ...(input.RecentlyActive !== undefined ? { activeSince: now - 3 * 3600_000 } : {}),
        ...(input.NextToken !== undefined ? { after: decodeToken(String(input.NextToken)) } : {}),
        limit: pageSize,
      });
      return {
        Metrics: page.metrics.map((metric) => ({
          Namespace: metric.namespace,
          MetricName: metric.metricName,
          Dimensions: metric.dimensions.map((d) => ({ Name: d.name, Value: d.value })),
        })),
        ...(page.next ? { NextToken: encodeToken(page.next) } : {}),
        ...(input.OwningAccount !== undefined || input.IncludeLinkedAccounts === true ? { OwningAccounts: page.metrics.map(() => ctx.scope.accountId) } : {}),
      };
    },
  };
}
