/**
 * CloudWatch metrics through @aws-sdk/client-cloudwatch (AWS JSON 1.0): puts in every form, reads
 * back with GetMetricStatistics, GetMetricData (math, paging, order) and ListMetrics, and AWS's
 * errors with their Query codes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
  type MetricDatum,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';

const minute = 60_000;

describe('CloudWatch metrics through the AWS SDK', () => {
  let berth: TestBerth;
  let cloudwatch: CloudWatchClient;
  // An hour ago, on a minute boundary: every point lies well inside the two weeks CloudWatch takes.
  const base = Math.floor((Date.now() - 3600_000) / minute) * minute;
  const at = (minutes: number, seconds = 0) => new Date(base + minutes * minute + seconds * 1000);
  const web = [{ Name: 'Service', Value: 'web' }];

  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error as { name: string; message: string; Code?: string; $response?: unknown };
    }
    assert.fail('the call succeeded');
  };

  before(async () => {
    berth = await startBerth();
    cloudwatch = new CloudWatchClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
  });
  after(async () => {
    cloudwatch.destroy();
    await berth.close();
  });

  it('puts values, statistic sets and values with counts, and reads each statistic per minute', async () => {
    const data: MetricDatum[] = [
      { MetricName: 'Latency', Dimensions: web, Timestamp: at(0, 5), Value: 10, Unit: 'Milliseconds' },
      { MetricName: 'Latency', Dimensions: web, Timestamp: at(0, 30), Value: 30, Unit: 'Milliseconds' },
      { MetricName: 'Latency', Dimensions: web, Timestamp: at(1), StatisticValues: { SampleCount: 4, Sum: 100, Minimum: 5, Maximum: 50 }, Unit: 'Milliseconds' },
      { MetricName: 'Latency', Dimensions: web, Timestamp: at(2), Values: [1, 2, 100], Counts: [50, 45, 5], Unit: 'Milliseconds' },
    ];
    await cloudwatch.send(new PutMetricDataCommand({ Namespace: 'Shop', MetricData: data }));
    const stats = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Shop',
        MetricName: 'Latency',
        Dimensions: web,
        StartTime: at(0),
        EndTime: at(3),
        Period: 60,
        Statistics: ['SampleCount', 'Sum', 'Average', 'Minimum', 'Maximum'],
        ExtendedStatistics: ['p50', 'p99'],
      }),
    );
    assert.equal(stats.Label, 'Latency');
    const byMinute = stats.Datapoints!.sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime());
    assert.deepEqual(
      byMinute.map((p) => [p.Timestamp!.getTime() - base, p.SampleCount, p.Sum, p.Average, p.Minimum, p.Maximum, p.Unit]),
      [
        [0, 2, 40, 20, 10, 30, 'Milliseconds'],
        [minute, 4, 100, 25, 5, 50, 'Milliseconds'],
        [2 * minute, 100, 640, 6.4, 1, 100, 'Milliseconds'],
      ],
    );
    // No percentiles over a statistic set; over values, within the sketch's 1%.
    assert.deepEqual(byMinute[1]!.ExtendedStatistics, {});
    assert.ok(Math.abs(byMinute[2]!.ExtendedStatistics!.p50! - 1) <= 0.01);
    assert.ok(Math.abs(byMinute[2]!.ExtendedStatistics!.p99! - 100) <= 1);
    // A Unit filter that matches nothing reads nothing.
    const seconds = await cloudwatch.send(
      new GetMetricStatisticsCommand({ Namespace: 'Shop', MetricName: 'Latency', Dimensions: web, StartTime: at(0), EndTime: at(3), Period: 60, Statistics: ['Sum'], Unit: 'Seconds' }),
    );
    assert.deepEqual(seconds.Datapoints, []);
  });

  it('answers GetMetricData with metric math, in descending order by default, paged by MaxDatapoints', async () => {
    const data: MetricDatum[] = [];
    for (let i = 0; i < 5; i++) {
      data.push({ MetricName: 'Requests', Dimensions: web, Timestamp: at(10 + i), Value: 100, Unit: 'Count' });
      if (i !== 2) data.push({ MetricName: 'Errors', Dimensions: web, Timestamp: at(10 + i), Value: i, Unit: 'Count' });
    }
    await cloudwatch.send(new PutMetricDataCommand({ Namespace: 'Shop', MetricData: data }));
    const queries = [
      { Id: 'r', MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Requests', Dimensions: web }, Period: 60, Stat: 'Sum' }, ReturnData: false },
      { Id: 'e', MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Errors', Dimensions: web }, Period: 60, Stat: 'Sum' }, ReturnData: false },
      { Id: 'rate', Expression: 'FILL(e, 0) / r * 100', Label: 'Error rate' },
    ];
    const whole = await cloudwatch.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: at(10), EndTime: at(15) }));
    assert.equal(whole.MetricDataResults!.length, 1);
    const result = whole.MetricDataResults![0]!;
    assert.equal(result.Id, 'rate');
    assert.equal(result.Label, 'Error rate');
    assert.equal(result.StatusCode, 'Complete');
    assert.deepEqual(result.Timestamps!.map((t) => (t.getTime() - base) / minute), [14, 13, 12, 11, 10]);
    assert.deepEqual(result.Values, [4, 3, 0, 1, 0]);

    const first = await cloudwatch.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: at(10), EndTime: at(15), ScanBy: 'TimestampAscending', MaxDatapoints: 3 }));
    assert.deepEqual(first.MetricDataResults![0]!.Values, [0, 1, 0]);
    assert.equal(first.MetricDataResults![0]!.StatusCode, 'PartialData');
    assert.ok(first.NextToken);
    const second = await cloudwatch.send(
      new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: at(10), EndTime: at(15), ScanBy: 'TimestampAscending', MaxDatapoints: 3, NextToken: first.NextToken }),
    );
    assert.deepEqual(second.MetricDataResults![0]!.Values, [3, 4]);
    assert.equal(second.MetricDataResults![0]!.StatusCode, 'Complete');
    assert.equal(second.NextToken, undefined);
    const stale = await failure(cloudwatch.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: at(9), EndTime: at(15), NextToken: first.NextToken })));
    assert.equal(stale.name, 'InvalidNextToken');
  });

  it('takes 1,000 data items in a call, gzip-compressed as the SDK sends large puts, and refuses 1,001', async () => {
    const items = (count: number): MetricDatum[] =>
      Array.from({ length: count }, (_, i) => ({ MetricName: 'Batch', Dimensions: [{ Name: 'Shard', Value: `s${i % 10}` }], Timestamp: at(20, i % 60), Value: i, Unit: 'Count' }));
    await cloudwatch.send(new PutMetricDataCommand({ Namespace: 'Bulk', MetricData: items(1000) }));
    const sums = await Promise.all(
      Array.from({ length: 10 }, (_, shard) =>
        cloudwatch.send(new GetMetricStatisticsCommand({ Namespace: 'Bulk', MetricName: 'Batch', Dimensions: [{ Name: 'Shard', Value: `s${shard}` }], StartTime: at(20), EndTime: at(21), Period: 60, Statistics: ['SampleCount', 'Sum'] })),
      ),
    );
    assert.deepEqual(sums.map((answer) => answer.Datapoints![0]!.SampleCount), new Array(10).fill(100));
    assert.equal(sums.reduce((total, answer) => total + answer.Datapoints![0]!.Sum!, 0), (999 * 1000) / 2);
    const over = await failure(cloudwatch.send(new PutMetricDataCommand({ Namespace: 'Bulk', MetricData: items(1001) })));
    assert.equal(over.name, 'InvalidParameterValueException');
    assert.equal(over.message, 'The collection MetricData must not have a size greater than 1000.');
  });

  it('lists metrics by namespace and dimension, a Name alone matching any value', async () => {
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Listing',
        MetricData: [
          { MetricName: 'Hits', Dimensions: [{ Name: 'Service', Value: 'api' }], Value: 1 },
          { MetricName: 'Hits', Dimensions: [{ Name: 'Service', Value: 'web' }], Value: 1 },
          { MetricName: 'Hits', Value: 1 },
        ],
      }),
    );
    const withService = await cloudwatch.send(new ListMetricsCommand({ Namespace: 'Listing', Dimensions: [{ Name: 'Service' }] }));
    assert.deepEqual(withService.Metrics!.map((m) => m.Dimensions![0]!.Value).sort(), ['api', 'web']);
    const api = await cloudwatch.send(new ListMetricsCommand({ Namespace: 'Listing', Dimensions: [{ Name: 'Service', Value: 'api' }], RecentlyActive: 'PT3H' }));
    assert.equal(api.Metrics!.length, 1);
    const linked = await failure(cloudwatch.send(new ListMetricsCommand({ IncludeLinkedAccounts: true })));
    assert.equal(linked.name, 'InvalidParameterValueException');
  });

  it("refuses bad input in CloudWatch's words, with its Query error codes", async () => {
    const aws = await failure(cloudwatch.send(new PutMetricDataCommand({ Namespace: 'AWS/ECS', MetricData: [{ MetricName: 'CPUUtilization', Value: 1 }] })));
    assert.equal(aws.name, 'InvalidParameterValueException');
    assert.equal(aws.Code, 'InvalidParameterValue');
    assert.equal(aws.message, 'The value AWS/ for parameter Namespace is invalid.');
    const unit = await failure(cloudwatch.send(new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [{ MetricName: 'X', Value: 1, Unit: 'Furlongs' as StandardUnit }] })));
    assert.equal(unit.Code, 'InvalidParameterValue');
    assert.equal(
      unit.message,
      'The parameter MetricData.member.1.Unit must be a value in the set [ Megabits, Terabits, Gigabits, Count, Bytes, Gigabytes, Gigabytes/Second, Kilobytes, Kilobits/Second, Terabytes, Terabits/Second, Bytes/Second, Percent, Megabytes, Megabits/Second, Milliseconds, Microseconds, Kilobytes/Second, Gigabits/Second, Megabytes/Second, Bits, Bits/Second, Count/Second, Seconds, Kilobits, Terabytes/Second, None ].',
    );
    const both = await failure(cloudwatch.send(new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [{ MetricName: 'X', Value: 1, Values: [1] }] })));
    assert.equal(both.name, 'InvalidParameterCombinationException');
    assert.equal(both.message, 'The parameters MetricData.member.1.Value and MetricData.member.1.Values are mutually exclusive and you have specified both.');
    const old = await failure(cloudwatch.send(new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [{ MetricName: 'X', Value: 1, Timestamp: new Date(Date.now() - 15 * 24 * 3600_000) }] })));
    assert.equal(old.name, 'InvalidParameterValueException');
    const noName = await failure(cloudwatch.send(new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [{ MetricName: '', Value: 1 }] })));
    assert.equal(noName.name, 'MissingRequiredParameterException');
    assert.equal(noName.Code, 'MissingParameter');
    const tooMany = await failure(
      cloudwatch.send(new GetMetricStatisticsCommand({ Namespace: 'Shop', MetricName: 'Latency', StartTime: new Date(base - 2 * 24 * 3600_000), EndTime: new Date(base), Period: 60, Statistics: ['Sum'] })),
    );
    assert.equal(tooMany.name, 'InvalidParameterCombinationException');
    assert.equal(tooMany.message, 'You have requested up to 2,880 datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.');
    const period = await failure(cloudwatch.send(new GetMetricStatisticsCommand({ Namespace: 'Shop', MetricName: 'Latency', StartTime: at(0), EndTime: at(3), Period: 90, Statistics: ['Sum'] })));
    assert.equal(period.message, 'The parameter Period must be a multiple of 60.');
    const noStats = await failure(cloudwatch.send(new GetMetricStatisticsCommand({ Namespace: 'Shop', MetricName: 'Latency', StartTime: at(0), EndTime: at(3), Period: 60 })));
    assert.equal(noStats.message, 'At least one of the parameters Statistics and ExtendedStatistics must be specified.');
    const search = await failure(
      cloudwatch.send(new GetMetricDataCommand({ MetricDataQueries: [{ Id: 's', Expression: "SEARCH('{Shop} Latency', 'Average', 60)" }], StartTime: at(0), EndTime: at(3) })),
    );
    assert.equal(search.name, 'InvalidParameterValueException');
    assert.match(search.message, /Unsupported function SEARCH/);
  });
});
