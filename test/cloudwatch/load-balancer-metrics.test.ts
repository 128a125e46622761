/**
 * The load balancers' metrics end to end: requests through a real listener of the embedded data
 * plane to a real HTTP target, the publisher driven by the clock (10-second periods), the points
 * read back through @aws-sdk/client-cloudwatch with AWS's names and dimensions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudWatchClient, GetMetricStatisticsCommand, type Statistic } from '@aws-sdk/client-cloudwatch';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AdvancingClock } from '../../src/core/clock.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { eventually, get, startTarget, type Target } from '../elbv2/data-plane/harness.js';
import { elbClient } from '../elbv2/elbv2-client.js';

const periodMs = 10_000;

describe('load balancer metrics', () => {
  const clock = new AdvancingClock();
  let berth: TestBerth;
  let elb: ElasticLoadBalancingV2Client;
  let cloudwatch: CloudWatchClient;
  let target: Target;
  let lbArn: string;
  let groupArn: string;
  let address: string;
  const startedAt = Date.now();

  /** Ends the current period on the clock and has the publisher put it. */
  const publishPeriod = async () => {
    clock.advance(periodMs);
    await berth.server.loadBalancerMetrics.settle();
  };
  const dimension = (arn: string, prefix: string) => arn.slice(arn.indexOf(prefix) + (prefix === 'loadbalancer/' ? prefix.length : 0));
  /** One statistic over everything published since the test began (one long period). */
  const statistic = async (metricName: string, dimensions: Record<string, string>, stat: Statistic) => {
    const { Datapoints = [] } = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/ApplicationELB',
        MetricName: metricName,
        Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
        StartTime: new Date(startedAt - 3_600_000),
        EndTime: new Date(clock.now().getTime() + 3_600_000),
        Period: 3 * 3600,
        Statistics: [stat],
      }),
    );
    return Datapoints.length === 0 ? undefined : { value: Datapoints[0]?.[stat], unit: Datapoints[0]?.Unit };
  };

  before(async () => {
    berth = await startBerth({ metricPeriodSeconds: 10 }, { clock });
    elb = elbClient(berth);
    cloudwatch = new CloudWatchClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    target = await startTarget('a');
    const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: 'web', Type: 'application', Subnets: ['subnet-local'] }));
    lbArn = LoadBalancers?.[0]?.LoadBalancerArn as string;
    const { TargetGroups } = await elb.send(
      new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 80, TargetType: 'ip', HealthCheckPath: '/health', HealthCheckIntervalSeconds: 5, HealthyThresholdCount: 2 }),
    );
    groupArn = TargetGroups?.[0]?.TargetGroupArn as string;
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 8080, DefaultActions: [{ Type: 'forward', TargetGroupArn: groupArn }] }));
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: groupArn, Targets: [{ Id: '127.0.0.1', Port: target.port }] }));
    const record = await berth.server.store.read((tx) => tx.loadBalancers.get(lbArn));
    address = record?.address as string;
    await eventually(async () => {
      await berth.server.loadBalancers.settle();
      const plane = await berth.server.dataPlane.get(false);
      await plane?.checkHealthNow?.();
      await berth.server.loadBalancers.settle();
      const { TargetHealthDescriptions = [] } = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: groupArn }));
      assert.equal(TargetHealthDescriptions[0]?.TargetHealth?.State, 'healthy');
    }, 30_000);
  });
  after(async () => {
    elb?.destroy();
    cloudwatch?.destroy();
    await berth?.close();
    await target?.close();
  });

  it('counts N requests through a listener as RequestCount N, per load balancer and per target group', async () => {
    const lb = dimension(lbArn, 'loadbalancer/');
    const tg = dimension(groupArn, 'targetgroup/');
    assert.match(lb, /^app\/web\/[0-9a-f]+$/);
    assert.match(tg, /^targetgroup\/web\/[0-9a-f]+$/);
    // Whatever came before (health checks only) is published first: no request counted.
    await publishPeriod();
    assert.equal(await statistic('RequestCount', { LoadBalancer: lb }, 'Sum'), undefined);

    const requests = 7;
    for (let i = 0; i < requests; i++) assert.equal((await get(`http://${address}:8080/hello`)).status, 200);
    // The target's health path answers too when asked through the listener: a request like any other.
    assert.equal((await get(`http://${address}:8080/health`)).status, 200);
    await publishPeriod();

    const total = requests + 1;
    assert.deepEqual(await statistic('RequestCount', { LoadBalancer: lb }, 'Sum'), { value: total, unit: 'Count' });
    assert.deepEqual(await statistic('RequestCount', { LoadBalancer: lb, TargetGroup: tg }, 'Sum'), { value: total, unit: 'Count' });
    assert.deepEqual(await statistic('RequestCount', { TargetGroup: tg }, 'Sum'), { value: total, unit: 'Count' });
    assert.deepEqual(await statistic('HTTPCode_Target_2XX_Count', { LoadBalancer: lb }, 'Sum'), { value: total, unit: 'Count' });
    // One healthy target: it took every request.
    assert.deepEqual(await statistic('RequestCountPerTarget', { TargetGroup: tg }, 'Sum'), { value: total, unit: 'Count' });
    assert.deepEqual(await statistic('HealthyHostCount', { LoadBalancer: lb, TargetGroup: tg }, 'Minimum'), { value: 1, unit: 'Count' });
    assert.deepEqual(await statistic('UnHealthyHostCount', { LoadBalancer: lb, TargetGroup: tg }, 'Maximum'), { value: 0, unit: 'Count' });
    const responseTime = await statistic('TargetResponseTime', { LoadBalancer: lb, TargetGroup: tg }, 'SampleCount');
    assert.deepEqual(responseTime, { value: total, unit: 'Seconds' });
    const average = await statistic('TargetResponseTime', { LoadBalancer: lb }, 'Average');
    assert.ok(average?.value !== undefined && average.value > 0 && average.value < 1, `a response time in seconds: ${JSON.stringify(average)}`);

    // A period without requests adds none; the next requests are counted on top.
    await publishPeriod();
    assert.deepEqual(await statistic('RequestCount', { LoadBalancer: lb }, 'Sum'), { value: total, unit: 'Count' });
    for (let i = 0; i < 3; i++) assert.equal((await get(`http://${address}:8080/again`)).status, 200);
    await publishPeriod();
    assert.deepEqual(await statistic('RequestCount', { LoadBalancer: lb }, 'Sum'), { value: total + 3, unit: 'Count' });
  });
});
