/**
 * CloudWatch alarms driven into ALARM and back by real load, through @aws-sdk/client-cloudwatch:
 * a service task on Docker burning CPU moves AWS/ECS CPUUtilization, and real requests through a
 * listener move AWS/ApplicationELB RequestCount, and a deployment whose new revision burns CPU is
 * rolled back by its deployment alarm. The publishers, the evaluator and the services run on a clock the
 * test moves one 10-second period at a time; only the container’s CPU time and the requests are real.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, PutMetricAlarmCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand, UpdateServiceCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { AdvancingClock } from '../../src/core/clock.js';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { TaskDriver } from '../helpers/tasks.js';
import { eventually as eventuallyOk, get, startTarget, type Target } from '../elbv2/data-plane/harness.js';
import { elbClient } from '../elbv2/elbv2-client.js';

const dockerUp = await dockerAvailable();
const periodMs = 10_000;
const run = promisify(execFile);

/**
 * Waits until the agent has sent two more usage samples (it sends one a second), so that a
 * period about to end holds a rate over real CPU time: some task's sample before last was taken
 * after the newest one held now. Polls the store for the agent's real work; no timer of Berth's.
 */
async function twoMoreSamples(berth: TestBerth): Promise<void> {
  const held = async () => berth.server.store.read((tx) => tx.taskUsage.list());
  const newest = new Map((await held()).map((record) => [record.taskArn, Math.max(...record.containers.map((c) => c.latest.sampledAt))]));
  await eventually(async () => {
    const records = await held();
    return records.some((record) => record.containers.every((c) => c.previous !== undefined && c.previous.sampledAt > (newest.get(record.taskArn) ?? -Infinity))) ? true : undefined;
  }, 30_000, 'two more usage samples from the agent');
}

/** The StateUpdate summaries of an alarm's history, oldest first. */
async function stateUpdates(cloudwatch: CloudWatchClient, name: string): Promise<string[]> {
  const { AlarmHistoryItems = [] } = await cloudwatch.send(new DescribeAlarmHistoryCommand({ AlarmName: name, HistoryItemType: 'StateUpdate', ScanBy: 'TimestampAscending' }));
  return AlarmHistoryItems.map((item) => item.HistorySummary!);
}

