import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRng } from '../../../src/core/rng.js';
import {
  FailureReason,
  formatExplanation,
  placeOnState,
  placeTasks,
  PlacementRequestError,
  PlacementState,
  QueryLanguageError,
  SERVICE_DEFAULT_STRATEGIES,
  RUN_TASK_DEFAULT_STRATEGIES,
  validatePlacementRequest,
} from '../../../src/placement/index.js';
import { arnOf, az, chosen, cluster, fixedRng, instance, place, request } from './fixtures.js';

const web = (n = 1) => Array.from({ length: n }, () => ({ group: 'family:web', family: 'web' }));
const other = (n = 1) => Array.from({ length: n }, () => ({ group: 'family:other', family: 'other' }));

describe('strategies', () => {
  it('binpack(memory) fills the instance with the least memory left, then the next', () => {
    const snapshot = cluster(
      instance('a', { remainingMemory: 4096 }),
      instance('b', { remainingMemory: 1024 }),
      instance('c', { remainingMemory: 2048 }),
    );
    const result = place(snapshot, request({ count: 3, memory: 512 }));
    assert.deepEqual(chosen(result), ['b', 'b', 'c']);
    assert.deepEqual(result.failures, []);
  });

  it('binpack(cpu) looks at CPU only', () => {
    const snapshot = cluster(
      instance('a', { remainingCpu: 300, remainingMemory: 100_000 }),
      instance('b', { remainingCpu: 2000, remainingMemory: 200 }),
    );
    const result = place(snapshot, request({ count: 3, cpu: 128, strategies: [{ type: 'binpack', field: 'cpu' }] }));
    assert.deepEqual(chosen(result), ['a', 'a', 'b']);
  });

  it('spread(instanceId) balances tasks of the same group only', () => {
    const snapshot = cluster(
      instance('a', { tasks: other(3) }),
      instance('b', { tasks: web(1) }),
      instance('c'),
    );
    const result = place(snapshot, request({ count: 4, strategies: [{ type: 'spread', field: 'instanceId' }] }));
    assert.deepEqual(chosen(result), ['a', 'c', 'a', 'b']);
  });

  it('spread(host) is spread(instanceId)', () => {
    const snapshot = cluster(instance('a', { tasks: web(1) }), instance('b'));
    assert.deepEqual(chosen(place(snapshot, request({ count: 2, strategies: [{ type: 'spread', field: 'host' }] }))), ['b', 'a']);
  });

  it('spread(AZ) + binpack(memory): balance zones, pack within each', () => {
    const snapshot = cluster(
      instance('a1', { attributes: az('us-east-1a'), remainingMemory: 1024, tasks: web(1) }),
      instance('a2', { attributes: az('us-east-1a'), remainingMemory: 512 }),
      instance('b1', { attributes: az('us-east-1b'), remainingMemory: 2048 }),
      instance('b2', { attributes: az('us-east-1b'), remainingMemory: 1024 }),
      instance('c1', { attributes: az('us-east-1c'), remainingMemory: 4096 }),
    );
    const strategies = [
      { type: 'spread', field: 'attribute:ecs.availability-zone' },
      { type: 'binpack', field: 'memory' },
    ] as const;
    const result = place(snapshot, request({ count: 5, memory: 512, strategies: [...strategies] }));
    // zone counts a=1 b=0 c=0 -> b (b2 packs first), c; then all 1 -> a (a2 least memory), b2 (512 left), c1
    assert.deepEqual(chosen(result), ['b2', 'c1', 'a2', 'b2', 'c1']);
  });

  it('spread counts tasks of the group on every instance of the zone, even ineligible ones', () => {
    const snapshot = cluster(
      instance('a1', { attributes: az('us-east-1a'), status: 'DRAINING', tasks: web(2) }),
      instance('a2', { attributes: az('us-east-1a') }),
      instance('b1', { attributes: az('us-east-1b'), tasks: web(1) }),
    );
    const result = place(snapshot, request({ count: 3, strategies: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }] }));
    // a=2 (on the draining a1), b=1 -> b1; then a=2, b=2 -> first eligible: a2; then a=3, b=2 -> b1
    assert.deepEqual(chosen(result), ['b1', 'a2', 'b1']);
  });

  it('instances without the spread attribute form a bucket of their own', () => {
    const snapshot = cluster(
      instance('a', { attributes: { rack: 'r1' }, tasks: web(1) }),
      instance('b', { attributes: { rack: 'r1' } }),
      instance('none'),
    );
    const result = place(snapshot, request({ count: 3, strategies: [{ type: 'spread', field: 'attribute:rack' }] }));
    assert.deepEqual(chosen(result), ['none', 'a', 'none']);
  });

  it('the service default spreads across zones, then across instances', () => {
    const snapshot = cluster(
      instance('a1', { attributes: az('us-east-1a') }),
      instance('a2', { attributes: az('us-east-1a') }),
      instance('b1', { attributes: az('us-east-1b') }),
      instance('c1', { attributes: az('us-east-1c') }),
    );
    const result = place(snapshot, request({ count: 5, strategies: [...SERVICE_DEFAULT_STRATEGIES] }));
    assert.deepEqual(chosen(result), ['a1', 'b1', 'c1', 'a2', 'b1']);
  });

  it('random picks with the Rng among eligible instances only', () => {
    const snapshot = cluster(instance('a'), instance('full', { remainingCpu: 0 }), instance('b'), instance('c'));
    const strategies = [{ type: 'random' as const }];
    assert.deepEqual(chosen(place(snapshot, request({ strategies }), { rng: () => fixedRng((n) => n - 1) })), ['c']);
    assert.deepEqual(chosen(place(snapshot, request({ strategies }), { rng: () => fixedRng(() => 0) })), ['a']);
    assert.deepEqual(chosen(place(snapshot, request({ strategies }), { rng: () => fixedRng(() => 1) })), ['b']);
  });

  it('random is deterministic for a seed and varies across seeds', () => {
    const snapshot = cluster(...'abcdefgh'.split('').map((n) => instance(n)));
    const req = request({ count: 6, strategies: [{ type: 'random' }] });
    const runs = [1, 2, 3, 4, 5].map((seed) => chosen(place(snapshot, req, { rng: () => seededRng(seed) })));
    assert.deepEqual(chosen(placeTasks(snapshot, req, seededRng(3))), runs[2]);
    assert.ok(new Set(runs.map((r) => r.join())).size > 1, 'different seeds give different placements');
  });

  it('no strategy means RunTask default: random', () => {
    assert.deepEqual(RUN_TASK_DEFAULT_STRATEGIES, [{ type: 'random' }]);
    const snapshot = cluster(instance('a'), instance('b'), instance('c'));
    assert.deepEqual(chosen(place(snapshot, request({ strategies: [] }), { rng: () => fixedRng((n) => n - 1) })), ['c']);
  });

  it('strategies break ties in order: spread then random', () => {
    const snapshot = cluster(instance('a', { tasks: web(1) }), instance('b'), instance('c'), instance('d', { tasks: web(1) }));
    const strategies = [{ type: 'spread' as const, field: 'instanceId' }, { type: 'random' as const }];
    const result = place(snapshot, request({ strategies }), { rng: () => fixedRng((n) => n - 1) });
    assert.deepEqual(chosen(result), ['c']);
  });
});

