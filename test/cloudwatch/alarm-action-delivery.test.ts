/**
 * Alarm actions from the alarm's side: test-only targets registered for an SNS-like service and
 * for Auto Scaling, alarms driven by real metric points through the evaluation controller on a
 * manual clock, due actions taken from the store's outbox by each target's delivery controller.
 * An alarm going into ALARM yields one delivery for the SNS ARN and one a minute for the Auto
 * Scaling ARN while in ALARM; disabled actions yield none; a consumer restarted before it recorded
 * an outcome delivers the action once more (at least once) and records it once; PutMetricAlarm
 * checks ARNs through the registry.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { AlarmActionDelivery } from '../../src/cloudwatch/alarms/action-delivery.js';
import { ActionTargets, type ActionOutcome, type ActionTarget } from '../../src/cloudwatch/alarms/action-targets.js';
import { AlarmEvaluator } from '../../src/cloudwatch/alarms/controller.js';
import { alarmOperations } from '../../src/cloudwatch/alarms/operations.js';
import { SqliteMetricStorage } from '../../src/cloudwatch/storage/sqlite-metrics.js';
import { ManualClock } from '../../src/core/clock.js';
import type { RequestContext } from '../../src/core/request-context.js';
import { badValue } from '../../src/cloudwatch/errors.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { AlarmActionRecord, Store } from '../../src/store/types.js';

const minute = 60_000;
const account = '000000000000';
const region = 'us-east-1';
const topic = `arn:aws:sns:${region}:${account}:pager`;
const policy = (name: string) => `arn:aws:autoscaling:${region}:${account}:scalingPolicy:7f0c6a4e-1d2b-4c3d-8e9f-0a1b2c3d4e5f:resource/ecs/service/prod/${name}:policyName/scale-out`;

/** A target that records what it is handed, and answers `outcome`. */
class RecordingTarget implements ActionTarget {
  readonly delivered: AlarmActionRecord[] = [];
  outcome: ActionOutcome = { succeeded: true };
  constructor(readonly service: string) {}
  validate(arn: { resource: string; toString(): string }, context: { parameter: string }): void {
    if (this.service === 'autoscaling' && !arn.resource.startsWith('scalingPolicy:')) throw badValue(arn.toString(), context.parameter, { hint: 'A scaling policy ARN.' });
  }
  async deliver(action: AlarmActionRecord): Promise<ActionOutcome> {
    this.delivered.push(action);
    return this.outcome;
  }
  of(alarmName: string): AlarmActionRecord[] {
    return this.delivered.filter((action) => action.alarmName === alarmName);
  }
}