describe('an alarm on CPUUtilization driven by a task’s real CPU time', { skip: dockerUp ? false : 'no Docker engine reachable' }, () => {
  const clock = new AdvancingClock();
  let berth: TestBerth;
  let agent: TestAgent;
  let ecs: ECSClient;
  let cloudwatch: CloudWatchClient;
  let containerId: string;
  let idleDefinition: string;
  let image: string;

  const describeAlarm = async (): Promise<MetricAlarm> => (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['burn-cpu'] }))).MetricAlarms![0]!;
  /**
   * Lets the agent send two more real samples, then ends the period on
   * the clock, has the ECS metrics published and the alarm evaluated.
   */
  const period = async () => {
    await twoMoreSamples(berth);
    clock.advance(periodMs);
    (cloudwatch.config as { systemClockOffset: number }).systemClockOffset += periodMs;
    await berth.server.ecsMetrics.settle();
    await berth.server.alarms.settle();
    return describeAlarm();
  };
  /** Ends periods until the alarm is in `state`, within a bounded number of them. */
  const periodsUntil = async (state: string) => {
    for (let round = 0; round < 6; round++) {
      const alarm = await period();
      if (alarm.StateValue === state) return alarm;
    }
    assert.fail(`burn-cpu did not go to ${state}: ${JSON.stringify(await describeAlarm())}`);
  };

  before(async () => {
    image = await buildBusyboxImage();
    berth = await startBerth({ metricPeriodSeconds: 10 }, { clock });
    ecs = berth.ecs();
    cloudwatch = new CloudWatchClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startTestAgent(berth, { statsIntervalMs: 1_000 });
    // Idle until /tmp/burn exists in the container, then busy for as long as it does.
    const taskDefinition = (idleDefinition = await new TaskDriver(ecs).register({
      family: 'switchable',
      cpu: '256',
      memory: '128',
      containerDefinitions: [{ name: 'app', image, command: ['sh', '-c', 'while :; do while [ -e /tmp/burn ]; do :; done; sleep 1; done'], stopTimeout: 1 }],
    }));
    await ecs.send(new CreateServiceCommand({ cluster: 'default', serviceName: 'switchable', taskDefinition, desiredCount: 1, launchType: 'EC2' }));
    const task = await eventually(async () => {
      const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster: 'default', serviceName: 'switchable' }));
      if (taskArns.length === 0) return undefined;
      const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: taskArns }));
      return tasks[0]?.lastStatus === 'RUNNING' ? tasks[0] : undefined;
    }, 60_000, 'the switchable task RUNNING');
    containerId = task.containers![0]!.runtimeId!;
  });
  after(async () => {
    await agent?.close();
    cloudwatch?.destroy();
    await berth?.close();
  });

  it('goes into ALARM while the task burns CPU and back to OK once it stops', async () => {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'burn-cpu',
        Namespace: 'AWS/ECS',
        MetricName: 'CPUUtilization',
        Dimensions: [
          { Name: 'ClusterName', Value: 'default' },
          { Name: 'ServiceName', Value: 'switchable' },
        ],
        Statistic: 'Average',
        Period: 10,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        Threshold: 50,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    // Idle: a period of low utilization makes it OK (one is enough for OK, 2 - 2 + 1).
    const idle = await periodsUntil('OK');
    assert.match(idle.StateReason!, /^Threshold Crossed: .* not greater than the threshold \(50\.0\) \(minimum 1 datapoint for INSUFFICIENT_DATA -> OK transition\)\.$/);

    await run('docker', ['exec', containerId, 'touch', '/tmp/burn']);
    const alarmed = await periodsUntil('ALARM');
    assert.match(alarmed.StateReason!, /^Threshold Crossed: 2 out of the last 2 datapoints \[\d+\.\d+ \(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d\), \d+\.\d+ \(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d\)\] were greater than the threshold \(50\.0\) \(minimum 2 datapoints for OK -> ALARM transition\)\.$/);
    const burning = JSON.parse(alarmed.StateReasonData!) as { recentDatapoints: number[] };
    assert.ok(burning.recentDatapoints.every((value) => value > 50), `the points that breached: ${burning.recentDatapoints.join(', ')}`);

    await run('docker', ['exec', containerId, 'rm', '/tmp/burn']);
    const recovered = await periodsUntil('OK');
    assert.match(recovered.StateReason!, /^Threshold Crossed: [12] out of the last 2 datapoints \[.*\] (was|were) not greater than the threshold \(50\.0\) \(minimum 1 datapoint for ALARM -> OK transition\)\.$/);

    assert.deepEqual(await stateUpdates(cloudwatch, 'burn-cpu'), [
      'Alarm updated from INSUFFICIENT_DATA to OK',
      'Alarm updated from OK to ALARM',
      'Alarm updated from ALARM to OK',
    ]);
  });

  it('rolls back a deployment whose new revision burns CPU, the deployment alarm driven into ALARM by it', async () => {
    const busyDefinition = await new TaskDriver(ecs).register({
      family: 'burner',
      cpu: '256',
      memory: '128',
      containerDefinitions: [{ name: 'app', image, command: ['sh', '-c', 'while :; do :; done'], stopTimeout: 1 }],
    });
    // Old and new tasks side by side during the rollout average half of the busy one's: the
    // threshold is below that, far above an idle task's. 2 out of 3: the deployment bakes
    // Period × EvaluationPeriods once settled, and the first period of the new task's load may be
    // a partial one.
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'rollout-cpu',
        Namespace: 'AWS/ECS',
        MetricName: 'CPUUtilization',
        Dimensions: [
          { Name: 'ClusterName', Value: 'default' },
          { Name: 'ServiceName', Value: 'rollout' },
        ],
        Statistic: 'Average',
        Period: 10,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        Threshold: 25,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'default',
        serviceName: 'rollout',
        taskDefinition: idleDefinition,
        desiredCount: 1,
        launchType: 'EC2',
        deploymentConfiguration: { alarms: { alarmNames: ['rollout-cpu'], enable: true, rollback: true } },
      }),
    );
    const describeService = async (): Promise<Service> => (await ecs.send(new DescribeServicesCommand({ cluster: 'default', services: ['rollout'] }))).services![0]!;
    /** Ends periods (real CPU time accumulating in each) until `done` holds for the service, within a bounded number. */
    const periodsUntil = async <T>(what: string, done: (service: Service) => T | undefined): Promise<T> => {
      for (let round = 0; round < 20; round++) {
        await twoMoreSamples(berth);
        clock.advance(periodMs);
        (cloudwatch.config as { systemClockOffset: number }).systemClockOffset += periodMs;
        (ecs.config as unknown as { systemClockOffset: number }).systemClockOffset += periodMs;
        await berth.server.ecsMetrics.settle();
        await berth.server.alarms.settle();
        await berth.server.services.settle();
        const found = done(await describeService());
        if (found !== undefined) return found;
      }
      assert.fail(`${what}: ${JSON.stringify(await describeService(), null, 1)}; alarm ${JSON.stringify((await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['rollout-cpu'] }))).MetricAlarms)}`);
    };
    const steadyOn = (definition: string) => (service: Service) =>
      service.deployments?.length === 1 && service.runningCount === 1 && service.deployments[0]!.rolloutState === 'COMPLETED' && service.deployments[0]!.taskDefinition === definition ? service : undefined;

    // The idle revision runs, bakes through the alarm's 3 × 10 s and completes; the alarm is OK.
    await periodsUntil('the idle revision completed', steadyOn(idleDefinition));
    assert.equal((await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['rollout-cpu'] }))).MetricAlarms![0]!.StateValue, 'OK');

    await ecs.send(new UpdateServiceCommand({ cluster: 'default', service: 'rollout', taskDefinition: busyDefinition }));
    // The new task starts without the clock moving; it then burns for a few real seconds, sampled
    // by the agent, before the first period ends. Otherwise a container slow to start on a loaded
    // machine would leave several of the test's compressed periods without its usage.
    await eventually(async () => {
      await berth.server.services.settle();
      const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster: 'default', serviceName: 'rollout' }));
      const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: taskArns }));
      return tasks.some((task) => task.taskDefinitionArn === busyDefinition && task.lastStatus === 'RUNNING') ? true : undefined;
    }, 60_000, 'the busy task RUNNING');
    await twoMoreSamples(berth);
    const failed = await periodsUntil('the busy revision failed', (service) => {
      const deployment = service.deployments?.find((candidate) => candidate.rolloutState === 'FAILED');
      return deployment ? { service, deployment } : undefined;
    });
    assert.equal(failed.deployment.taskDefinition, busyDefinition);
    assert.match(failed.deployment.rolloutStateReason!, /failed: alarm\(s\) rollout-cpu in ALARM state\.$/);
    const alarm = (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['rollout-cpu'] }))).MetricAlarms![0]!;
    assert.match(alarm.StateReason!, /^Threshold Crossed: [23] out of the last 3 datapoints \[.*\] were greater than the threshold \(25\.0\) \(minimum 2 datapoints for OK -> ALARM transition\)\.$/);
    const events = failed.service.events!.map((event) => event.message!);
    assert.ok(events.some((message) => /^\(service rollout\) \(deployment ecs-svc\/\d+\) deployment failed: alarm detected\.$/.test(message)), events.join('\n'));
    assert.ok(events.some((message) => /^\(service rollout\) rolling back to deployment ecs-svc\/\d+\.$/.test(message)), events.join('\n'));

    // Back on the idle revision alone; its CPU falls, and the alarm goes back to OK.
    await periodsUntil('the rollback completed', steadyOn(idleDefinition));
    const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster: 'default', serviceName: 'rollout' }));
    const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: taskArns }));
    assert.deepEqual(tasks.filter((task) => task.lastStatus === 'RUNNING').map((task) => task.taskDefinitionArn), [idleDefinition]);
    let alarmState: string | undefined;
    for (let round = 0; round < 6 && alarmState !== 'OK'; round++) {
      await periodsUntil('another period', () => true);
      alarmState = (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['rollout-cpu'] }))).MetricAlarms![0]!.StateValue;
    }
    assert.equal(alarmState, 'OK', 'rollout-cpu back to OK once the busy task is gone');
  });
});

