/**
 * CloudWatch alarms through @aws-sdk/client-cloudwatch and the aws CLI: the API (definitions,
 * filters, paging, tags, history, AWS's errors) and alarms driven into ALARM and back by
 * PutMetricData points, the server's clock moved on instead of waiting for evaluations.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  DisableAlarmActionsCommand,
  EnableAlarmActionsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type DescribeAlarmsCommandInput,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { AdvancingClock } from '../../src/core/clock.js';
import { cliEnvironment, hasAwsCli, run } from '../helpers/aws-cli.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { signedRequest } from '../helpers/wire.js';

const minute = 60_000;

describe('CloudWatch alarms', () => {
  let berth: TestBerth;
  let cloudwatch: CloudWatchClient;
  const clock = new AdvancingClock();
  const account = '000000000000';

  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error as { name: string; message: string; berthHelp?: { hint?: string } };
    }
    assert.fail('the call succeeded');
  };
  /** Moves Berth's clock on, and the client's signing clock with it. */
  const advance = (ms: number) => {
    clock.advance(ms);
    (cloudwatch.config as { systemClockOffset: number }).systemClockOffset += ms;
  };
  const describeOne = async (name: string) => (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0]!;
  /** Runs the evaluations due now, until the alarm's state is `state` (a watch-triggered one may still be on its way). */
  const settleInto = async (name: string, state: string) => {
    for (let attempt = 0; attempt < 50; attempt++) {
      await berth.server.alarms.settle();
      const alarm = await describeOne(name);
      if (alarm.StateValue === state) return alarm;
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.fail(`${name} did not go to ${state}: ${JSON.stringify(await describeOne(name))}`);
  };
  const cpuAlarm = (name: string, overrides: Partial<PutMetricAlarmCommandInput> = {}): PutMetricAlarmCommandInput => ({
    AlarmName: name,
    Namespace: 'Shop',
    MetricName: 'CPU',
    Dimensions: [{ Name: 'Service', Value: name }],
    Statistic: 'Average',
    Period: 60,
    EvaluationPeriods: 3,
    DatapointsToAlarm: 2,
    Threshold: 70,
    ComparisonOperator: 'GreaterThanThreshold',
    ...overrides,
  });
  /** Puts `value` into each of the last `count` complete minutes of the server's clock. */
  const putLastMinutes = async (service: string, values: number[]) => {
    const currentMinute = Math.floor(clock.now().getTime() / minute) * minute;
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Shop',
        MetricData: values.map((value, index) => ({
          MetricName: 'CPU',
          Dimensions: [{ Name: 'Service', Value: service }],
          Timestamp: new Date(currentMinute - (values.length - index) * minute + 5_000),
          Value: value,
          Unit: 'Percent',
        })),
      }),
    );
  };

  before(async () => {
    berth = await startBerth({}, { clock });
    cloudwatch = new CloudWatchClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
  });
  after(async () => {
    cloudwatch.destroy();
    await berth.close();
  });

  it('creates an alarm in INSUFFICIENT_DATA, describes it as given, and updates it keeping its state', async () => {
    await cloudwatch.send(new PutMetricAlarmCommand(cpuAlarm('api-cpu', { AlarmDescription: 'CPU of api', TreatMissingData: 'ignore', Unit: 'Percent', Tags: [{ Key: 'team', Value: 'web' }] })));
    const alarm = await describeOne('api-cpu');
    assert.equal(alarm.AlarmArn, `arn:aws:cloudwatch:us-east-1:${account}:alarm:api-cpu`);
    assert.equal(alarm.StateValue, 'INSUFFICIENT_DATA');
    assert.equal(alarm.StateReason, 'Unchecked: Initial alarm creation');
    assert.equal(alarm.AlarmDescription, 'CPU of api');
    assert.deepEqual(alarm.Dimensions, [{ Name: 'Service', Value: 'api-cpu' }]);
    assert.equal(alarm.Statistic, 'Average');
    assert.equal(alarm.Period, 60);
    assert.equal(alarm.EvaluationPeriods, 3);
    assert.equal(alarm.DatapointsToAlarm, 2);
    assert.equal(alarm.Threshold, 70);
    assert.equal(alarm.ComparisonOperator, 'GreaterThanThreshold');
    assert.equal(alarm.TreatMissingData, 'ignore');
    assert.equal(alarm.Unit, 'Percent');
    assert.equal(alarm.ActionsEnabled, true);
    assert.ok(alarm.AlarmConfigurationUpdatedTimestamp instanceof Date);

    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'api-cpu', StateValue: 'OK', StateReason: 'by hand' }));
    await cloudwatch.send(new PutMetricAlarmCommand(cpuAlarm('api-cpu', { Threshold: 80, TreatMissingData: 'ignore' })));
    const updated = await describeOne('api-cpu');
    assert.equal(updated.Threshold, 80);
    assert.equal(updated.AlarmDescription, undefined, 'an update replaces the whole definition');
    assert.equal(updated.StateValue, 'OK');

    const tags = await cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: alarm.AlarmArn }));
    assert.deepEqual(tags.Tags, [{ Key: 'team', Value: 'web' }]);
    await cloudwatch.send(new TagResourceCommand({ ResourceARN: alarm.AlarmArn, Tags: [{ Key: 'tier', Value: '1' }] }));
    await cloudwatch.send(new UntagResourceCommand({ ResourceARN: alarm.AlarmArn, TagKeys: ['team'] }));
    assert.deepEqual((await cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: alarm.AlarmArn }))).Tags, [{ Key: 'tier', Value: '1' }]);
    const missing = await failure(cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: `arn:aws:cloudwatch:us-east-1:${account}:alarm:nope` })));
    assert.equal(missing.name, 'ResourceNotFoundException');

    await cloudwatch.send(new DisableAlarmActionsCommand({ AlarmNames: ['api-cpu'] }));
    assert.equal((await describeOne('api-cpu')).ActionsEnabled, false);
    await cloudwatch.send(new EnableAlarmActionsCommand({ AlarmNames: ['api-cpu'] }));
    assert.equal((await describeOne('api-cpu')).ActionsEnabled, true);

    const history = await cloudwatch.send(new DescribeAlarmHistoryCommand({ AlarmName: 'api-cpu', HistoryItemType: 'ConfigurationUpdate', ScanBy: 'TimestampAscending' }));
    assert.deepEqual(
      history.AlarmHistoryItems!.map((item) => item.HistorySummary),
      ['Alarm "api-cpu" created', 'Alarm "api-cpu" updated', 'Alarm "api-cpu" updated', 'Alarm "api-cpu" updated'],
    );
    const created = JSON.parse(history.AlarmHistoryItems![0]!.HistoryData!) as { type: string; createdAlarm: { Threshold: number } };
    assert.equal(created.type, 'Create');
    assert.equal(created.createdAlarm.Threshold, 70);
  });

  it('filters DescribeAlarms by name, prefix, state and type, pages them, and finds alarms by metric', async () => {
    for (const name of ['batch-a', 'batch-b', 'batch-c']) await cloudwatch.send(new PutMetricAlarmCommand(cpuAlarm(name)));
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'batch-b', StateValue: 'ALARM', StateReason: 'testing' }));
    const names = async (input: DescribeAlarmsCommandInput) => (await cloudwatch.send(new DescribeAlarmsCommand(input))).MetricAlarms!.map((alarm) => alarm.AlarmName);
    assert.deepEqual(await names({ AlarmNamePrefix: 'batch-' }), ['batch-a', 'batch-b', 'batch-c']);
    assert.deepEqual(await names({ AlarmNamePrefix: 'batch-', StateValue: 'ALARM' }), ['batch-b']);
    assert.deepEqual(await names({ AlarmNames: ['batch-c', 'batch-a'] }), ['batch-a', 'batch-c']);
    assert.deepEqual(await names({ AlarmNamePrefix: 'batch-', AlarmTypes: ['CompositeAlarm'] }), []);

    const first = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'batch-', MaxRecords: 2 }));
    assert.deepEqual(first.MetricAlarms!.map((alarm) => alarm.AlarmName), ['batch-a', 'batch-b']);
    assert.ok(first.NextToken);
    const second = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'batch-', MaxRecords: 2, NextToken: first.NextToken }));
    assert.deepEqual(second.MetricAlarms!.map((alarm) => alarm.AlarmName), ['batch-c']);
    assert.equal(second.NextToken, undefined);
    assert.equal((await failure(cloudwatch.send(new DescribeAlarmsCommand({ NextToken: 'garbage' })))).name, 'InvalidNextToken');

    const forMetric = await cloudwatch.send(new DescribeAlarmsForMetricCommand({ Namespace: 'Shop', MetricName: 'CPU', Dimensions: [{ Name: 'Service', Value: 'batch-b' }] }));
    assert.deepEqual(forMetric.MetricAlarms!.map((alarm) => alarm.AlarmName), ['batch-b']);

    const unknown = await failure(cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['batch-a', 'nope'] })));
    assert.equal(unknown.name, 'ResourceNotFound');
    assert.deepEqual(await names({ AlarmNamePrefix: 'batch-' }), ['batch-a', 'batch-b', 'batch-c'], 'nothing deleted when a name is wrong');
    await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['batch-a', 'batch-b', 'batch-c'] }));
    assert.deepEqual(await names({ AlarmNamePrefix: 'batch-' }), []);
    const deleted = await cloudwatch.send(new DescribeAlarmHistoryCommand({ AlarmName: 'batch-a', HistoryItemType: 'ConfigurationUpdate' }));
    assert.equal(deleted.AlarmHistoryItems![0]!.HistorySummary, 'Alarm "batch-a" deleted', 'history outlives the alarm, newest first');
  });

  it("refuses what it cannot honour, in CloudWatch's errors", async () => {
    const put = (overrides: Partial<PutMetricAlarmCommandInput>) => failure(cloudwatch.send(new PutMetricAlarmCommand(cpuAlarm('bad', overrides))));
    const action = await put({ AlarmActions: [`arn:aws:sns:us-east-1:${account}:pager`] });
    assert.equal(action.name, 'InvalidParameterValueException');
    assert.match(action.berthHelp?.hint ?? '', /no alarm action it could invoke/);
    // An Application Auto Scaling policy, as the scaling policies' alarms name them: refused while no target performs it.
    const policy = `arn:aws:autoscaling:us-east-1:${account}:scalingPolicy:7f0c6a4e-1d2b-4c3d-8e9f-0a1b2c3d4e5f:resource/ecs/service/prod/web:policyName/scale-out`;
    const scaling = await put({ OKActions: [policy] });
    assert.equal(scaling.name, 'InvalidParameterValueException');
    assert.equal(scaling.message, `The value ${policy} for parameter OKActions.member.1 is invalid.`);
    assert.match(scaling.berthHelp?.hint ?? '', /no alarm action it could invoke/);
    assert.equal((await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['bad'] }))).MetricAlarms!.length, 0, 'nothing stored');
    assert.equal((await put({ ExtendedStatistic: 'p99' })).name, 'InvalidParameterCombinationException');
    assert.equal((await put({ DatapointsToAlarm: 4 })).name, 'InvalidParameterValueException');
    assert.equal((await put({ Period: 45 })).name, 'InvalidParameterValueException');
    assert.equal((await put({ ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold' })).name, 'InvalidParameterValueException');
    assert.equal((await put({ TreatMissingData: 'sometimes' })).name, 'InvalidParameterValueException');
    assert.equal((await put({ Period: 3600, EvaluationPeriods: 200 })).name, 'InvalidParameterValueException');
    const stat = (id: string, returnData = false) => ({ Id: id, ReturnData: returnData, MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'CPU' }, Period: 60, Stat: 'Sum' } });
    const putMath = (input: Partial<PutMetricAlarmCommandInput>) =>
      failure(cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: 'bad', EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold', ...input })));
    const twoReturning = await putMath({ Metrics: [stat('m1', true), stat('m2', true)] });
    assert.equal(twoReturning.message, 'Exactly one element of the metrics list should return data.');
    assert.equal((await putMath({ Metrics: [stat('m1'), { Id: 'e1', Expression: 'm1 * m9' }] })).message, "Error in expression e1: Unrecognized metric id 'm9'.");
    assert.equal((await putMath({ MetricName: 'CPU', Metrics: [stat('m1', true)] })).name, 'InvalidParameterCombinationException');
    const cycle = await putMath({ Metrics: [stat('m1'), { Id: 'a', Expression: 'b + m1', ReturnData: true }, { Id: 'b', Expression: 'a * 2', ReturnData: false }] });
    assert.match(cycle.message, /^Error in expression [ab]: Circular dependency between expressions\.$/);
    const state = await failure(cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' })));
    assert.equal(state.name, 'ResourceNotFound');
    assert.equal(state.message, 'Alarm nope not found');
    await cloudwatch.send(new PutMetricAlarmCommand(cpuAlarm('json-check')));
    const json = await failure(cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'json-check', StateValue: 'OK', StateReason: 'x', StateReasonData: '{nope' })));
    assert.equal(json.name, 'InvalidFormatFault');
  });

  it('goes into ALARM on breaching points and back to OK on good ones, each step in the history', async () => {
    // The last three minutes breach: 3 out of 3 (2 needed).
    await putLastMinutes('web', [91, 95, 99]);
    await cloudwatch.send(new PutMetricAlarmCommand(cpuAlarm('web')));
    const alarmed = await settleInto('web', 'ALARM');
    assert.match(alarmed.StateReason!, /^Threshold Crossed: 3 out of the last 3 datapoints \[99\.0 \(\d\d\/\d\d\/\d\d \d\d:\d\d:00\), 95\.0 .*\] were greater than the threshold \(70\.0\) \(minimum 2 datapoints for INSUFFICIENT_DATA -> ALARM transition\)\.$/);
    const data = JSON.parse(alarmed.StateReasonData!) as { statistic: string; period: number; threshold: number; evaluatedDatapoints: unknown[] };
    assert.equal(data.statistic, 'Average');
    assert.equal(data.evaluatedDatapoints.length, 3);

    // Three minutes on, three good minutes: OK.
    advance(3 * minute);
    await putLastMinutes('web', [10, 12, 11]);
    const ok = await settleInto('web', 'OK');
    assert.match(ok.StateReason!, /^Threshold Crossed: 3 out of the last 3 datapoints \[.*\] were not greater than the threshold \(70\.0\) \(minimum 2 datapoints for ALARM -> OK transition\)\.$/);

    // SetAlarmState holds until the next evaluation, which puts it back.
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'web', StateValue: 'ALARM', StateReason: 'drill' }));
    await berth.server.alarms.settle();
    assert.equal((await describeOne('web')).StateValue, 'ALARM');
    advance(minute);
    await settleInto('web', 'OK');

    const history = await cloudwatch.send(new DescribeAlarmHistoryCommand({ AlarmName: 'web', HistoryItemType: 'StateUpdate', ScanBy: 'TimestampAscending' }));
    assert.deepEqual(
      history.AlarmHistoryItems!.map((item) => item.HistorySummary),
      ['Alarm updated from INSUFFICIENT_DATA to ALARM', 'Alarm updated from ALARM to OK', 'Alarm updated from OK to ALARM', 'Alarm updated from ALARM to OK'],
    );
    const first = JSON.parse(history.AlarmHistoryItems![0]!.HistoryData!) as { oldState: { stateValue: string }; newState: { stateValue: string; stateReasonData: { threshold: number } } };
    assert.equal(first.oldState.stateValue, 'INSUFFICIENT_DATA');
    assert.equal(first.newState.stateReasonData.threshold, 70);
    const untilFirst = await cloudwatch.send(new DescribeAlarmHistoryCommand({ AlarmName: 'web', HistoryItemType: 'StateUpdate', EndDate: alarmed.StateUpdatedTimestamp }));
    assert.deepEqual(untilFirst.AlarmHistoryItems!.map((item) => item.HistorySummary), ['Alarm updated from INSUFFICIENT_DATA to ALARM']);
    const sinceOk = await cloudwatch.send(new DescribeAlarmHistoryCommand({ AlarmName: 'web', HistoryItemType: 'StateUpdate', StartDate: ok.StateUpdatedTimestamp, ScanBy: 'TimestampAscending' }));
    assert.equal(sinceOk.AlarmHistoryItems![0]!.HistorySummary, 'Alarm updated from ALARM to OK');
    assert.equal(sinceOk.AlarmHistoryItems!.length, 3);
    const paged = await cloudwatch.send(new DescribeAlarmHistoryCommand({ AlarmName: 'web', HistoryItemType: 'StateUpdate', MaxRecords: 3 }));
    assert.equal(paged.AlarmHistoryItems!.length, 3);
    const rest = await cloudwatch.send(new DescribeAlarmHistoryCommand({ AlarmName: 'web', HistoryItemType: 'StateUpdate', MaxRecords: 3, NextToken: paged.NextToken }));
    assert.deepEqual(rest.AlarmHistoryItems!.map((item) => item.HistorySummary), ['Alarm updated from INSUFFICIENT_DATA to ALARM']);
  });

  it('evaluates a metric math alarm on the query that returns data', async () => {
    const currentMinute = Math.floor(clock.now().getTime() / minute) * minute;
    const datum = (name: string, value: number) => ({ MetricName: name, Dimensions: [{ Name: 'Service', Value: 'math' }], Timestamp: new Date(currentMinute - minute + 5_000), Value: value });
    await cloudwatch.send(new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [datum('Errors', 12), datum('Requests', 100)] }));
    const stat = (id: string, metricName: string) => ({ Id: id, ReturnData: false, MetricStat: { Metric: { Namespace: 'Shop', MetricName: metricName, Dimensions: [{ Name: 'Service', Value: 'math' }] }, Period: 60, Stat: 'Sum' } });
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'error-rate',
        Metrics: [stat('errors', 'Errors'), stat('requests', 'Requests'), { Id: 'rate', Expression: '100 * errors / requests', Label: 'Error rate', ReturnData: true }],
        EvaluationPeriods: 1,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    const alarmed = await settleInto('error-rate', 'ALARM');
    assert.match(alarmed.StateReason!, /^Threshold Crossed: 1 datapoint \[12\.0 \(.*\)\] was greater than the threshold \(5\.0\)/);
    assert.equal(alarmed.MetricName, undefined);
    assert.equal(alarmed.Period, 60);
    assert.deepEqual(alarmed.Metrics!.map((query) => [query.Id, query.ReturnData, query.Expression ?? query.MetricStat!.Metric!.MetricName]), [
      ['errors', false, 'Errors'],
      ['requests', false, 'Requests'],
      ['rate', true, '100 * errors / requests'],
    ]);
    const found = await cloudwatch.send(new DescribeAlarmsForMetricCommand({ Namespace: 'Shop', MetricName: 'Requests', Dimensions: [{ Name: 'Service', Value: 'math' }] }));
    assert.deepEqual(found.MetricAlarms!.map((alarm) => alarm.AlarmName), ['error-rate']);
  });

  it('goes to INSUFFICIENT_DATA when the metric stops, with missing data treated as missing', async () => {
    await putLastMinutes('quiet', [90, 90]);
    await cloudwatch.send(new PutMetricAlarmCommand(cpuAlarm('quiet')));
    await settleInto('quiet', 'ALARM');
    // The evaluation range is 5 minutes (N + 2): 6 minutes on, nothing is left in it.
    advance(6 * minute);
    const insufficient = await settleInto('quiet', 'INSUFFICIENT_DATA');
    assert.equal(insufficient.StateReason, 'Insufficient Data: 5 datapoints were unknown.');
  });

  it('is driven by the aws CLI too', { skip: hasAwsCli ? false : 'the aws command is not installed on this machine' }, async () => {
    // The CLI signs with the real time: Berth's clock is ahead of it in this suite, so the CLI gets its own Berth.
    const plain = await startBerth();
    try {
      const aws = async (...args: string[]) => {
        const { stdout } = await run('aws', ['--endpoint-url', plain.url, '--output', 'json', 'cloudwatch', ...args], { env: cliEnvironment });
        return JSON.parse(stdout || '{}') as Record<string, any>;
      };
      await aws(
        'put-metric-alarm', '--alarm-name', 'cli-cpu', '--namespace', 'Cli', '--metric-name', 'CPU', '--dimensions', 'Name=Service,Value=web',
        '--statistic', 'Maximum', '--period', '60', '--evaluation-periods', '3', '--threshold', '70', '--comparison-operator', 'GreaterThanOrEqualToThreshold',
        '--treat-missing-data', 'breaching',
      );
      await aws('set-alarm-state', '--alarm-name', 'cli-cpu', '--state-value', 'ALARM', '--state-reason', 'from the CLI');
      const described = await aws('describe-alarms', '--alarm-names', 'cli-cpu');
      assert.equal(described.MetricAlarms[0].StateValue, 'ALARM');
      assert.equal(described.MetricAlarms[0].StateReason, 'from the CLI');
      assert.equal(described.MetricAlarms[0].TreatMissingData, 'breaching');
      const refused = await run('aws', ['--endpoint-url', plain.url, 'cloudwatch', 'set-alarm-state', '--alarm-name', 'nope', '--state-value', 'OK', '--state-reason', 'x'], { env: cliEnvironment }).then(
        () => assert.fail('the call succeeded'),
        (error: { stderr: string }) => error.stderr,
      );
      assert.match(refused, /ResourceNotFound.*Alarm nope not found/);
    } finally {
      await plain.close();
    }
  });

  it('is served over Query too, as older SDKs send it', async () => {
    // Query requests are signed with the real time: a Berth of its own, on the real clock.
    const plain = await startBerth();
    const query = (params: Record<string, string>) =>
      signedRequest(plain.url, { service: 'monitoring', contentType: 'application/x-www-form-urlencoded; charset=utf-8', body: new URLSearchParams({ Version: '2010-08-01', ...params }).toString() });
    try {
      const put = await query({
        Action: 'PutMetricAlarm',
        AlarmName: 'old-sdk',
        Namespace: 'Old',
        MetricName: 'Jobs',
        'Dimensions.member.1.Name': 'Queue',
        'Dimensions.member.1.Value': 'a',
        Statistic: 'Sum',
        Period: '300',
        EvaluationPeriods: '2',
        Threshold: '10.5',
        ComparisonOperator: 'LessThanThreshold',
        ActionsEnabled: 'false',
      });
      assert.equal(put.status, 200, put.bytes.toString());
      const described = (await query({ Action: 'DescribeAlarms', 'AlarmNames.member.1': 'old-sdk' })).bytes.toString();
      assert.match(described, /<DescribeAlarmsResponse xmlns="http:\/\/monitoring.amazonaws.com\/doc\/2010-08-01\/">/);
      assert.match(described, /<AlarmName>old-sdk<\/AlarmName>/);
      assert.match(described, /<ActionsEnabled>false<\/ActionsEnabled>/);
      assert.match(described, /<Threshold>10.5<\/Threshold>/);
      assert.match(described, /<StateValue>INSUFFICIENT_DATA<\/StateValue>/);
      const missing = await query({ Action: 'SetAlarmState', AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' });
      assert.equal(missing.status, 404, missing.bytes.toString());
      assert.match(missing.bytes.toString(), /<Code>ResourceNotFound<\/Code><Message>Alarm nope not found<\/Message>/);
    } finally {
      await plain.close();
    }
  });
});
