/**
 * The alarm evaluator's tables: CloudWatch's own examples of missing-data treatment (the table in
 * "Configuring how CloudWatch alarms treat missing data", 3 out of 3 over an evaluation range of 5),
 * M out of N, every comparison operator, low-sample percentiles, and the reason text as CloudWatch
 * words it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateAlarm, type AlarmState, type EvaluationRule, type RangePoint, type TreatMissingData } from '../../src/cloudwatch/alarms/evaluate.js';
import { javaDouble, reasonDate } from '../../src/cloudwatch/alarms/reason.js';

const minute = 60_000;
const start = Date.UTC(2026, 11, 5, 0, 1);

const rule = (overrides: Partial<EvaluationRule> = {}): EvaluationRule => ({
  statistic: 'Average',
  periodSeconds: 60,
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
  threshold: 70,
  comparisonOperator: 'GreaterThanThreshold',
  treatMissingData: 'missing',
  evaluateLowSampleCountPercentile: 'evaluate',
  ...overrides,
});

/** "0 - X - X": 0 is a datapoint within the threshold, X one breaching it, - a period without data; oldest first. */
function range(pattern: string): RangePoint[] {
  return pattern.split(' ').map((symbol, index) => ({
    timestamp: start + index * minute,
    ...(symbol === '-' ? {} : { value: symbol === 'X' ? 80 : 10, sampleCount: 1 }),
  }));
}

const keep = 'keep';
type Expected = AlarmState | typeof keep;

