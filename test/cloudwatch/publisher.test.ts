/**
 * Berth's own metrics: put in process through the server's MetricPublisher (AWS/ namespaces
 * included, which the API refuses to clients) and read by a client as AWS's; the
 * --metric-period-seconds setting's checks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { signedFetch } from '../../src/cli/signed-fetch.js';
import { checkConfig, configFromEnvironment } from '../../src/config.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';

describe("Berth's own metrics", () => {
  let berth: TestBerth;
  let cloudwatch: CloudWatchClient;
  before(async () => {
    berth = await startBerth({ metricPeriodSeconds: 10 });
    cloudwatch = new CloudWatchClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
  });
  after(async () => {
    cloudwatch.destroy();
    await berth.close();
  });

  it('are put in process into AWS/ namespaces and read back by clients, at the configured period', async () => {
    const publisher = berth.server.metrics;
    assert.equal(publisher.periodSeconds, 10);
    const start = Math.floor((Date.now() - 600_000) / 60_000) * 60_000;
    const dimensions = [
      { name: 'ClusterName', value: 'default' },
      { name: 'ServiceName', value: 'web' },
    ];
    await publisher.putMetricPoints({ accountId: berth.config.accountId, region: 'us-east-1' }, [
      { namespace: 'AWS/ECS', metricName: 'CPUUtilization', dimensions, timestamp: start, value: { kind: 'value', value: 20 }, unit: 'Percent' },
      { namespace: 'AWS/ECS', metricName: 'CPUUtilization', dimensions, timestamp: start + 10_000, value: { kind: 'value', value: 40 }, unit: 'Percent' },
    ]);
    const tenSeconds = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/ECS',
        MetricName: 'CPUUtilization',
        Dimensions: [{ Name: 'ServiceName', Value: 'web' }, { Name: 'ClusterName', Value: 'default' }],
        StartTime: new Date(start),
        EndTime: new Date(start + 60_000),
        Period: 10,
        Statistics: ['Average'],
      }),
    );
    // Shorter than a minute: kept as high-resolution points, readable per 10 seconds.
    assert.deepEqual(tenSeconds.Datapoints!.map((p) => [p.Timestamp!.getTime() - start, p.Average, p.Unit]).sort((a, b) => (a[0] as number) - (b[0] as number)), [[0, 20, 'Percent'], [10_000, 40, 'Percent']]);
    const listed = await cloudwatch.send(new ListMetricsCommand({ Namespace: 'AWS/ECS' }));
    assert.equal(listed.Metrics!.length, 1);
    await assert.rejects(
      publisher.putMetricPoints({ accountId: berth.config.accountId, region: 'us-east-1' }, [{ namespace: 'AWS/ECS', metricName: 'X', dimensions: [], value: { kind: 'value', value: 1 }, unit: 'Parsecs' as 'Count' }]),
      /unknown unit Parsecs/,
    );
  });

  it('are gone after a reset of the account, with the metrics clients put', async () => {
    await berth.server.metrics.putMetricPoints({ accountId: berth.config.accountId, region: 'us-east-1' }, [
      { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions: [{ name: 'LoadBalancer', value: 'app/web/1' }], value: { kind: 'value', value: 1 }, unit: 'Count' },
    ]);
    assert.ok((await cloudwatch.send(new ListMetricsCommand({}))).Metrics!.length > 0);
    const reset = await signedFetch(berth.url, '/_berth/reset', { credentials: testCredentials, region: 'us-east-1', service: 'berth' });
    assert.equal(reset.status, 200);
    assert.deepEqual((await cloudwatch.send(new ListMetricsCommand({}))).Metrics, []);
  });

  it('takes a metric period of 1, 5, 10, 30 or 60 seconds', () => {
    const base = configFromEnvironment({});
    assert.deepEqual(checkConfig({ ...base, metricPeriodSeconds: 30 }), []);
    assert.deepEqual(checkConfig({ ...base, metricPeriodSeconds: 45 }), ["metric period must be one of 1, 5, 10, 30, 60 seconds, got '45'"]);
    assert.equal(configFromEnvironment({ BERTH_METRIC_PERIOD: '5' }).metricPeriodSeconds, 5);
  });
});
