/**
 * CloudWatch alarms driven into ALARM and back by real load, through @aws-sdk/client-cloudwatch:
 * a service task on Docker burning CPU moves AWS/ECS CPUUtilization, and real requests through a
 * listener move AWS/ApplicationELB RequestCount. The publishers and the evaluator run on a clock the
 * test moves one 10-second period at a time; only the container's CPU time and the requests are real.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, PutMetricAlarmCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, CreateServiceCommand, DescribeTasksCommand, ListTasksCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { AdvancingClock } from '../../src/core/clock.js';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { TaskDriver } from '../helpers/tasks.js';

const dockerUp = await dockerAvailable();
const periodMs = 10_000;
const run = promisify(execFile);

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

  const describeAlarm = async (): Promise<MetricAlarm> => (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['burn-cpu'] }))).MetricAlarms![0]!;
  /**
   * Lets the agent send a couple of real samples (it sends one a second), then ends the period on
   * the clock, has the ECS metrics published and the alarm evaluated.
   */
  const period = async () => {
    await sleep(2_500);
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
    const image = await buildBusyboxImage();
    berth = await startBerth({ metricPeriodSeconds: 10 }, { clock });
    ecs = berth.ecs();
    cloudwatch = new CloudWatchClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startTestAgent(berth, { statsIntervalMs: 1_000 });
    // Idle until /tmp/burn exists in the container, then busy for as long as it does.
    const taskDefinition = await new TaskDriver(ecs).register({
      family: 'switchable',
      cpu: '256',
      memory: '128',
      containerDefinitions: [{ name: 'app', image, command: ['sh', '-c', 'while :; do while [ -e /tmp/burn ]; do :; done; sleep 1; done'], stopTimeout: 1 }],
    });
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
});
