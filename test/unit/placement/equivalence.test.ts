import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRng, type Rng } from '../../../src/core/rng.js';
import {
  placeOnState,
  placeTasks,
  placeTasksReference,
  PlacementState,
  type ClusterSnapshot,
  type InstanceSnapshot,
  type InstanceStatus,
  type PlacementConstraint,
  type PlacementRequest,
  type PlacementStrategy,
} from '../../../src/placement/index.js';

/**
 * The fast pipeline (indexes, heaps, incremental bookkeeping) must return exactly what the
 * reference implementation (every filter on every instance for every task) returns: random
 * clusters and requests from a seeded Rng, small value ranges so that ties are frequent.
 */

const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)]!;
const chance = (rng: Rng, p: number): boolean => rng.next() < p;
const GROUPS = ['family:web', 'family:db', 'service:api', 'databases'];
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const STATUSES: InstanceStatus[] = ['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'DRAINING', 'REGISTERING'];

function randomInstance(rng: Rng, n: number): InstanceSnapshot {
  const attributes: Record<string, string | null> = { 'ecs.instance-type': pick(rng, ['t2.small', 't2.large', 'm5.large']) };
  if (chance(rng, 0.9)) attributes['ecs.availability-zone'] = pick(rng, ZONES);
  if (chance(rng, 0.5)) attributes['rack'] = pick(rng, ['r1', 'r2']);
  if (chance(rng, 0.7)) attributes['ecs.capability.task-eni'] = null;
  if (chance(rng, 0.5)) attributes['stack'] = pick(rng, ['prod', 'dev']);
  const tasks = Array.from({ length: rng.int(4) }, () => {
    const group = pick(rng, GROUPS);
    return { group, family: group.split(':').pop()! };
  });
  return {
    arn: `arn:aws:ecs:us-east-1:123456789012:container-instance/eq/${n}`,
    ec2InstanceId: `i-${n}`,
    status: pick(rng, STATUSES),
    agentConnected: chance(rng, 0.9),
    registeredAt: Date.UTC(2018, 0, 1 + rng.int(60)),
    agentVersion: pick(rng, ['1.14.4', '1.20.0', '1.80.0']),
    remainingCpu: pick(rng, [0, 128, 256, 512, 1024, 2048]),
    remainingMemory: pick(rng, [0, 256, 512, 1024, 2048]),
    availableGpuIds: Array.from({ length: rng.int(3) }, (_, g) => `gpu-${n}-${g}`),
    reservedTcpPorts: chance(rng, 0.3) ? [80] : [],
    reservedUdpPorts: chance(rng, 0.2) ? [53] : [],
    attributes,
    tasks,
    launchKind: chance(rng, 0.9) ? 'EC2' : 'EXTERNAL',
  };
}

const EXPRESSIONS = [
  'attribute:ecs.instance-type =~ t2.*',
  'attribute:ecs.availability-zone in [us-east-1a, us-east-1b]',
  'attribute:stack != prod',
  'not(task:group == databases)',
  'task:group == family:web or runningTasksCount < 2',
  'runningTasksCount <= 3 and agentVersion >= 1.20.0',
  'registeredAt < 2018-02-01',
];
const STRATEGIES: PlacementStrategy[] = [
  { type: 'spread', field: 'attribute:ecs.availability-zone' },
  { type: 'spread', field: 'attribute:rack' },
  { type: 'spread', field: 'instanceId' },
  { type: 'binpack', field: 'cpu' },
  { type: 'binpack', field: 'memory' },
  { type: 'random' },
];

function randomRequest(rng: Rng): PlacementRequest {
  const constraints: PlacementConstraint[] = [];
  if (chance(rng, 0.3)) constraints.push({ type: 'distinctInstance' });
  if (chance(rng, 0.4)) constraints.push({ type: 'memberOf', expression: pick(rng, EXPRESSIONS) });
  if (chance(rng, 0.15)) constraints.push({ type: 'memberOf', expression: pick(rng, EXPRESSIONS) });
  const group = pick(rng, GROUPS);
  return {
    count: 1 + rng.int(12),
    launchType: chance(rng, 0.85) ? 'EC2' : 'EXTERNAL',
    group,
    family: group.split(':').pop()!,
    cpu: pick(rng, [0, 64, 128, 256]),
    memory: pick(rng, [0, 128, 256, 512]),
    gpus: chance(rng, 0.2) ? 1 + rng.int(2) : 0,
    hostPorts: chance(rng, 0.3) ? [{ port: pick(rng, [80, 53]), protocol: pick(rng, ['tcp', 'udp'] as const) }] : [],
    requiredAttributes: chance(rng, 0.25) ? [pick(rng, [{ name: 'ecs.capability.task-eni' }, { name: 'stack', value: 'prod' }])] : [],
    constraints,
    strategies: Array.from({ length: rng.int(4) }, () => pick(rng, STRATEGIES)),
  };
}

function randomCluster(rng: Rng): ClusterSnapshot {
  return { instances: Array.from({ length: rng.int(30) }, (_, n) => randomInstance(rng, n)) };
}

describe('fast pipeline == reference implementation', () => {
  it('on 600 random clusters and requests', () => {
    for (let seed = 1; seed <= 600; seed++) {
      const rng = seededRng(seed);
      const snapshot = randomCluster(rng);
      const request = randomRequest(rng);
      const explain = chance(rng, 0.3);
      const fast = placeTasks(snapshot, request, seededRng(seed * 7), { explain });
      const reference = placeTasksReference(snapshot, request, seededRng(seed * 7), { explain });
      assert.deepEqual(fast, reference, `seed ${seed}: ${JSON.stringify(request)}`);
    }
  });

  it('on sequences of requests sharing one PlacementState (caches reused across requests)', () => {
    for (let seed = 1; seed <= 150; seed++) {
      const rng = seededRng(10_000 + seed);
      const state = new PlacementState(randomCluster(rng));
      for (let r = 0; r < 6; r++) {
        const request = randomRequest(rng);
        const before = state.snapshot();
        const fast = placeOnState(state, request, seededRng(seed * 31 + r));
        const reference = placeTasksReference(before, request, seededRng(seed * 31 + r));
        assert.deepEqual(fast, reference, `seed ${seed}, request ${r}: ${JSON.stringify(request)}`);
      }
    }
  });

  it('places a substantial share of tasks (the comparison is not vacuous)', () => {
    let placed = 0;
    let failed = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const rng = seededRng(seed);
      const snapshot = randomCluster(rng);
      const result = placeTasks(snapshot, randomRequest(rng), seededRng(seed));
      placed += result.placements.length;
      failed += result.failures.length;
    }
    assert.ok(placed > 300, `placed ${placed}`);
    assert.ok(failed > 100, `failed ${failed}`);
  });
});
