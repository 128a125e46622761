/**
 * `npm run bench:metrics`: CloudWatch metrics against a Berth server process, through the AWS SDK.
 *
 * - PutMetricData throughput: a day of points for 10 metrics (10 points per metric per minute,
 *   144,000 points) in calls of 1,000 single-value data items from 4 concurrent clients: points/s;
 * - GetMetricData for the 10 metrics over that day at one-minute periods (1,440 periods each,
 *   Average and p99 per metric, 20 queries in all): latency p50 / p99 of 20 calls.
 *
 * Prints figures; asserts nothing.
 */
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { benchCredentials, fmt, load, startBerthProcess, stats } from './support.js';

const metrics = 10;
const perMinute = 10;
const minutes = 1440;

async function main(): Promise<void> {
  const berth = await startBerthProcess();
  const client = new CloudWatchClient({
    endpoint: berth.url,
    region: 'us-east-1',
    credentials: benchCredentials,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 8 }) }),
  });
  try {
    const end = Math.floor(Date.now() / 60_000) * 60_000;
    const start = end - minutes * 60_000;
    const data: MetricDatum[] = [];
    for (let minute = 0; minute < minutes; minute++) {
      for (let metric = 0; metric < metrics; metric++) {
        for (let i = 0; i < perMinute; i++) {
          data.push({
            MetricName: `Latency${metric}`,
            Dimensions: [{ Name: 'Service', Value: 'bench' }],
            Timestamp: new Date(start + minute * 60_000 + i * 6000),
            Value: ((minute * 7 + i * 13 + metric) % 500) + 1,
            Unit: 'Milliseconds',
          });
        }
      }
    }
    const calls = Math.ceil(data.length / 1000);
    const put = await load(4, calls, (index) => client.send(new PutMetricDataCommand({ Namespace: 'Bench', MetricData: data.slice(index * 1000, (index + 1) * 1000) })));
    const putStats = stats(put.latencies, put.seconds);
    console.log(`PutMetricData: ${data.length.toLocaleString('en-US')} points in ${calls} calls of 1,000, 4 clients: ${Math.round(data.length / put.seconds).toLocaleString('en-US')} points/s (call p50 ${fmt(putStats.p50)} ms, p99 ${fmt(putStats.p99)} ms)`);

    const queries = Array.from({ length: metrics }, (_, metric) => [
      { Id: `a${metric}`, MetricStat: { Metric: { Namespace: 'Bench', MetricName: `Latency${metric}`, Dimensions: [{ Name: 'Service', Value: 'bench' }] }, Period: 60, Stat: 'Average' } },
      { Id: `p${metric}`, MetricStat: { Metric: { Namespace: 'Bench', MetricName: `Latency${metric}`, Dimensions: [{ Name: 'Service', Value: 'bench' }] }, Period: 60, Stat: 'p99' } },
    ]).flat();
    let values = 0;
    const latencies: number[] = [];
    for (let run = 0; run < 20; run++) {
      const t0 = performance.now();
      const answer = await client.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(start), EndTime: new Date(end) }));
      latencies.push(performance.now() - t0);
      values = answer.MetricDataResults!.reduce((sum, result) => sum + result.Values!.length, 0);
    }
    const get = stats(latencies, 1);
    console.log(`GetMetricData: 10 metrics × (Average, p99) over a day at 60 s periods (${values.toLocaleString('en-US')} values per answer): p50 ${fmt(get.p50)} ms, p99 ${fmt(get.p99)} ms over 20 calls`);
  } finally {
    client.destroy();
    await berth.stop();
  }
}

await main();