describe('alarm evaluation', () => {
  // CloudWatch's table: Datapoints to Alarm 3, Evaluation Periods 3, a range of 5.
  const table: [string, Record<TreatMissingData, Expected>][] = [
    ['0 - X - X', { missing: 'OK', ignore: 'OK', breaching: 'ALARM', notBreaching: 'OK' }],
    ['0 - - - -', { missing: 'OK', ignore: 'OK', breaching: 'ALARM', notBreaching: 'OK' }],
    ['- - - - -', { missing: 'INSUFFICIENT_DATA', ignore: keep, breaching: 'ALARM', notBreaching: 'OK' }],
    ['0 X X - X', { missing: 'ALARM', ignore: 'ALARM', breaching: 'ALARM', notBreaching: 'OK' }],
    ['- - X - -', { missing: 'ALARM', ignore: 'ALARM', breaching: 'ALARM', notBreaching: 'OK' }],
  ];
  for (const [pattern, outcomes] of table) {
    for (const [treatment, expected] of Object.entries(outcomes) as [TreatMissingData, Expected][]) {
      it(`${pattern} with missing data treated as ${treatment}: ${expected}`, () => {
        const result = evaluateAlarm(rule({ treatMissingData: treatment }), 'OK', range(pattern), start + 5 * minute);
        assert.equal(result.state ?? keep, expected === keep ? keep : expected);
      });
    }
  }

  it('keeps the state with ignore and no data, whatever the state is', () => {
    for (const current of ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const) {
      assert.equal(evaluateAlarm(rule({ treatMissingData: 'ignore' }), current, range('- - - - -'), start).state, undefined);
    }
  });

  it('goes to ALARM with M of the last N breaching, and not with fewer (2 out of 3)', () => {
    const twoOfThree = rule({ datapointsToAlarm: 2 });
    assert.equal(evaluateAlarm(twoOfThree, 'OK', range('0 0 X 0 X'), start).state, 'ALARM');
    assert.equal(evaluateAlarm(twoOfThree, 'OK', range('X X 0 0 X'), start).state, 'OK');
    assert.equal(evaluateAlarm(twoOfThree, 'ALARM', range('0 0 X X 0'), start).state, 'ALARM');
  });

  it('compares with each operator as its name says', () => {
    const at = (value: number): RangePoint[] => [{ timestamp: start, value, sampleCount: 1 }];
    const one = (operator: EvaluationRule['comparisonOperator'], value: number) =>
      evaluateAlarm(rule({ comparisonOperator: operator, evaluationPeriods: 1, datapointsToAlarm: 1 }), 'OK', at(value), start).state;
    assert.equal(one('GreaterThanThreshold', 70), 'OK');
    assert.equal(one('GreaterThanOrEqualToThreshold', 70), 'ALARM');
    assert.equal(one('LessThanThreshold', 70), 'OK');
    assert.equal(one('LessThanOrEqualToThreshold', 70), 'ALARM');
    assert.equal(one('LessThanThreshold', 69.9), 'ALARM');
    assert.equal(one('GreaterThanThreshold', 70.1), 'ALARM');
  });

  it('words the reason as CloudWatch does', () => {
    const points: RangePoint[] = [75.1, 72, 80].map((value, index) => ({ timestamp: start + index * minute, value, sampleCount: 1 }));
    const alarm = evaluateAlarm(rule(), 'OK', points, start + 3 * minute);
    assert.equal(
      alarm.reason,
      'Threshold Crossed: 3 out of the last 3 datapoints [80.0 (05/12/26 00:03:00), 72.0 (05/12/26 00:02:00), 75.1 (05/12/26 00:01:00)] were greater than the threshold (70.0) (minimum 3 datapoints for OK -> ALARM transition).',
    );
    const data = JSON.parse(alarm.reasonData!) as Record<string, unknown>;
    assert.equal(data.version, '1.0');
    assert.equal(data.statistic, 'Average');
    assert.equal(data.period, 60);
    assert.equal(data.threshold, 70);
    assert.deepEqual(data.recentDatapoints, [80, 72, 75.1]);
    assert.equal(data.queryDate, '2026-12-05T00:04:00.000+0000');
    assert.deepEqual((data.evaluatedDatapoints as unknown[])[0], { timestamp: '2026-12-05T00:03:00.000+0000', sampleCount: 1, value: 80 });

    const single = evaluateAlarm(rule({ evaluationPeriods: 1, datapointsToAlarm: 1, comparisonOperator: 'LessThanOrEqualToThreshold' }), 'OK', [{ timestamp: start, value: 6.046241709654764, sampleCount: 1 }], start);
    assert.equal(single.reason, 'Threshold Crossed: 1 datapoint [6.046241709654764 (05/12/26 00:01:00)] was less than or equal to the threshold (70.0) (minimum 1 datapoint for OK -> ALARM transition).');

    const ok = evaluateAlarm(rule(), 'ALARM', range('X X X 0 X'), start);
    assert.equal(ok.state, 'OK');
    assert.equal(ok.reason, 'Threshold Crossed: 1 out of the last 3 datapoints [10.0 (05/12/26 00:04:00)] was not greater than the threshold (70.0) (minimum 1 datapoint for ALARM -> OK transition).');

    assert.equal(evaluateAlarm(rule(), 'OK', range('- - - - -'), start).reason, 'Insufficient Data: 5 datapoints were unknown.');

    // Decided with missing data: no value listed; the datapoints received over the N periods, and the treatment of the missing ones.
    const notBreaching = evaluateAlarm(rule({ evaluationPeriods: 2, datapointsToAlarm: 2, treatMissingData: 'notBreaching' }), 'ALARM', range('X X X X -'), start);
    assert.equal(notBreaching.state, 'OK');
    assert.equal(notBreaching.reason, 'Threshold Crossed: 1 datapoint was received for 2 periods and 1 missing datapoint was treated as [NonBreaching].');
    const lastOneMissing = evaluateAlarm(rule({ evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: 'notBreaching' }), 'ALARM', range('X X X X -'), start);
    assert.equal(lastOneMissing.reason, 'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].');
    // CloudWatch's words for 2 out of 3 reached through missing data: "1 datapoint was received for 3 periods and 2 missing datapoints were treated as [Breaching]".
    const partly = evaluateAlarm(rule({ datapointsToAlarm: 2, treatMissingData: 'breaching' }), 'OK', range('0 0 0 - -'), start);
    assert.equal(partly.state, 'ALARM');
    assert.equal(partly.reason, 'Threshold Crossed: 1 datapoint was received for 3 periods and 2 missing datapoints were treated as [Breaching].');
    const breaching = evaluateAlarm(rule({ treatMissingData: 'breaching' }), 'OK', range('- - - - -'), start);
    assert.equal(breaching.state, 'ALARM');
    assert.equal(breaching.reason, 'Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching].');
  });

  it('leaves the state alone on a low-sample percentile when told to ignore it, and evaluates it otherwise', () => {
    // p99 needs 10 / (1 - 0.99) = 1000 samples to be significant.
    const points: RangePoint[] = [{ timestamp: start, value: 500, sampleCount: 20 }];
    const p99 = { statistic: 'p99', percentile: 99, evaluationPeriods: 1, datapointsToAlarm: 1 };
    assert.equal(evaluateAlarm(rule({ ...p99, evaluateLowSampleCountPercentile: 'ignore' }), 'OK', points, start).state, undefined);
    assert.equal(evaluateAlarm(rule({ ...p99, evaluateLowSampleCountPercentile: 'evaluate' }), 'OK', points, start).state, 'ALARM');
    const many: RangePoint[] = [{ timestamp: start, value: 500, sampleCount: 1000 }];
    assert.equal(evaluateAlarm(rule({ ...p99, evaluateLowSampleCountPercentile: 'ignore' }), 'OK', many, start).state, 'ALARM');
  });

  it('prints numbers and dates as CloudWatch does', () => {
    assert.equal(javaDouble(70), '70.0');
    assert.equal(javaDouble(0.5), '0.5');
    assert.equal(javaDouble(-3), '-3.0');
    assert.equal(reasonDate(Date.UTC(2018, 7, 15, 21, 15)), '15/08/18 21:15:00');
  });
});