describe('an alarm on RequestCount driven by real requests through a listener', () => {
  const clock = new AdvancingClock();
  let berth: TestBerth;
  let elb: ElasticLoadBalancingV2Client;
  let cloudwatch: CloudWatchClient;
  let target: Target;
  let loadBalancer: string;
  let address: string;

  const describeAlarm = async (): Promise<MetricAlarm> => (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['web-requests'] }))).MetricAlarms![0]!;
  /** Sends `requests` requests through the listener, then ends the period on the clock, publishes it and evaluates the alarm. */
  const period = async (requests: number) => {
    for (let i = 0; i < requests; i++) assert.equal((await get(`http://${address}:8080/load/${i}`)).status, 200);
    clock.advance(periodMs);
    (cloudwatch.config as { systemClockOffset: number }).systemClockOffset += periodMs;
    await berth.server.loadBalancerMetrics.settle();
    await berth.server.alarms.settle();
    return describeAlarm();
  };

  before(async () => {
    berth = await startBerth({ metricPeriodSeconds: 10 }, { clock });
    elb = elbClient(berth);
    cloudwatch = new CloudWatchClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    target = await startTarget('a');
    const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: 'web', Type: 'application', Subnets: ['subnet-local'] }));
    const lbArn = LoadBalancers![0]!.LoadBalancerArn!;
    loadBalancer = lbArn.slice(lbArn.indexOf('loadbalancer/') + 'loadbalancer/'.length);
    const { TargetGroups } = await elb.send(
      new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 80, TargetType: 'ip', HealthCheckPath: '/health', HealthCheckIntervalSeconds: 5, HealthyThresholdCount: 2 }),
    );
    const groupArn = TargetGroups![0]!.TargetGroupArn!;
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 8080, DefaultActions: [{ Type: 'forward', TargetGroupArn: groupArn }] }));
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: groupArn, Targets: [{ Id: '127.0.0.1', Port: target.port }] }));
    address = (await berth.server.store.read((tx) => tx.loadBalancers.get(lbArn)))!.address as string;
    await eventuallyOk(async () => {
      await berth.server.loadBalancers.settle();
      await (await berth.server.dataPlane.get(false))?.checkHealthNow?.();
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

  it('goes into ALARM while requests come and back to OK when they stop, periods without requests treated as not breaching', async () => {
    // Whatever came before the alarm (health checks only, which are not requests) is published first.
    await period(0);
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'web-requests',
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'RequestCount',
        Dimensions: [{ Name: 'LoadBalancer', Value: loadBalancer }],
        Statistic: 'Sum',
        Period: 10,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }),
    );
    // No request counted yet: no point at all, which notBreaching takes as good.
    await berth.server.alarms.settle();
    const quiet = await describeAlarm();
    assert.equal(quiet.StateValue, 'OK', quiet.StateReason);
    assert.equal(quiet.StateReason, 'Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [NonBreaching].');

    // Below the threshold: 5 is not greater than 5.
    assert.equal((await period(5)).StateValue, 'OK');
    // One busy period is not enough for 2 out of 2.
    assert.equal((await period(8)).StateValue, 'OK');
    const alarmed = await period(9);
    assert.equal(alarmed.StateValue, 'ALARM');
    assert.equal(
      alarmed.StateReason!.replace(/\(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d\)/g, '(date)'),
      'Threshold Crossed: 2 out of the last 2 datapoints [9.0 (date), 8.0 (date)] were greater than the threshold (5.0) (minimum 2 datapoints for OK -> ALARM transition).',
    );

    // The requests stop: the period counted nothing, so nothing is put, and the missing point is good.
    const recovered = await period(0);
    assert.equal(recovered.StateValue, 'OK', recovered.StateReason);
    assert.equal(recovered.StateReason, 'Threshold Crossed: 1 datapoint was received for 2 periods and 1 missing datapoint was treated as [NonBreaching].');

    assert.deepEqual(await stateUpdates(cloudwatch, 'web-requests'), [
      'Alarm updated from INSUFFICIENT_DATA to OK',
      'Alarm updated from OK to ALARM',
      'Alarm updated from ALARM to OK',
    ]);
  });
});