describe('constraints and filters', () => {
  it('distinctInstance puts each task of the group on a different instance, counting tasks already there', () => {
    const snapshot = cluster(instance('a', { tasks: web(1) }), instance('b'), instance('c', { tasks: other(1) }));
    const result = place(snapshot, request({ count: 3, constraints: [{ type: 'distinctInstance' }], strategies: [{ type: 'spread', field: 'instanceId' }] }));
    assert.deepEqual(chosen(result), ['b', 'c']);
    assert.deepEqual(result.failures, [
      {
        arn: arnOf('a'),
        reason: 'DistinctInstance placement constraint unsatisfied.',
        detail: 'closest matching instance i-a: already runs 1 task of group family:web (distinctInstance)',
      },
    ]);
  });

  it('memberOf + binpack: only matching instances, packed', () => {
    const snapshot = cluster(
      instance('m5', { attributes: { 'ecs.instance-type': 'm5.large' }, remainingMemory: 256 }),
      instance('t2big', { attributes: { 'ecs.instance-type': 't2.large' }, remainingMemory: 4096 }),
      instance('t2small', { attributes: { 'ecs.instance-type': 't2.small' }, remainingMemory: 1024 }),
    );
    const result = place(
      snapshot,
      request({ count: 2, memory: 512, constraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t2.*' }] }),
    );
    assert.deepEqual(chosen(result), ['t2small', 't2small']);
  });

  it('memberOf task:group affinity follows tasks placed in the same request', () => {
    const snapshot = cluster(instance('a'), instance('b', { tasks: [{ group: 'databases', family: 'db' }] }), instance('c'));
    const result = place(
      snapshot,
      request({ count: 2, constraints: [{ type: 'memberOf', expression: 'task:group == databases' }], strategies: [{ type: 'spread', field: 'instanceId' }] }),
    );
    assert.deepEqual(chosen(result), ['b', 'b']);
  });

  it('memberOf anti-affinity with its own group behaves like distinctInstance', () => {
    const snapshot = cluster(instance('a'), instance('b'));
    const result = place(snapshot, request({ count: 3, constraints: [{ type: 'memberOf', expression: 'not(task:group == family:web)' }] }));
    assert.deepEqual(chosen(result), ['a', 'b']);
    assert.equal(result.failures.length, 1);
    assert.equal(result.failures[0]!.reason, 'MemberOf placement constraint unsatisfied.');
    assert.equal(result.failures[0]!.arn, arnOf('a'));
  });

  it('host port conflicts: reserved ports and ports of tasks just placed', () => {
    const snapshot = cluster(
      instance('a', { reservedTcpPorts: [80], remainingMemory: 256 }),
      instance('b', { reservedUdpPorts: [80], remainingMemory: 512 }),
      instance('c', { remainingMemory: 1024 }),
    );
    const result = place(snapshot, request({ count: 3, hostPorts: [{ port: 80, protocol: 'tcp' }] }));
    assert.deepEqual(chosen(result), ['b', 'c']);
    assert.equal(result.failures[0]!.reason, FailureReason.PORTS);
    assert.equal(result.failures[0]!.detail, 'closest matching instance i-a: host port 80/tcp already in use');
  });

  it('DRAINING and other non-ACTIVE instances never receive tasks', () => {
    const snapshot = cluster(
      instance('draining', { status: 'DRAINING', remainingMemory: 128 }),
      instance('registering', { status: 'REGISTERING', remainingMemory: 128 }),
      instance('ok'),
    );
    const result = place(snapshot, request({ count: 1 }), { explain: true });
    assert.deepEqual(chosen(result), ['ok']);
    assert.deepEqual(
      result.explanation.map((e) => [e.ec2InstanceId, e.outcome, e.reason]),
      [
        ['i-draining', 'rejected', 'STATUS:DRAINING'],
        ['i-registering', 'rejected', 'STATUS:REGISTERING'],
        ['i-ok', 'chosen', undefined],
      ],
    );
  });

  it('a disconnected agent is rejected with AGENT', () => {
    const result = place(cluster(instance('a', { agentConnected: false })), request({ count: 2 }));
    assert.deepEqual(result.placements, []);
    assert.deepEqual(result.failures, [
      { arn: arnOf('a'), reason: 'AGENT', detail: 'closest matching instance i-a: the container agent is disconnected' },
      { arn: arnOf('a'), reason: 'AGENT', detail: 'closest matching instance i-a: the container agent is disconnected' },
    ]);
    assert.equal(result.noContainerInstances, false);
  });

  it('GPUs: hands out GPU ids and refuses instances without enough', () => {
    const snapshot = cluster(
      instance('one', { availableGpuIds: ['g0'], remainingMemory: 128 }),
      instance('four', { availableGpuIds: ['x0', 'x1', 'x2', 'x3'] }),
    );
    const result = place(snapshot, request({ count: 3, gpus: 2 }));
    assert.deepEqual(result.placements, [
      { instanceArn: arnOf('four'), gpuIds: ['x0', 'x1'] },
      { instanceArn: arnOf('four'), gpuIds: ['x2', 'x3'] },
    ]);
    assert.deepEqual(result.failures, [
      { arn: arnOf('one'), reason: 'RESOURCE:GPU', detail: 'closest matching instance i-one: needs 2 GPUs, has 1 available' },
    ]);
  });

  it('requiredAttributes: name, and value when given', () => {
    const snapshot = cluster(
      instance('none'),
      instance('wrong', { attributes: { 'ecs.capability.secrets.ssm.environment-variables': null, stack: 'dev' } }),
      instance('right', { attributes: { 'ecs.capability.secrets.ssm.environment-variables': null, stack: 'prod' } }),
    );
    const required = [{ name: 'ecs.capability.secrets.ssm.environment-variables' }, { name: 'stack', value: 'prod' }];
    const result = place(snapshot, request({ count: 2, requiredAttributes: required }), { explain: true });
    assert.deepEqual(chosen(result), ['right', 'right']);
    assert.deepEqual(
      result.explanation.slice(0, 2).map((e) => [e.reason, e.message]),
      [
        ['ATTRIBUTE', 'missing required attribute ecs.capability.secrets.ssm.environment-variables'],
        ['ATTRIBUTE', "attribute stack is 'dev', the task definition requires 'prod'"],
      ],
    );
  });

  it('launch type: EXTERNAL instances only take EXTERNAL tasks', () => {
    const snapshot = cluster(instance('ext', { launchKind: 'EXTERNAL', ec2InstanceId: '' }), instance('ec2'));
    assert.deepEqual(chosen(place(snapshot, request())), ['ec2']);
    assert.deepEqual(chosen(place(snapshot, request({ launchType: 'EXTERNAL' }))), ['ext']);
  });

  it('no ACTIVE instance of the launch type: "No Container Instances were found in your cluster."', () => {
    const snapshot = cluster(instance('ext', { launchKind: 'EXTERNAL' }), instance('gone', { status: 'DRAINING' }));
    const result = place(snapshot, request({ count: 2 }));
    assert.equal(result.noContainerInstances, true);
    assert.deepEqual(result.failures, [
      { reason: 'No Container Instances were found in your cluster.' },
      { reason: 'No Container Instances were found in your cluster.' },
    ]);
    assert.deepEqual(place(cluster(), request()).failures, [{ reason: FailureReason.NO_CONTAINER_INSTANCES }]);
  });
});

describe('failures and explanation', () => {
  it('reports the closest matching instance: the one that got furthest through the filters', () => {
    const snapshot = cluster(
      instance('agent', { agentConnected: false }),
      instance('cpu', { remainingCpu: 256 }),
      instance('mem', { remainingMemory: 256 }),
      instance('mem2', { remainingMemory: 100 }),
    );
    const result = place(snapshot, request({ cpu: 512, memory: 512 }));
    assert.deepEqual(result.failures, [
      { arn: arnOf('mem'), reason: 'RESOURCE:MEMORY', detail: 'closest matching instance i-mem: needs 512 MiB of memory, has 256 MiB remaining' },
    ]);
  });

  it('one failure per task that could not be placed, explained at the first failed attempt', () => {
    const snapshot = cluster(instance('a', { remainingCpu: 256 }), instance('b', { remainingCpu: 300 }));
    const result = place(snapshot, request({ count: 5, cpu: 128, strategies: [{ type: 'binpack', field: 'cpu' }] }));
    assert.deepEqual(chosen(result), ['a', 'a', 'b', 'b']);
    assert.equal(result.failures.length, 1);
    assert.equal(result.explainedTask, 4);
    assert.deepEqual(
      result.explanation.map((e) => e.message),
      ['needs 128 CPU units, has 0 remaining', 'needs 128 CPU units, has 44 remaining'],
    );
    assert.deepEqual(
      result.filterStats.filter((s) => s.rejected > 0),
      [{ filter: 'cpu', rejected: 2 }],
    );
  });

  it('explain: true explains the first attempt even when everything is placed', () => {
    const snapshot = cluster(instance('small', { remainingCpu: 100 }), instance('big'), instance('off', { agentConnected: false }));
    const quiet = place(snapshot, request());
    assert.equal(quiet.explainedTask, undefined);
    assert.deepEqual(quiet.explanation, []);
    const result = place(snapshot, request(), { explain: true });
    assert.equal(result.explainedTask, 0);
    assert.deepEqual(result.explanation, [
      { instanceArn: arnOf('small'), ec2InstanceId: 'i-small', outcome: 'rejected', filter: 'cpu', reason: 'RESOURCE:CPU', message: 'needs 128 CPU units, has 100 remaining' },
      { instanceArn: arnOf('big'), ec2InstanceId: 'i-big', outcome: 'chosen', message: 'passes every filter; chosen for task 1' },
      { instanceArn: arnOf('off'), ec2InstanceId: 'i-off', outcome: 'rejected', filter: 'agent', reason: 'AGENT', message: 'the container agent is disconnected' },
    ]);
    assert.deepEqual(result.filterStats.map((s) => s.filter), [
      'launchType', 'status', 'agent', 'attributes', 'cpu', 'memory', 'ports', 'gpu', 'memberOf', 'distinctInstance',
    ]);
  });
});

describe('formatExplanation', () => {
  it('prints the attempt, the filter counts, each instance and the failures', () => {
    const snapshot = cluster(instance('a', { remainingCpu: 256 }), instance('b', { status: 'DRAINING' }));
    const req = request({ count: 2, cpu: 512 });
    const lines = formatExplanation(place(snapshot, req), req);
    assert.deepEqual(lines, [
      'Placed 0 of 2 tasks (group family:web); 2 could not be placed.',
      'Task 1: 0 of 2 instances eligible.',
      'Filters (each instance counted by the first filter that rejects it):',
      '  launchType        rejected 0',
      '  status            rejected 1',
      '  agent             rejected 0',
      '  attributes        rejected 0',
      '  cpu               rejected 1',
      '  memory            rejected 0',
      '  ports             rejected 0',
      '  gpu               rejected 0',
      '  memberOf          rejected 0',
      '  distinctInstance  rejected 0',
      'Instances:',
      `  i-a (${arnOf('a')}): rejected by cpu [RESOURCE:CPU]: needs 512 CPU units, has 256 remaining`,
      `  i-b (${arnOf('b')}): rejected by status [STATUS:DRAINING]: status is DRAINING; only ACTIVE instances receive tasks`,
      'Failures:',
      `  RESOURCE:CPU ${arnOf('a')}: closest matching instance i-a: needs 512 CPU units, has 256 remaining`,
      `  RESOURCE:CPU ${arnOf('a')}: closest matching instance i-a: needs 512 CPU units, has 256 remaining`,
    ]);
  });

  it('says when nothing was explained, and names the missing cluster capacity', () => {
    assert.deepEqual(formatExplanation(place(cluster(instance('a')), request())), ['Placed 1 tasks; 0 could not be placed.']);
    const lines = formatExplanation(place(cluster(), request()));
    assert.equal(lines[1], 'No Container Instances were found in your cluster.');
  });
});

describe('engine contract', () => {
  it('does not mutate the input snapshot', () => {
    const snapshot = cluster(instance('a', { availableGpuIds: ['g0', 'g1'], tasks: web(1) }), instance('b'));
    const before = structuredClone(snapshot);
    place(snapshot, request({ count: 3, gpus: 1, hostPorts: [{ port: 8080, protocol: 'tcp' }] }));
    assert.deepEqual(snapshot, before);
  });

  it('a PlacementState carries placements from one request to the next', () => {
    const state = new PlacementState(cluster(instance('a'), instance('b')));
    const req = request({ constraints: [{ type: 'distinctInstance' }] });
    assert.deepEqual(chosen(placeOnState(state, req, seededRng(1))), ['a']);
    assert.deepEqual(chosen(placeOnState(state, req, seededRng(1))), ['b']);
    assert.equal(placeOnState(state, req, seededRng(1)).failures[0]!.reason, FailureReason.DISTINCT_INSTANCE);
    const after = state.snapshot();
    assert.deepEqual(after.instances.map((i) => [i.remainingCpu, i.tasks.length]), [[896, 1], [896, 1]]);
  });

  it('a PlacementState keeps counts right across many groups (bounded caches)', () => {
    const state = new PlacementState(cluster(instance('a', { attributes: az('us-east-1a') }), instance('b', { attributes: az('us-east-1b') })));
    const spread = [{ type: 'spread' as const, field: 'attribute:ecs.availability-zone' }];
    for (let g = 0; g < 100; g++) {
      const result = placeOnState(state, request({ group: `family:g${g}`, cpu: 1, memory: 1, strategies: spread }), seededRng(1));
      assert.deepEqual(chosen(result), ['a']);
    }
    // g0's counts were evicted from the caches long ago and must be rebuilt from the tasks: a has one.
    const again = placeOnState(state, request({ group: 'family:g0', cpu: 1, memory: 1, count: 2, strategies: spread }), seededRng(1));
    assert.deepEqual(chosen(again), ['b', 'a']);
  });

  it('count 0 places nothing', () => {
    const result = place(cluster(instance('a')), request({ count: 0 }));
    assert.deepEqual([result.placements, result.failures], [[], []]);
  });

  it('refuses invalid requests with a message for InvalidParameterException', () => {
    const cases: [Parameters<typeof request>[0], RegExp][] = [
      [{ strategies: [{ type: 'binpack', field: 'disk' }] }, /binpack field must be cpu or memory/],
      [{ strategies: [{ type: 'spread' }] }, /spread field must be instanceId, host or attribute:<name>/],
      [{ constraints: [{ type: 'memberOf' }] }, /needs an expression/],
      [{ constraints: [{ type: 'distinctInstance', expression: 'attribute:a exists' }] }, /can't be given for a distinctInstance/],
      [{ strategies: Array.from({ length: 6 }, () => ({ type: 'random' as const })) }, /at most 5 placement strategies/],
      [{ hostPorts: [{ port: 80, protocol: 'tcp' }, { port: 80, protocol: 'tcp' }] }, /asked for twice/],
      [{ count: -1 }, /count must be/],
      [{ constraints: [{ type: 'memberOf', expression: 'attribute:a = b' }] }, /Invalid cluster query expression at column 13/],
    ];
    for (const [overrides, message] of cases) {
      assert.match(validatePlacementRequest(request(overrides)) ?? '', message);
    }
    assert.equal(validatePlacementRequest(request()), undefined);
    assert.throws(() => placeTasks(cluster(), request({ count: 1.5 }), seededRng(1)), PlacementRequestError);
    assert.throws(
      () => placeTasks(cluster(), request({ constraints: [{ type: 'memberOf', expression: 'nope' }] }), seededRng(1)),
      QueryLanguageError,
    );
  });
});
