/**
 * ECS deployment alarms (deploymentConfiguration.alarms) over simulated capacity: a CloudWatch
 * alarm driven into ALARM by PutMetricData while a deployment is in progress fails the deployment
 * and rolls the service back to the last completed one, and the service's events, deployments and
 * service deployment say so.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ListTasksCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import { AdvancingClock } from '../../src/core/clock.js';
import { eventually, simulatedAgent, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { proveRunning } from '../helpers/services.js';

const clock = new AdvancingClock();
const minute = 60_000;

describe('ECS deployment alarms', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  let cloudwatch: CloudWatchClient;
  let agent: TestAgent;

  before(async () => {
    berth = await startBerth({}, { clock });
    ecs = berth.ecs();
    cloudwatch = new CloudWatchClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: 'alarmed' }));
    agent = await startTestAgent(berth, simulatedAgent({ cluster: 'alarmed', name: 'sim-0', clock }));
    for (const tag of ['1', '2']) {
      await ecs.send(new RegisterTaskDefinitionCommand({ family: 'app', containerDefinitions: [{ name: 'app', image: `simulated/app:${tag}`, memory: 64, cpu: 16 }] }));
    }
  });
  after(async () => {
    cloudwatch.destroy();
    await agent?.close();
    await berth?.close();
  });

  const describe1 = async (service: string): Promise<Service> => (await ecs.send(new DescribeServicesCommand({ cluster: 'alarmed', services: [service] }))).services![0]!;
  const runningTasks = async (service: string) => {
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'alarmed', serviceName: service }));
    if (!taskArns?.length) return [];
    const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: 'alarmed', tasks: taskArns }))).tasks ?? [];
    return tasks.filter((task) => task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING');
  };
  /**
   * Waits for the service to run `count` tasks of `revision` alone with its deployment completed,
   * moving the clock past the proving window of each task that starts on the way (a rollback
   * replaces tasks in steps, each waiting for the last to prove itself).
   */
  const steadyOn = async (service: string, count: number, revision: string) =>
    eventually(
      async () => {
        await proveRunning(berth, clock, await runningTasks(service));
        const described = await describe1(service);
        const primary = described.deployments?.find((deployment) => deployment.status === 'PRIMARY');
        return described.deployments?.length === 1 && described.runningCount === count && primary?.rolloutState === 'COMPLETED' && primary.taskDefinition!.endsWith(revision)
          ? described
          : undefined;
      },
      20_000,
      `${service} steady on ${revision}`,
    );

  test('refuses alarms enabled without alarm names', async () => {
    await assert.rejects(
      ecs.send(
        new CreateServiceCommand({
          cluster: 'alarmed',
          serviceName: 'nameless',
          taskDefinition: 'app:1',
          desiredCount: 1,
          deploymentConfiguration: { alarms: { alarmNames: [], enable: true, rollback: true } },
        }),
      ),
      (error: Error) => error.name === 'InvalidParameterException' && /alarmNames/.test(error.message),
    );
  });

  test('an alarm that goes into ALARM during a rollout fails it and rolls it back', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'alarmed',
        serviceName: 'web',
        taskDefinition: 'app:1',
        desiredCount: 2,
        deploymentConfiguration: { alarms: { alarmNames: ['web-errors'], enable: true, rollback: true } },
      }),
    );
    const first = await steadyOn('web', 2, 'app:1');
    assert.deepEqual(first.deploymentConfiguration?.alarms, { alarmNames: ['web-errors'], enable: true, rollback: true });

    await ecs.send(new UpdateServiceCommand({ cluster: 'alarmed', service: 'web', taskDefinition: 'app:2' }));
    // Errors in the minute just ended, and an alarm on them: it goes into ALARM at its first evaluation.
    const lastMinute = Math.floor(clock.now().getTime() / minute) * minute - minute;
    await cloudwatch.send(
      new PutMetricDataCommand({ Namespace: 'Web', MetricData: [{ MetricName: 'Errors', Dimensions: [{ Name: 'Service', Value: 'web' }], Timestamp: new Date(lastMinute + 1000), Value: 5 }] }),
    );
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'web-errors',
        Namespace: 'Web',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'Service', Value: 'web' }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }),
    );
    await eventually(
      async () => {
        await berth.server.alarms.settle();
        const { MetricAlarms } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['web-errors'] }));
        return MetricAlarms?.[0]?.StateValue === 'ALARM' ? true : undefined;
      },
      10_000,
      'web-errors in ALARM',
    );

    // The failed deployment, and the rollback to app:1 that replaces it.
    const rolling = await eventually(
      async () => {
        const described = await describe1('web');
        const failed = described.deployments?.find((deployment) => deployment.rolloutState === 'FAILED');
        return failed ? { described, failed } : undefined;
      },
      20_000,
      'the app:2 deployment failed',
    );
    assert.ok(rolling.failed.taskDefinition!.endsWith('app:2'), JSON.stringify(rolling.described.deployments, null, 1));
    assert.match(rolling.failed.rolloutStateReason!, /failed: alarm\(s\) web-errors in ALARM state\.$/);
    const events = rolling.described.events!.map((event) => event.message);
    assert.ok(events.some((message) => /^\(service web\) \(deployment ecs-svc\/\d+\) deployment failed: alarm detected\.$/.test(message!)), events.join('\n'));
    assert.ok(events.some((message) => /^\(service web\) rolling back to deployment ecs-svc\/\d+\.$/.test(message!)), events.join('\n'));

    // Still in ALARM, the alarm does not fail the rollback: it completes on app:1.
    const back = await steadyOn('web', 2, 'app:1');
    assert.equal(back.deployments![0]!.taskDefinition!.endsWith('app:1'), true);
    const { serviceDeployments } = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [back.currentServiceDeployment ?? rolling.described.currentServiceDeployment!] }));
    const record = serviceDeployments![0]!;
    assert.equal(record.alarms?.status, 'TRIGGERED');
    assert.deepEqual(record.alarms?.triggeredAlarmNames, ['web-errors']);
    assert.equal(record.deploymentCircuitBreaker?.status, 'DISABLED');
  });

  test('a deployment watched by alarms bakes before it completes: Period × EvaluationPeriods of its alarms', async () => {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'api-latency',
        Namespace: 'Web',
        MetricName: 'Latency',
        Dimensions: [{ Name: 'Service', Value: 'api' }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 2,
        Threshold: 1000,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'alarmed',
        serviceName: 'api',
        taskDefinition: 'app:1',
        desiredCount: 1,
        deploymentConfiguration: { alarms: { alarmNames: ['api-latency'], enable: true, rollback: false } },
      }),
    );
    const running = await eventually(
      async () => {
        const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'alarmed', serviceName: 'api' }));
        if (!taskArns?.length) return undefined;
        const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: 'alarmed', tasks: taskArns }))).tasks ?? [];
        return tasks.some((task) => task.lastStatus === 'RUNNING') ? tasks : undefined;
      },
      20_000,
      'api running',
    );
    await proveRunning(berth, clock, running);
    // Settled: the bake begins, and the deployment is still in progress.
    const bakeUntil = await eventually(
      async () => {
        await berth.server.services.settle();
        const record = await berth.server.store.read((tx) => tx.services.get(`arn:aws:ecs:us-east-1:000000000000:service/alarmed/api`));
        return record?.deployments[0]?.bakeUntil;
      },
      10_000,
      'the bake to begin',
    );
    const settledAt = clock.now().getTime() / 1000;
    assert.ok(bakeUntil - settledAt > 110 && bakeUntil - settledAt <= 120, `bakes 120 s: ${bakeUntil - settledAt}`);
    assert.equal((await describe1('api')).deployments![0]!.rolloutState, 'IN_PROGRESS');

    clock.advance(121_000);
    const completed = await eventually(
      async () => {
        await berth.server.services.settle();
        const described = await describe1('api');
        return described.deployments![0]!.rolloutState === 'COMPLETED' ? described : undefined;
      },
      10_000,
      'the deployment to complete after its bake',
    );
    assert.match(completed.deployments![0]!.rolloutStateReason!, /completed\.$/);
  });
});
