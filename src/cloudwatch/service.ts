/**
 * The CloudWatch metrics API, signed as `monitoring`, in both protocols its clients send: AWS JSON
 * 1.0 (X-Amz-Target GraniteServiceVersion20100801.<Operation>, what the current AWS SDKs send, with
 * Query error codes in x-amzn-query-error as the model's awsQueryCompatible trait asks) and Query
 * version 2010-08-01 (what the aws CLI v1 and older SDKs send). Both run the same handlers.
 *
 * Metric points live in the metric store (storage/), not in the record store; alarms (alarms/) in
 * the record store. Composite alarms, dashboards, metric streams and the rest of CloudWatch answer
 * UnknownOperationException / InvalidAction.
 *
 * Berth's own metrics (later work) do not go through HTTP: the control plane calls
 * `MetricPublisher.putMetricPoints` (publisher.ts), which takes the AWS/ namespaces clients may not
 * put into.
 */
import * as cloudWatchModel from '@aws-sdk/client-cloudwatch';
import { defineJsonService, type JsonService } from '../edge/protocols/aws-json.js';
import { defineQueryService, queryErrorCodesOf, type QueryService } from '../edge/protocols/aws-query.js';
import type { Handler } from '../edge/protocols/operation.js';
import type { CloudWatchDeps } from './deps.js';
import { getMetricDataOperation } from './get-metric-data.js';
import { getMetricStatisticsOperation } from './get-metric-statistics.js';
import { listMetricsOperation } from './list-metrics.js';
import { putMetricDataOperation } from './put-metric-data.js';
import { alarmOperations } from './alarms/operations.js';
import { taggingOperations } from './alarms/tagging.js';

export const cloudWatchTargetPrefix = 'GraniteServiceVersion20100801';
export const cloudWatchQueryVersion = '2010-08-01';

function handlers(deps: CloudWatchDeps): Record<string, Handler> {
  return {
    ...putMetricDataOperation(deps),
    ...getMetricStatisticsOperation(deps),
    ...getMetricDataOperation(deps),
    ...listMetricsOperation(deps),
    ...alarmOperations(deps),
    ...taggingOperations(deps),
  };
}

export function cloudWatchServices(deps: CloudWatchDeps): { json: JsonService; query: QueryService } {
  const model = cloudWatchModel as Record<string, unknown>;
  const operations = handlers(deps);
  return {
    json: {
      ...defineJsonService(model, { id: 'cloudwatch', signingName: 'monitoring', targetPrefix: cloudWatchTargetPrefix, jsonVersion: '1.0' }, operations),
      queryErrorCodes: queryErrorCodesOf(model),
    },
    query: defineQueryService(
      model,
      { id: 'cloudwatch-query', signingName: 'monitoring', version: cloudWatchQueryVersion, xmlNamespace: `http://monitoring.amazonaws.com/doc/${cloudWatchQueryVersion}/` },
      operations,
    ),
  };
}
