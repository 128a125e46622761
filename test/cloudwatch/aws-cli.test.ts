/**
 * CloudWatch metrics through the real `aws cloudwatch` (skipped where the machine has none):
 * put-metric-data, get-metric-statistics, get-metric-data, list-metrics and an error as the CLI
 * prints it. The CLI v1 of this machine (botocore 1.43) sends AWS JSON 1.0 as the SDKs do; older
 * CLIs and SDKs send Query, driven here by hand-signed form requests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliEnvironment, hasAwsCli, run } from '../helpers/aws-cli.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { signedRequest } from '../helpers/wire.js';

describe('aws cloudwatch against Berth', { skip: hasAwsCli ? false : 'the aws command is not installed on this machine' }, () => {
  let berth: TestBerth;
  const base = Math.floor((Date.now() - 3600_000) / 60_000) * 60_000;
  const iso = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
  const aws = async (...args: string[]) => {
    const { stdout } = await run('aws', ['--endpoint-url', berth.url, '--output', 'json', 'cloudwatch', ...args], { env: cliEnvironment });
    return JSON.parse(stdout || '{}') as Record<string, any>;
  };
  before(async () => {
    berth = await startBerth();
  });
  after(async () => berth.close());

  it('puts points and reads them back as statistics and metric data', async () => {
    await aws('put-metric-data', '--namespace', 'Cli', '--metric-name', 'Queue', '--dimensions', 'Queue=jobs,Env=dev', '--value', '4', '--unit', 'Count', '--timestamp', iso(0));
    await aws('put-metric-data', '--namespace', 'Cli', '--metric-name', 'Queue', '--dimensions', 'Env=dev,Queue=jobs', '--value', '6', '--unit', 'Count', '--timestamp', iso(0));
    await aws(
      'put-metric-data', '--namespace', 'Cli', '--metric-name', 'Queue', '--dimensions', 'Queue=jobs,Env=dev', '--unit', 'Count', '--timestamp', iso(1),
      '--statistic-values', 'SampleCount=2,Sum=30,Minimum=10,Maximum=20',
    );
    const stats = await aws(
      'get-metric-statistics', '--namespace', 'Cli', '--metric-name', 'Queue', '--dimensions', 'Name=Queue,Value=jobs', 'Name=Env,Value=dev',
      '--start-time', iso(0), '--end-time', iso(2), '--period', '60', '--statistics', 'Sum', 'Maximum', 'SampleCount',
    );
    // The CLI v1 prints timestamps as they came on the wire: epoch seconds in JSON.
    const points = (stats.Datapoints as { Timestamp: number; Sum: number; Maximum: number; SampleCount: number; Unit: string }[]).sort((a, b) => a.Timestamp - b.Timestamp);
    // The dimensions' order does not make another metric.
    assert.deepEqual(points.map((p) => [p.Timestamp * 1000 - base, p.Sum, p.Maximum, p.SampleCount, p.Unit]), [[0, 10, 6, 2, 'Count'], [60_000, 30, 20, 2, 'Count']]);

    const queries = JSON.stringify([
      { Id: 'q', MetricStat: { Metric: { Namespace: 'Cli', MetricName: 'Queue', Dimensions: [{ Name: 'Queue', Value: 'jobs' }, { Name: 'Env', Value: 'dev' }] }, Period: 60, Stat: 'Average' } },
      { Id: 'twice', Expression: 'q * 2' },
    ]);
    const data = await aws('get-metric-data', '--metric-data-queries', queries, '--start-time', iso(0), '--end-time', iso(2), '--scan-by', 'TimestampAscending');
    const byId = Object.fromEntries((data.MetricDataResults as { Id: string; Values: number[]; StatusCode: string }[]).map((r) => [r.Id, r])) as Record<string, { Values: number[]; StatusCode: string }>;
    assert.deepEqual(byId.q!.Values, [5, 15]);
    assert.deepEqual(byId.twice!.Values, [10, 30]);
    assert.equal(byId.q!.StatusCode, 'Complete');

    const listed = await aws('list-metrics', '--namespace', 'Cli', '--dimensions', 'Name=Env');
    assert.deepEqual(listed.Metrics, [{ Namespace: 'Cli', MetricName: 'Queue', Dimensions: [{ Name: 'Env', Value: 'dev' }, { Name: 'Queue', Value: 'jobs' }] }]);
  });

  it('prints CloudWatch errors with their Query codes', async () => {
    try {
      await run('aws', ['--endpoint-url', berth.url, 'cloudwatch', 'put-metric-data', '--namespace', 'AWS/EC2', '--metric-name', 'CPU', '--value', '1'], { env: cliEnvironment });
      assert.fail('the put succeeded');
    } catch (error) {
      assert.match(String((error as { stderr?: string }).stderr), /\(InvalidParameterValue\) when calling the PutMetricData operation: The value AWS\/ for parameter Namespace is invalid\./);
    }
  });
});

describe('CloudWatch over the Query protocol (older CLIs and SDKs)', () => {
  let berth: TestBerth;
  const base = Math.floor((Date.now() - 3600_000) / 60_000) * 60_000;
  const query = (params: Record<string, string>) =>
    signedRequest(berth.url, {
      service: 'monitoring',
      contentType: 'application/x-www-form-urlencoded; charset=utf-8',
      body: new URLSearchParams({ Version: '2010-08-01', ...params }).toString(),
    });
  before(async () => {
    berth = await startBerth();
  });
  after(async () => berth.close());

  it('puts with flattened members and answers XML, errors under their Query codes', async () => {
    const put = await query({
      Action: 'PutMetricData',
      Namespace: 'Old',
      'MetricData.member.1.MetricName': 'Jobs',
      'MetricData.member.1.Value': '7',
      'MetricData.member.1.Unit': 'Count',
      'MetricData.member.1.Timestamp': new Date(base).toISOString(),
      'MetricData.member.1.Dimensions.member.1.Name': 'Queue',
      'MetricData.member.1.Dimensions.member.1.Value': 'a',
    });
    assert.equal(put.status, 200, put.bytes.toString());
    const stats = await query({
      Action: 'GetMetricStatistics',
      Namespace: 'Old',
      MetricName: 'Jobs',
      'Dimensions.member.1.Name': 'Queue',
      'Dimensions.member.1.Value': 'a',
      StartTime: new Date(base).toISOString(),
      EndTime: new Date(base + 60_000).toISOString(),
      Period: '60',
      'Statistics.member.1': 'Sum',
    });
    const xml = stats.bytes.toString();
    assert.match(xml, /<GetMetricStatisticsResponse xmlns="http:\/\/monitoring.amazonaws.com\/doc\/2010-08-01\/">/);
    assert.match(xml, new RegExp(`<member><Timestamp>${new Date(base).toISOString()}</Timestamp><Sum>7</Sum><Unit>Count</Unit></member>`));
    const refused = await query({ Action: 'PutMetricData', Namespace: 'AWS/EC2', 'MetricData.member.1.MetricName': 'CPU', 'MetricData.member.1.Value': '1' });
    assert.equal(refused.status, 400);
    assert.match(refused.bytes.toString(), /<Code>InvalidParameterValue<\/Code><Message>The value AWS\/ for parameter Namespace is invalid\.<\/Message>/);
  });
});
