import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRng } from '../../../../src/core/rng.js';
import { scaleInVictims, spreadKeysOf, type SpreadKey } from '../../../../src/controllers/services/scale-in.js';
import type { InstanceState } from '../../../../src/controllers/services/reconcile.js';
import type { TaskRecord } from '../../../../src/store/types.js';

let serial = 0;
function task(zone: string, instance: string, extra: Partial<TaskRecord> = {}): TaskRecord {
  serial++;
  return {
    taskArn: `arn:aws:ecs:us-east-1:000000000000:task/dev/t${String(serial).padStart(3, '0')}`,
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/dev',
    taskDefinitionArn: 'td',
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    containerInstanceArn: instance,
    availabilityZone: zone,
    createdAt: serial,
    tags: [],
    ...extra,
  };
}

const byDefault = [
  { type: 'spread', field: 'attribute:ecs.availability-zone' },
  { type: 'spread', field: 'instanceId' },
];
const noInstances = new Map<string, InstanceState>();
const tally = (tasks: TaskRecord[], key: (task: TaskRecord) => string | undefined) => {
  const counts: Record<string, number> = {};
  for (const one of tasks) counts[key(one) ?? '-'] = (counts[key(one) ?? '-'] ?? 0) + 1;
  return counts;
};
const without = (all: TaskRecord[], victims: TaskRecord[]) => all.filter((one) => !victims.includes(one));

describe('scale-in keeps the spread', () => {
  test('the worked example: zones a:3 b:2 c:1 scaled in to 3 leave one task in each zone', () => {
    const tasks = [task('a', 'i-a1'), task('a', 'i-a2'), task('a', 'i-a3'), task('b', 'i-b1'), task('b', 'i-b2'), task('c', 'i-c1')];
    const victims = scaleInVictims(tasks, 3, spreadKeysOf(byDefault, false, noInstances));
    assert.deepEqual(tally(without(tasks, victims), (one) => one.availabilityZone), { a: 1, b: 1, c: 1 });
    assert.equal(victims[0]!.availabilityZone, 'a', 'the fullest zone gives first');
  });

  test('within a zone, the instance holding the most of the service tasks gives first', () => {
    const crowded = [task('a', 'i-1'), task('a', 'i-1'), task('a', 'i-1')];
    const tasks = [...crowded, task('a', 'i-2'), task('b', 'i-3'), task('b', 'i-4')];
    const victims = scaleInVictims(tasks, 2, spreadKeysOf(byDefault, false, noInstances));
    assert.ok(victims.every((victim) => victim.containerInstanceArn === 'i-1'), JSON.stringify(victims.map((victim) => victim.containerInstanceArn)));
    assert.deepEqual(tally(without(tasks, victims), (one) => one.availabilityZone), { a: 2, b: 2 });
  });

  test('tasks not yet running go first, wherever they are; then the newest', () => {
    const pending = task('c', 'i-3', { lastStatus: 'PENDING' });
    const tasks = [task('a', 'i-1'), task('a', 'i-1'), task('b', 'i-2'), pending];
    assert.deepEqual(scaleInVictims(tasks, 1, spreadKeysOf(byDefault, false, noInstances)), [pending]);
    const older = task('a', 'i-1');
    const newer = task('b', 'i-2');
    assert.deepEqual(scaleInVictims([older, newer], 1, spreadKeysOf([{ type: 'binpack', field: 'memory' }], false, noInstances)), [newer], 'no spread: the newest goes');
  });

  test('a Fargate service with no strategy keeps its spread over Availability Zones', () => {
    const tasks = [task('a', ''), task('a', ''), task('b', '')];
    const victims = scaleInVictims(tasks, 1, spreadKeysOf([], true, noInstances));
    assert.equal(victims[0]!.availabilityZone, 'a');
    assert.deepEqual(spreadKeysOf([], false, noInstances), [], 'on instances with no strategy, nothing to keep');
  });

  test('a spread over a custom attribute reads it from the instances', () => {
    const instances = new Map<string, InstanceState>([
      ['i-1', { status: 'ACTIVE', lost: false, attributes: [{ name: 'rack', value: 'r1' }] }],
      ['i-2', { status: 'ACTIVE', lost: false, attributes: [{ name: 'rack', value: 'r1' }] }],
      ['i-3', { status: 'ACTIVE', lost: false, attributes: [{ name: 'rack', value: 'r2' }] }],
    ]);
    const tasks = [task('a', 'i-1'), task('a', 'i-2'), task('a', 'i-3')];
    const victims = scaleInVictims(tasks, 1, spreadKeysOf([{ type: 'spread', field: 'attribute:rack' }], false, instances));
    assert.notEqual(victims[0]!.containerInstanceArn, 'i-3', 'rack r1 holds two');
  });

  test('asks for none or all', () => {
    const tasks = [task('a', 'i-1'), task('b', 'i-2')];
    assert.deepEqual(scaleInVictims(tasks, 0, []), []);
    assert.deepEqual(scaleInVictims(tasks, 5, []), tasks);
  });

  test('picks, victim by victim, what a plain search over every task would pick (zones holding instances, random fleets)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rng = seededRng(seed);
      const zones = 1 + rng.int(4);
      const tasks = Array.from({ length: 1 + rng.int(60) }, () => {
        const zone = `z${rng.int(zones)}`;
        return task(zone, `${zone}-i${rng.int(5)}`, { lastStatus: rng.int(6) === 0 ? 'PENDING' : 'RUNNING', createdAt: rng.int(20) });
      });
      const count = rng.int(tasks.length + 1);
      const keys = spreadKeysOf(byDefault, false, noInstances);
      assert.deepEqual(
        scaleInVictims(tasks, count, keys).map((one) => one.taskArn),
        plainSearch(tasks, count, keys).map((one) => one.taskArn),
        `seed ${seed}`,
      );
    }
  });
});

/** The rule in its plainest form: each victim is the best of all remaining tasks, weighed by counts over all of them. */
function plainSearch(candidates: TaskRecord[], count: number, keys: readonly SpreadKey[]): TaskRecord[] {
  if (count >= candidates.length) return [...candidates];
  const kept = [...candidates];
  const victims: TaskRecord[] = [];
  const weight = (one: TaskRecord, key: SpreadKey) => kept.filter((other) => key(other) === key(one)).length;
  const rankOf = (one: TaskRecord) => [one.lastStatus === 'RUNNING' ? 0 : 1, ...keys.map((key) => weight(one, key)), one.createdAt ?? 0];
  while (victims.length < count) {
    let best = kept[0]!;
    for (const one of kept.slice(1)) {
      const [a, b] = [rankOf(one), rankOf(best)];
      const index = a.findIndex((value, i) => value !== b[i]);
      if (index >= 0 ? a[index]! > b[index]! : one.taskArn > best.taskArn) best = one;
    }
    kept.splice(kept.indexOf(best), 1);
    victims.push(best);
  }
  return victims;
}
