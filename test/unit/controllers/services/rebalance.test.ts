import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeCounts, isBalanced, rebalanceLaunches, zoneCounts } from '../../../../src/controllers/services/rebalance.js';
import type { TaskRecord } from '../../../../src/store/types.js';

const counts = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('Availability Zone rebalancing arithmetic', () => {
  test('counts tasks per zone over the zones given, empty zones included', () => {
    const tasks = ['a', 'a', 'b', 'x', undefined].map((zone, index) => ({ taskArn: `t${index}`, ...(zone ? { availabilityZone: zone } : {}) }) as TaskRecord);
    assert.deepEqual(zoneCounts(tasks, ['a', 'b', 'c']), counts({ a: 2, b: 1, c: 0 }));
  });

  test('balanced means no two zones differ by more than one task', () => {
    assert.equal(isBalanced(counts({ a: 2, b: 1, c: 1 })), true);
    assert.equal(isBalanced(counts({ a: 2, b: 2, c: 0 })), false);
    assert.equal(isBalanced(counts({})), true);
  });

  test('the worked example: 4, 1, 0 of 5 start one task in each of the emptier zones', () => {
    assert.deepEqual(rebalanceLaunches(counts({ a: 4, b: 1, c: 0 }), 5, 10), [
      { zone: 'b', count: 1 },
      { zone: 'c', count: 1 },
    ]);
  });

  test('the zones that keep an extra task are those holding the most already', () => {
    // 7 over three zones is 3, 2, 2: zone b already holds 4, so it keeps the 3.
    assert.deepEqual(rebalanceLaunches(counts({ a: 1, b: 4, c: 2 }), 7, 10), [{ zone: 'a', count: 1 }]);
  });

  test('never starts more than maximumPercent leaves room for, largest deficits first', () => {
    assert.deepEqual(rebalanceLaunches(counts({ a: 6, b: 0, c: 0 }), 6, 3), [
      { zone: 'b', count: 2 },
      { zone: 'c', count: 1 },
    ]);
    assert.deepEqual(rebalanceLaunches(counts({ a: 6, b: 0 }), 6, 0), [], 'no room (maximumPercent 100): nothing moves');
  });

  test('says the counts as ECS words them', () => {
    assert.equal(describeCounts(counts({ 'us-east-1b': 1, 'us-east-1a': 2, 'us-east-1c': 0 })), '2 tasks in us-east-1a, 1 tasks in us-east-1b, and 0 tasks in us-east-1c');
    assert.equal(describeCounts(counts({ a: 1, b: 1 })), '1 tasks in a, and 1 tasks in b');
  });
});