describe('alarm actions through the outbox', () => {
  let dir: string;
  let store: SqliteStore;
  let storage: SqliteMetricStorage;
  const clock = new ManualClock(new Date(Date.UTC(2026, 11, 5, 2, 0, 30)));
  const log = pino({ level: 'silent' });
  const sns = new RecordingTarget('sns');
  const scaling = new RecordingTarget('autoscaling');
  const targets = new ActionTargets();
  targets.register(sns);
  targets.register(scaling);
  let evaluator: AlarmEvaluator;
  let deliveries: AlarmActionDelivery[];
  let api: ReturnType<typeof alarmOperations>;

  const call = (operation: string, input: Record<string, unknown>) =>
    (api[operation] as (input: unknown, ctx: RequestContext) => Promise<unknown>)(input, { scope: { accountId: account, region }, now: clock.now(), log } as unknown as RequestContext);
  const putAlarm = (name: string, overrides: Record<string, unknown> = {}) =>
    call('PutMetricAlarm', {
      AlarmName: name,
      Namespace: 'Shop',
      MetricName: 'CPU',
      Dimensions: [{ Name: 'Service', Value: name }],
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 70,
      ComparisonOperator: 'GreaterThanThreshold',
      ...overrides,
    });
  /** Puts `value` into the last complete minute of the clock (and the one before, so the first evaluation sees data). */
  const putCpu = (service: string, value: number) => {
    const current = Math.floor(clock.now().getTime() / minute) * minute;
    return storage.append(
      [current - 2 * minute, current - minute].map((start) => ({
        metric: { accountId: account, region, namespace: 'Shop', metricName: 'CPU', dimensions: [{ name: 'Service', value: service }] },
        timestamp: start + 5_000,
        value: { kind: 'value' as const, value },
        unit: 'Percent',
        storageResolution: 60 as const,
      })),
      clock.now().getTime(),
    );
  };
  const pending = () => store.read(async (tx) => [...(await tx.alarmActions.pending('sns')), ...(await tx.alarmActions.pending('autoscaling'))]);
  const stateOf = async (name: string) => (await store.read((tx) => tx.metricAlarms.get(account, region, name)))!.state.value;
  /** Evaluates and delivers until `reached` (a new alarm reaches the evaluator through the feed, asynchronously). */
  const until = async (reached: () => Promise<boolean>, consumers: AlarmActionDelivery[] = deliveries) => {
    for (let attempt = 0; attempt < 100; attempt++) {
      await evaluator.settle();
      for (const consumer of consumers) await consumer.settle();
      if (await reached()) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.fail('not reached');
  };
  /** Evaluates what is due now and delivers until the outbox is empty. */
  const step = () => until(async () => (await pending()).length === 0);
  const inAlarm = (name: string) => async () => (await stateOf(name)) === 'ALARM';
  const actionHistory = (name: string) =>
    store.read((tx) => tx.metricAlarms.history({ accountId: account, region, alarmName: name, type: 'Action', newestFirst: false, offset: 0, limit: 100 }));
  const startDeliveries = (deliveryStore: Store = store) => {
    const started = targets.all().map((target) => new AlarmActionDelivery({ store: deliveryStore, clock, log, target }));
    for (const delivery of started) delivery.start();
    return started;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-alarm-actions-'));
    store = new SqliteStore(dir);
    storage = new SqliteMetricStorage(join(dir, 'metrics.sqlite'));
    api = alarmOperations({ store, storage, clock, actionTargets: targets });
    evaluator = new AlarmEvaluator({ store, storage, clock, log });
    evaluator.start();
    deliveries = startDeliveries();
  });
  after(async () => {
    await evaluator.stop();
    for (const delivery of deliveries) await delivery.stop();
    await storage.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers an SNS-like action once and an Auto Scaling action once a minute while in ALARM', async () => {
    await putCpu('web', 90);
    await putAlarm('web', { AlarmActions: [topic, policy('web')] });
    const described = (await call('DescribeAlarms', { AlarmNames: ['web'] })) as { MetricAlarms: { AlarmActions: string[] }[] };
    assert.deepEqual(described.MetricAlarms[0]!.AlarmActions, [topic, policy('web')], 'kept as given');
    await until(inAlarm('web'));
    await step();
    assert.equal(await stateOf('web'), 'ALARM');
    assert.equal(sns.of('web').length, 1);
    assert.equal(scaling.of('web').length, 1);
    assert.deepEqual(
      { state: sns.of('web')[0]!.state.value, previous: sns.of('web')[0]!.previousState, repeated: sns.of('web')[0]!.repeated },
      { state: 'ALARM', previous: 'INSUFFICIENT_DATA', repeated: false },
    );

    clock.advance(30_000);
    await step();
    assert.equal(scaling.of('web').length, 1, 'not again within the minute');

    for (let minutes = 1; minutes <= 3; minutes++) {
      clock.advance(30_000);
      await putCpu('web', 90);
      await step();
      clock.advance(30_000);
      await step();
    }
    assert.equal(await stateOf('web'), 'ALARM');
    assert.equal(sns.of('web').length, 1, 'an SNS action only on the state change');
    assert.equal(scaling.of('web').length, 4, 'the Auto Scaling action on the change, then once in each of the three minutes after');
    assert.ok(scaling.of('web').slice(1).every((action) => action.repeated));

    const history = await actionHistory('web');
    assert.equal(history.length, 5);
    assert.deepEqual(history.map((item) => item.summary).slice(0, 2).sort(), [`Successfully executed action ${policy('web')}`, `Successfully executed action ${topic}`].sort());
    assert.deepEqual(JSON.parse(history[0]!.data).actionState, 'Succeeded');
  });

  it('delivers nothing while actions are disabled, and records a failed action as failed', async () => {
    await putCpu('api', 90);
    await putAlarm('api', { AlarmActions: [topic, policy('api')], ActionsEnabled: false });
    await until(inAlarm('api'));
    await step();
    clock.advance(minute);
    await putCpu('api', 90);
    await step();
    assert.equal(await stateOf('api'), 'ALARM');
    assert.equal(sns.of('api').length + scaling.of('api').length, 0);

    clock.advance(1_000);
    await call('EnableAlarmActions', { AlarmNames: ['api'] });
    // Enabled again while it stays in ALARM: the changed alarm is evaluated at once, its Auto Scaling action due then.
    await until(async () => scaling.of('api').length === 1);
    assert.ok(scaling.of('api')[0]!.repeated);
    assert.equal(sns.of('api').length, 0, 'an SNS action waits for a state change');

    sns.outcome = { succeeded: false, reason: 'topic gone' };
    await call('SetAlarmState', { AlarmName: 'api', StateValue: 'OK', StateReason: 'by hand' });
    await step();
    assert.equal(sns.of('api').length, 0, 'OK has no actions');
    await call('SetAlarmState', { AlarmName: 'api', StateValue: 'ALARM', StateReason: 'by hand' });
    await step();
    sns.outcome = { succeeded: true };
    assert.equal(sns.of('api').length, 1, 'SetAlarmState changes the state, so it triggers the actions');
    assert.equal(scaling.of('api').length, 2);
    const summaries = (await actionHistory('api')).map((item) => item.summary);
    assert.ok(summaries.includes(`Failed to execute action ${topic}. Reason: topic gone`), summaries.join('\n'));
  });

  it('delivers again after a consumer restarts before recording the outcome: at least once, recorded once', async () => {
    for (const delivery of deliveries) await delivery.stop();
    // The consumer's process dies after the target acted, before its outcome commits.
    const dying = new Proxy(store, {
      get(target, property) {
        if (property === 'write') return async () => Promise.reject(new Error('process died'));
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as Store;
    const first = startDeliveries(dying);
    await putCpu('db', 90);
    await putAlarm('db', { AlarmActions: [topic] });
    await until(async () => sns.of('db').length === 1, first);
    for (const delivery of first) await delivery.stop();
    assert.equal(sns.of('db').length, 1);
    assert.equal((await pending()).length, 1, 'the record stays until its outcome commits');

    deliveries = startDeliveries();
    await step();
    assert.equal(sns.of('db').length, 2, 'delivered once more after the restart');
    assert.equal(sns.of('db')[0]!.id, sns.of('db')[1]!.id, 'the same due action');
    assert.equal((await actionHistory('db')).length, 1, 'its outcome recorded once');
  });

  it('takes action ARNs through the registry at PutMetricAlarm', async () => {
    const refused = async (actions: string[]) => {
      try {
        await putAlarm('bad', { OKActions: actions });
      } catch (error) {
        return error as Error & { name: string };
      }
      assert.fail('the call succeeded');
    };
    assert.equal((await refused([`arn:aws:lambda:${region}:${account}:function:f`])).name, 'InvalidParameterValueException');
    assert.equal((await refused(['pager'])).name, 'InvalidParameterValueException');
    assert.equal((await refused([`arn:aws:autoscaling:${region}:${account}:autoScalingGroup:x`])).message, `The value arn:aws:autoscaling:${region}:${account}:autoScalingGroup:x for parameter OKActions.member.1 is invalid.`);
    const otherRegion = await refused([`arn:aws:sns:eu-west-1:${account}:pager`]);
    assert.equal(otherRegion.name, 'ValidationError');
    assert.equal(otherRegion.message, `Invalid region eu-west-1 specified. Only ${region} is supported.`);
    assert.equal(await store.read((tx) => tx.metricAlarms.get(account, region, 'bad')), undefined);
  });
});
