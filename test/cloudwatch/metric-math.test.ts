/** The metric math evaluator on its own: a table of expressions over known series, and its errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, type MathContext, type MathValue, type Series } from '../../src/cloudwatch/metric-math/evaluate.js';
import { MathError, parseExpression } from '../../src/cloudwatch/metric-math/parse.js';

const s = (label: string, points: [number, number][]): Series => ({ label, timestamps: points.map((p) => p[0] * 60_000), values: points.map((p) => p[1]) });
const m1 = s('Requests', [[0, 10], [1, 20], [3, 40]]);
const m2 = s('Errors', [[0, 1], [1, 0], [2, 5], [3, 4]]);
const context: MathContext = {
  lookup: (id) => (id === 'm1' ? { kind: 'series', series: m1 } : id === 'm2' ? { kind: 'series', series: m2 } : undefined),
  metrics: () => [m1, m2],
  grid: [0, 1, 2, 3].map((minute) => minute * 60_000),
};
const points = (value: MathValue) => {
  if (value.kind === 'series') return value.series.timestamps.map((t, i) => [t / 60_000, value.series.values[i]]);
  if (value.kind === 'scalar') return value.value;
  if (value.kind === 'array') return value.series.map((series) => series.timestamps.map((t, i) => [t / 60_000, series.values[i]]));
  return value.value;
};
const run = (source: string) => points(evaluate(parseExpression(source), context));

describe('metric math', () => {
  const table: [string, unknown][] = [
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['2 ^ 3 ^ 2', 512],
    ['-2 ^ 2', -4],
    ['10 - 4 - 3', 3],
    ['m1 * 2', [[0, 20], [1, 40], [3, 80]]],
    ['100 / m1', [[0, 10], [1, 5], [3, 2.5]]],
    // Two series meet where both have a point; a division by zero leaves the point out.
    ['m2 / m1 * 100', [[0, 10], [1, 0], [3, 10]]],
    ['m1 / m2', [[0, 10], [3, 10]]],
    ['FILL(m1, 0)', [[0, 10], [1, 20], [2, 0], [3, 40]]],
    ['FILL(m1, REPEAT)', [[0, 10], [1, 20], [2, 20], [3, 40]]],
    ['FILL(m1, LINEAR)', [[0, 10], [1, 20], [2, 30], [3, 40]]],
    ['RATE(m1)', [[1, 10 / 60], [3, 20 / 120]]],
    ['DIFF(m2)', [[1, -1], [2, 5], [3, -1]]],
    ['ABS(DIFF(m2))', [[1, 1], [2, 5], [3, 1]]],
    ['SUM(m1)', 70],
    ['AVG(m2)', 2.5],
    ['MAX(m1)', 40],
    ['SUM(METRICS())', [[0, 11], [1, 20], [2, 5], [3, 44]]],
    ['MIN(METRICS())', [[0, 1], [1, 0], [2, 5], [3, 4]]],
    ["METRICS('Err')", [[[0, 1], [1, 0], [2, 5], [3, 4]]]],
    ['METRICS() * 2', [[[0, 20], [1, 40], [3, 80]], [[0, 2], [1, 0], [2, 10], [3, 8]]]],
  ];
  for (const [source, expected] of table) {
    it(source, () => assert.deepEqual(run(source), expected));
  }

  const errors: [string, RegExp][] = [
    ['m1 +', /Unexpected end of expression at position 5/],
    ['m1 $ 2', /Unexpected character '\$' at position 4/],
    ['(m1 + 1', /Expected '\)' at position 8/],
    ['m9 * 2', /Unknown metric id 'm9' at position 1/],
    ['SEARCH(\'{AWS/EC2} CPU\', \'Average\', 300)', /Unsupported function SEARCH at position 1/],
    ['FILL(m1, SOMETIMES)', /FILL fills with a number, REPEAT or LINEAR/],
    ['RATE(m1, m2)', /RATE takes 1 argument, got 2/],
    ['METRICS() + METRICS()', /between two arrays/],
  ];
  for (const [source, message] of errors) {
    it(`refuses ${source}`, () => assert.throws(() => run(source), (error: unknown) => error instanceof MathError && message.test(error.message)));
  }
});
