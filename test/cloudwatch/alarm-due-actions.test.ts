/**
 * The pure cores of alarm actions, by tables: which actions a step makes due (CloudWatch's rule:
 * on a state change; Auto Scaling actions once a minute while the alarm stays; none with actions
 * disabled), the Action history item of an outcome, and the "CloudWatch Alarm State Change"
 * event's detail against AWS's documented examples.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actionHistoryItem } from '../../src/cloudwatch/alarms/action-delivery.js';
import { dueActions, type ActionStep, type AlarmActionLists, type DueActions } from '../../src/cloudwatch/alarms/due-actions.js';
import { stateChangeDetail } from '../../src/cloudwatch/alarms/state-change-event.js';
import type { AlarmActionRecord, MetricAlarmRecord } from '../../src/store/contract/alarms.js';

const t0 = Date.UTC(2026, 11, 5, 1, 0, 0);
const minute = 60_000;
const sns = 'arn:aws:sns:us-east-1:000000000000:pager';
const ok = 'arn:aws:sns:us-east-1:000000000000:all-clear';
const scaleOut = 'arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:7f0c6a4e-1d2b-4c3d-8e9f-0a1b2c3d4e5f:resource/ecs/service/prod/web:policyName/scale-out';
const scaleIn = 'arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d:resource/ecs/service/prod/web:policyName/scale-in';

const lists = (overrides: Partial<AlarmActionLists> = {}): AlarmActionLists => ({
  actionsEnabled: true,
  okActions: [ok, scaleIn],
  alarmActions: [sns, scaleOut],
  insufficientDataActions: [],
  ...overrides,
});

describe('due alarm actions', () => {
  const once = (action: string) => ({ action, repeated: false });
  const again = (action: string) => ({ action, repeated: true });
  const table: [string, AlarmActionLists, ActionStep, DueActions][] = [
    ['OK -> ALARM: every ALARM action, once', lists(), { previous: 'OK', next: 'ALARM', at: t0 }, { due: [once(sns), once(scaleOut)], repeatedAt: t0 }],
    ['INSUFFICIENT_DATA -> OK: the OK actions', lists(), { previous: 'INSUFFICIENT_DATA', next: 'OK', at: t0 }, { due: [once(ok), once(scaleIn)], repeatedAt: t0 }],
    ['ALARM -> INSUFFICIENT_DATA with none for it: nothing, and the repeat forgotten', lists(), { previous: 'ALARM', next: 'INSUFFICIENT_DATA', at: t0, repeatedAt: t0 - minute }, { due: [], repeatedAt: undefined }],
    ['a transition with only SNS actions starts no repeat', lists({ alarmActions: [sns] }), { previous: 'OK', next: 'ALARM', at: t0 }, { due: [once(sns)], repeatedAt: undefined }],
    ['staying in ALARM a minute on: the Auto Scaling action again, not SNS', lists(), { previous: 'ALARM', next: 'ALARM', at: t0 + minute, repeatedAt: t0 }, { due: [again(scaleOut)], repeatedAt: t0 + minute }],
    ['staying in ALARM less than a minute on: nothing yet', lists(), { previous: 'ALARM', next: 'ALARM', at: t0 + 50_000, repeatedAt: t0 }, { due: [], repeatedAt: t0 }],
    ['staying in ALARM with only SNS actions: nothing, ever', lists({ alarmActions: [sns] }), { previous: 'ALARM', next: 'ALARM', at: t0 + 10 * minute }, { due: [], repeatedAt: undefined }],
    ['staying in OK: its Auto Scaling action repeats too', lists(), { previous: 'OK', next: 'OK', at: t0 + 2 * minute, repeatedAt: t0 }, { due: [again(scaleIn)], repeatedAt: t0 + 2 * minute }],
    ['actions disabled: nothing on a transition', lists({ actionsEnabled: false }), { previous: 'OK', next: 'ALARM', at: t0 }, { due: [], repeatedAt: undefined }],
    ['actions disabled: nothing while staying', lists({ actionsEnabled: false }), { previous: 'ALARM', next: 'ALARM', at: t0 + minute, repeatedAt: t0 }, { due: [], repeatedAt: t0 }],
    ['enabled again while staying in ALARM: the Auto Scaling action at once', lists(), { previous: 'ALARM', next: 'ALARM', at: t0 + 5 * minute }, { due: [again(scaleOut)], repeatedAt: t0 + 5 * minute }],
    ['no actions at all: nothing', lists({ okActions: [], alarmActions: [] }), { previous: 'OK', next: 'ALARM', at: t0 }, { due: [], repeatedAt: undefined }],
  ];
  for (const [name, alarm, step, expected] of table) {
    it(name, () => assert.deepEqual(dueActions(alarm, step), expected));
  }

  it('repeats once a minute however often a 10-second alarm is evaluated', () => {
    const alarm = lists();
    let repeatedAt: number | undefined = dueActions(alarm, { previous: 'OK', next: 'ALARM', at: t0 }).repeatedAt;
    let count = 0;
    for (let at = t0 + 10_000; at <= t0 + 5 * minute; at += 10_000) {
      const step = dueActions(alarm, { previous: 'ALARM', next: 'ALARM', at, ...(repeatedAt !== undefined ? { repeatedAt } : {}) });
      count += step.due.length;
      repeatedAt = step.repeatedAt;
    }
    assert.equal(count, 5, 'once in each of the five minutes after the transition');
  });
});

describe('the Action history item', () => {
  const action: AlarmActionRecord = {
    id: 'a1',
    accountId: '000000000000',
    region: 'us-east-1',
    alarmName: 'web-cpu',
    alarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:web-cpu',
    action: scaleOut,
    service: 'autoscaling',
    state: { value: 'ALARM', reason: 'r', updatedAt: t0 },
    previousState: 'OK',
    dueAt: t0,
    repeated: false,
  };
  it('says a success in CloudWatch words', () => {
    const item = actionHistoryItem(action, { succeeded: true }, t0 + 5);
    assert.equal(item.type, 'Action');
    assert.equal(item.summary, `Successfully executed action ${scaleOut}`);
    assert.deepEqual(JSON.parse(item.data), { actionState: 'Succeeded', stateUpdateTimestamp: t0, notificationResource: scaleOut });
    assert.equal(item.timestamp, t0 + 5);
  });
  it('says a failure and its reason', () => {
    const item = actionHistoryItem(action, { succeeded: false, reason: 'the policy is gone' }, t0);
    assert.equal(item.summary, `Failed to execute action ${scaleOut}. Reason: the policy is gone`);
    assert.equal(JSON.parse(item.data).actionState, 'Failed');
  });
});

describe('the CloudWatch Alarm State Change detail', () => {
  const base: MetricAlarmRecord = {
    accountId: '123456789012',
    region: 'us-east-1',
    name: 'ServerCpuTooHigh',
    arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh',
    description: 'Goes into alarm when server CPU utilization is too high!',
    actionsEnabled: true,
    okActions: [],
    alarmActions: [],
    insufficientDataActions: [],
    metric: { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: [{ name: 'InstanceId', value: 'i-12345678901234567' }] },
    statistic: 'Average',
    periodSeconds: 300,
    evaluationPeriods: 1,
    threshold: 50,
    comparisonOperator: 'GreaterThanThreshold',
    configurationUpdatedAt: 0,
    state: { value: 'ALARM', reason: 'Threshold Crossed: high', reasonData: '{"version":"1.0"}', updatedAt: Date.UTC(2019, 9, 2, 17, 4, 40, 989), transitionedAt: 0 },
    tags: [],
  };
  const previous = { value: 'OK' as const, reason: 'Threshold Crossed: low', reasonData: '{"version":"1.0"}', updatedAt: Date.UTC(2019, 9, 1, 13, 56, 40, 987) };

  it("forms a single-metric alarm's detail as AWS's example", () => {
    const detail = stateChangeDetail(base, previous) as { configuration: { metrics: { id: string }[] } };
    const id = detail.configuration.metrics[0]!.id;
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(detail, {
      alarmName: 'ServerCpuTooHigh',
      configuration: {
        description: 'Goes into alarm when server CPU utilization is too high!',
        metrics: [{ id, metricStat: { metric: { dimensions: { InstanceId: 'i-12345678901234567' }, name: 'CPUUtilization', namespace: 'AWS/EC2' }, period: 300, stat: 'Average' }, returnData: true }],
      },
      previousState: { reason: 'Threshold Crossed: low', reasonData: '{"version":"1.0"}', timestamp: '2019-10-01T13:56:40.987+0000', value: 'OK' },
      state: { reason: 'Threshold Crossed: high', reasonData: '{"version":"1.0"}', timestamp: '2019-10-02T17:04:40.989+0000', value: 'ALARM' },
    });
    assert.equal((stateChangeDetail(base, previous) as typeof detail).configuration.metrics[0]!.id, id, 'the same id in every event of the alarm');
  });

  it("forms a metric math alarm's detail, and leaves out what the alarm does not have", () => {
    const math: MetricAlarmRecord = {
      ...base,
      name: 'TotalNetworkTrafficTooHigh',
      description: undefined as unknown as string,
      metric: undefined as unknown as MetricAlarmRecord['metric'],
      statistic: undefined as unknown as string,
      metrics: [
        { id: 'e1', label: 'Total Network Traffic', returnData: true, expression: 'SUM(METRICS())' },
        { id: 'm1', returnData: false, metricStat: { metric: { namespace: 'AWS/EC2', metricName: 'NetworkIn', dimensions: [{ name: 'InstanceId', value: 'i-12345678901234567' }] }, periodSeconds: 300, stat: 'Maximum' } },
      ],
    };
    delete math.description;
    const initial = { value: 'INSUFFICIENT_DATA' as const, reason: 'Unchecked: Initial alarm creation', updatedAt: Date.UTC(2019, 9, 2, 17, 20, 3, 642) };
    assert.deepEqual(stateChangeDetail(math, initial), {
      alarmName: 'TotalNetworkTrafficTooHigh',
      configuration: {
        metrics: [
          { expression: 'SUM(METRICS())', id: 'e1', label: 'Total Network Traffic', returnData: true },
          { id: 'm1', metricStat: { metric: { dimensions: { InstanceId: 'i-12345678901234567' }, name: 'NetworkIn', namespace: 'AWS/EC2' }, period: 300, stat: 'Maximum' }, returnData: false },
        ],
      },
      previousState: { reason: 'Unchecked: Initial alarm creation', timestamp: '2019-10-02T17:20:03.642+0000', value: 'INSUFFICIENT_DATA' },
      state: { reason: 'Threshold Crossed: high', reasonData: '{"version":"1.0"}', timestamp: '2019-10-02T17:04:40.989+0000', value: 'ALARM' },
    });
  });
});
