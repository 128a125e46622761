import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { reconcileDaemon } from '../../../../src/controllers/services/daemon.js';
import { backoffSeconds, reconcileReplica, type InstanceState, type ServiceSnapshot } from '../../../../src/controllers/services/reconcile.js';
import { breakerThreshold, healthCheckStopReason, rolloutLimits } from '../../../../src/ecs/services/model.js';
import type { DeploymentRecord, ServiceRecord, TaskRecord } from '../../../../src/store/types.js';

const deployment = (id: string, status: 'PRIMARY' | 'ACTIVE', extra: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
  id,
  status,
  taskDefinition: `arn:aws:ecs:us-east-1:000000000000:task-definition/web:${id}`,
  desiredCount: 0,
  failedTasks: 0,
  createdAt: 0,
  updatedAt: 0,
  rolloutState: status === 'PRIMARY' ? 'IN_PROGRESS' : 'COMPLETED',
  rolloutStateReason: '',
  serviceDeploymentArn: `sd-${id}`,
  serviceRevisionArn: `rev-${id}`,
  breakerFailures: [],
  ...extra,
});

function service(desiredCount: number, deployments: DeploymentRecord[], extra: Partial<ServiceRecord> = {}): ServiceRecord {
  return {
    serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/dev/web',
    serviceName: 'web',
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/dev',
    status: 'ACTIVE',
    desiredCount,
    schedulingStrategy: 'REPLICA',
    createdAt: 0,
    deployments,
    events: [],
    tags: [],
    version: 1,
    deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
    ...extra,
  };
}

let serial = 0;
function task(startedBy: string, lastStatus: string, extra: Partial<TaskRecord> = {}): TaskRecord {
  serial++;
  return {
    taskArn: `arn:aws:ecs:us-east-1:000000000000:task/dev/t${serial}`,
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/dev',
    taskDefinitionArn: 'td',
    lastStatus,
    desiredStatus: 'RUNNING',
    startedBy,
    group: 'service:web',
    containerInstanceArn: 'i-1',
    createdAt: serial,
    ...(lastStatus === 'RUNNING' ? { startedAt: 10 } : {}),
    containers: [],
    tags: [],
    ...extra,
  };
}

const instances = (entries: Record<string, Partial<InstanceState>> = {}): Map<string, InstanceState> =>
  new Map(Object.entries({ 'i-1': {}, ...entries }).map(([arn, state]) => [arn, { status: 'ACTIVE', lost: false, ...state }]));

const snapshot = (svc: ServiceRecord, tasks: TaskRecord[], extra: Partial<ServiceSnapshot> = {}): ServiceSnapshot => ({
  service: svc,
  tasks,
  stops: [],
  instances: instances(),
  now: 100,
  ...extra,
});

describe('rollout bounds and thresholds', () => {
  test('maximumPercent rounds down, minimumHealthyPercent rounds up', () => {
    assert.deepEqual(rolloutLimits(3, { minimumHealthyPercent: 50, maximumPercent: 150 }), { maxTotal: 4, minHealthy: 2 });
    assert.deepEqual(rolloutLimits(10, { minimumHealthyPercent: 100, maximumPercent: 200 }), { maxTotal: 20, minHealthy: 10 });
  });
  test('circuit breaker threshold is half the desired count, at least 3, at most 200', () => {
    assert.equal(breakerThreshold(1), 3);
    assert.equal(breakerThreshold(10), 5);
    assert.equal(breakerThreshold(11), 6);
    assert.equal(breakerThreshold(1000), 200);
  });
  test('back-off waits after the third consecutive failure and is capped at 5 minutes', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 20].map((failures) => backoffSeconds(failures)), [0, 0, 5, 10, 20, 300]);
  });
  test('back-off follows a configured base and cap', () => {
    const timing = { provenAfterSeconds: 10, backoffBaseSeconds: 1, backoffCapSeconds: 3 };
    assert.deepEqual([2, 3, 4, 5, 20].map((failures) => backoffSeconds(failures, timing)), [0, 1, 2, 3, 3]);
  });
});

describe('REPLICA reconciliation', () => {
  test('a new service launches its desired count', () => {
    const decision = reconcileReplica(snapshot(service(3, [deployment('a', 'PRIMARY')]), []));
    assert.equal(decision.launch, 3);
    assert.deepEqual(decision.stops, []);
    assert.equal(decision.completed, false);
  });

  test('does not complete while its tasks have been healthy for less than 10 seconds', () => {
    const svc = service(1, [deployment('a', 'PRIMARY')]);
    const young = task('a', 'RUNNING', { startedAt: 95 });
    assert.equal(reconcileReplica(snapshot(svc, [young], { now: 100 })).completed, false);
    assert.equal(reconcileReplica(snapshot(svc, [young], { now: 105 })).completed, true);
  });

  test('proves tasks over the configured window', () => {
    const svc = service(1, [deployment('a', 'PRIMARY')]);
    const young = task('a', 'RUNNING', { startedAt: 95 });
    const timing = { provenAfterSeconds: 30, backoffBaseSeconds: 5, backoffCapSeconds: 300 };
    assert.equal(reconcileReplica(snapshot(svc, [young], { now: 105, timing })).completed, false);
    assert.equal(reconcileReplica(snapshot(svc, [young], { now: 125, timing })).completed, true);
  });

  test('completes and turns steady once every desired task is healthy, once', () => {
    const svc = service(2, [deployment('a', 'PRIMARY')]);
    const decision = reconcileReplica(snapshot(svc, [task('a', 'RUNNING'), task('a', 'RUNNING')]));
    assert.equal(decision.launch, 0);
    assert.equal(decision.completed, true);
    assert.equal(decision.becameSteady, true);
    assert.equal(decision.service.deployments[0]!.rolloutState, 'COMPLETED');
    assert.equal(decision.service.lastCompletedDeploymentId, 'a');
    const again = reconcileReplica(snapshot(decision.service, [task('a', 'RUNNING'), task('a', 'RUNNING')]));
    assert.equal(again.becameSteady, false, 'steady state is announced once');
  });

  test('a task with health checks counts as healthy only when HEALTHY', () => {
    const svc = service(1, [deployment('a', 'PRIMARY')]);
    const checked = { containers: [{ name: 'c', healthStatus: 'UNKNOWN' as const }] };
    assert.equal(reconcileReplica(snapshot(svc, [task('a', 'RUNNING', { ...checked, healthStatus: 'UNKNOWN' })])).completed, false);
    assert.equal(reconcileReplica(snapshot(svc, [task('a', 'RUNNING', { ...checked, healthStatus: 'HEALTHY' })])).completed, true);
  });

  test('rolling update at 100/200 launches the new tasks first and stops old ones only as new ones become healthy', () => {
    const svc = service(4, [deployment('b', 'PRIMARY'), deployment('a', 'ACTIVE')]);
    const old = [1, 2, 3, 4].map(() => task('a', 'RUNNING'));
    const first = reconcileReplica(snapshot(svc, old));
    assert.equal(first.launch, 4, 'room for 4 more under maximumPercent 200');
    assert.deepEqual(first.stops, [], 'nothing stopped while only 4 are healthy');

    const fresh = [task('b', 'RUNNING'), task('b', 'RUNNING'), task('b', 'PENDING'), task('b', 'PENDING')];
    const second = reconcileReplica(snapshot(svc, [...old, ...fresh]));
    assert.equal(second.launch, 0);
    assert.equal(second.stops.length, 2, 'two old tasks may go: 6 healthy, 4 must stay');
    assert.ok(second.stops.every((order) => old.some((t) => t.taskArn === order.taskArn)));
  });

  test('rolling update at 50/100 stops old tasks first to make room', () => {
    const svc = service(4, [deployment('b', 'PRIMARY'), deployment('a', 'ACTIVE')], {
      deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 100 },
    });
    const old = [1, 2, 3, 4].map(() => task('a', 'RUNNING'));
    const decision = reconcileReplica(snapshot(svc, old));
    assert.equal(decision.launch, 0, 'no room while 4 run');
    assert.equal(decision.stops.length, 2, 'may go down to 2 healthy');
  });

  test('never plans beyond maximumPercent, counting tasks still stopping', () => {
    const svc = service(2, [deployment('b', 'PRIMARY'), deployment('a', 'ACTIVE')]);
    const stopping = [task('a', 'RUNNING', { desiredStatus: 'STOPPED' }), task('a', 'RUNNING', { desiredStatus: 'STOPPED' })];
    const decision = reconcileReplica(snapshot(svc, [...stopping, task('b', 'PENDING'), task('b', 'PENDING')]));
    assert.equal(decision.launch, 0);
  });

  test('an older deployment with no tasks left ends, and the new one completes', () => {
    const svc = service(1, [deployment('b', 'PRIMARY'), deployment('a', 'ACTIVE')]);
    const decision = reconcileReplica(snapshot(svc, [task('b', 'RUNNING')]));
    assert.equal(decision.service.deployments.length, 1);
    assert.equal(decision.completed, true);
  });

  test('scales in, stopping tasks not yet running first', () => {
    const svc = service(1, [deployment('a', 'PRIMARY', { rolloutState: 'COMPLETED' })]);
    const running = task('a', 'RUNNING');
    const pending = task('a', 'PENDING');
    const decision = reconcileReplica(snapshot(svc, [running, pending]));
    assert.deepEqual(decision.stops.map((order) => order.taskArn), [pending.taskArn]);
  });

  test('scales in from the fullest Availability Zone, as placed by the default spread', () => {
    const svc = service(2, [deployment('a', 'PRIMARY', { rolloutState: 'COMPLETED' })], {
      placementStrategy: [
        { type: 'spread', field: 'attribute:ecs.availability-zone' },
        { type: 'spread', field: 'instanceId' },
      ],
    });
    const inA = [task('a', 'RUNNING', { availabilityZone: 'a', containerInstanceArn: 'i-1' }), task('a', 'RUNNING', { availabilityZone: 'a', containerInstanceArn: 'i-1' })];
    const inB = task('a', 'RUNNING', { availabilityZone: 'b', containerInstanceArn: 'i-2' });
    const decision = reconcileReplica(snapshot(svc, [...inA, inB]));
    assert.equal(decision.stops.length, 1);
    assert.ok(inA.some((one) => one.taskArn === decision.stops[0]!.taskArn), 'zone b keeps its only task');
  });

  test('Availability Zone rebalancing: a steady, unbalanced service starts tasks in the emptier zones, then stops as many in the fuller one once they serve', () => {
    const svc = service(3, [deployment('a', 'PRIMARY', { rolloutState: 'COMPLETED' })], {
      availabilityZoneRebalancing: 'ENABLED',
      steadyState: true,
      placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
    });
    const zones = ['a', 'b', 'c'];
    const inA = [task('a', 'RUNNING', { availabilityZone: 'a' }), task('a', 'RUNNING', { availabilityZone: 'a' })];
    const inB = task('a', 'RUNNING', { availabilityZone: 'b' });
    const first = reconcileReplica(snapshot(svc, [...inA, inB], { rebalanceZones: zones }));
    assert.deepEqual(first.rebalance?.launches, [{ zone: 'c', count: 1 }]);
    assert.equal(first.rebalance?.began, true);
    assert.equal(first.service.rebalancing, true);
    assert.deepEqual(first.stops, []);

    const inC = task('a', 'PENDING', { availabilityZone: 'c' });
    const waiting = reconcileReplica(snapshot(first.service, [...inA, inB, inC], { rebalanceZones: zones }));
    assert.deepEqual(waiting.stops, [], 'nothing stops while the new task does not serve yet');
    assert.equal(waiting.rebalance, undefined, 'and nothing more starts');

    const serving = { ...inC, lastStatus: 'RUNNING', startedAt: 50 };
    const moved = reconcileReplica(snapshot(waiting.service, [...inA, inB, serving], { rebalanceZones: zones }));
    assert.deepEqual(moved.stops.map((order) => order.kind), ['rebalance']);
    assert.ok(inA.some((one) => one.taskArn === moved.stops[0]!.taskArn), 'the task stopped is from zone a');
    assert.deepEqual(moved.rebalanced, new Map([['a', 1], ['b', 1], ['c', 1]]), 'balanced once that task is on its way out');
    assert.equal(moved.service.rebalancing, undefined);

    const after = reconcileReplica(snapshot(moved.service, [inA[0]!, inB, serving], { rebalanceZones: zones }));
    assert.equal(after.rebalanced, undefined, 'said once');
    assert.equal(after.rebalance, undefined);
  });

  test('no rebalancing while a deployment is under way, or when it is off', () => {
    const unbalanced = [task('a', 'RUNNING', { availabilityZone: 'a' }), task('a', 'RUNNING', { availabilityZone: 'a' })];
    const zones = ['a', 'b'];
    const rolling = service(2, [deployment('a', 'PRIMARY')], { availabilityZoneRebalancing: 'ENABLED' });
    assert.equal(reconcileReplica(snapshot(rolling, unbalanced, { rebalanceZones: zones })).rebalance, undefined);
    const off = service(2, [deployment('a', 'PRIMARY', { rolloutState: 'COMPLETED' })], { availabilityZoneRebalancing: 'DISABLED' });
    assert.equal(reconcileReplica(snapshot(off, unbalanced, { rebalanceZones: zones })).rebalance, undefined);
    const justCompleted = service(2, [deployment('a', 'PRIMARY', { rolloutState: 'COMPLETED' })], { availabilityZoneRebalancing: 'ENABLED' });
    assert.equal(reconcileReplica(snapshot(justCompleted, unbalanced, { rebalanceZones: zones })).rebalance, undefined, 'not before a pass has found it steady');
    const on = { ...justCompleted, steadyState: true };
    assert.deepEqual(reconcileReplica(snapshot(on, unbalanced, { rebalanceZones: zones })).rebalance?.launches, [{ zone: 'b', count: 1 }]);
  });

  test('counts a failed stop once and trips the breaker at its threshold, rolling back to the last completed revision', () => {
    const svc = service(2, [deployment('b', 'PRIMARY'), deployment('a', 'ACTIVE')], { lastCompletedRevisionArn: 'rev-a', lastCompletedDeploymentId: 'a' });
    const failed = [1, 2, 3].map(() => ({ ...task('b', 'STOPPED', { stopCode: 'EssentialContainerExited', stoppedAt: 50 }), desiredStatus: 'STOPPED' }));
    const decision = reconcileReplica(snapshot(svc, [task('a', 'RUNNING'), task('a', 'RUNNING')], { stops: failed }));
    assert.equal(decision.accounted.length, 3);
    const primary = decision.service.deployments.find((d) => d.id === 'b')!;
    assert.equal(primary.failedTasks, 3);
    assert.equal(primary.rolloutState, 'FAILED');
    assert.match(primary.rolloutStateReason, /circuit breaker/);
    assert.deepEqual(decision.breaker, { tripped: true, rollbackTo: { revisionArn: 'rev-a', deploymentId: 'a' } });
    assert.equal(decision.launch, 0);
    assert.deepEqual(decision.stops, [], 'the old tasks keep serving');
  });

  test('stops by the scheduler or the user are not failures', () => {
    const svc = service(2, [deployment('b', 'PRIMARY')]);
    const stops = [1, 2, 3].map(() => task('b', 'STOPPED', { desiredStatus: 'STOPPED', stopCode: 'ServiceSchedulerInitiated' }));
    const decision = reconcileReplica(snapshot(svc, [], { stops }));
    assert.equal(decision.service.deployments[0]!.failedTasks, 0);
    assert.equal(decision.breaker.tripped, false);
  });

  test('a task healthy for 10 seconds clears the failures before it; one that has just started does not', () => {
    const svc = service(4, [deployment('b', 'PRIMARY', { breakerFailures: [5, 6] })]);
    const decision = reconcileReplica(snapshot(svc, [task('b', 'RUNNING', { startedAt: 20 })], { stops: [task('b', 'STOPPED', { desiredStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedAt: 30 })] }));
    assert.deepEqual(decision.service.deployments[0]!.breakerFailures, [30]);
    const fresh = reconcileReplica(snapshot(svc, [task('b', 'RUNNING', { startedAt: 95 })]));
    assert.deepEqual(fresh.service.deployments[0]!.breakerFailures, [5, 6], 'RUNNING for 5 s proves nothing yet');
  });

  test('repeated failures to start hold launches back with a growing delay; a task that runs ends the run', () => {
    const svc = service(2, [deployment('b', 'PRIMARY', { breakerFailures: [90, 91, 92], startFailures: [90, 91, 92] })], {
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false } },
    });
    const held = reconcileReplica(snapshot(svc, [], { now: 95 }));
    assert.equal(held.launch, 0);
    assert.equal(held.throttled, true);
    const later = reconcileReplica(snapshot(svc, [], { now: 98 }));
    assert.equal(later.launch, 2);
    const running = reconcileReplica(snapshot(svc, [task('b', 'RUNNING', { startedAt: 93 })], { now: 95 }));
    assert.equal(running.throttled, false, 'a task reached RUNNING after those failures');
    assert.equal(running.launch, 1);
  });

  test('only tasks that never ran feed the back-off; every failure feeds the breaker', () => {
    const svc = service(1, [deployment('b', 'PRIMARY')], { deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false } } });
    const crashed = [1, 2, 3].map((n) => task('b', 'STOPPED', { desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited', startedAt: 80 + n, stoppedAt: 81 + n }));
    const afterCrashes = reconcileReplica(snapshot(svc, [], { stops: crashed, now: 90 }));
    assert.equal(afterCrashes.service.deployments[0]!.breakerFailures.length, 3);
    assert.equal(afterCrashes.throttled, false, 'tasks that ran and exited are relaunched at once, as in ECS');
    const unpulled = [1, 2, 3].map((n) => task('b', 'STOPPED', { desiredStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedAt: 85 + n }));
    const afterPulls = reconcileReplica(snapshot(svc, [], { stops: unpulled, now: 90 }));
    assert.deepEqual(afterPulls.service.deployments[0]!.startFailures, [86, 87, 88]);
    assert.equal(afterPulls.throttled, true);
  });

  test('a task failing its health checks after the grace period is replaced', () => {
    const svc = service(1, [deployment('a', 'PRIMARY', { rolloutState: 'COMPLETED' })], { healthCheckGracePeriodSeconds: 30 });
    const sick = task('a', 'RUNNING', { healthStatus: 'UNHEALTHY', startedAt: 80, containers: [{ name: 'c', healthStatus: 'UNHEALTHY' }] });
    assert.deepEqual(reconcileReplica(snapshot(svc, [sick], { now: 100 })).stops, [], 'within the grace period');
    const decision = reconcileReplica(snapshot(svc, [sick], { now: 111 }));
    assert.deepEqual(decision.stops.map((order) => [order.taskArn, order.reason]), [[sick.taskArn, healthCheckStopReason]]);
    assert.equal(decision.launch, 1, 'its replacement starts at once (maximumPercent 200)');
  });

  test('tasks on a lost instance are written off and replaced; tasks on a draining one are replaced first, then stopped', () => {
    const svc = service(2, [deployment('a', 'PRIMARY', { rolloutState: 'COMPLETED' })]);
    const onLost = task('a', 'RUNNING', { containerInstanceArn: 'i-lost' });
    const onDraining = task('a', 'RUNNING', { containerInstanceArn: 'i-drain' });
    const decision = reconcileReplica(
      snapshot(svc, [onLost, onDraining], { instances: instances({ 'i-lost': { lost: true }, 'i-drain': { status: 'DRAINING' } }) }),
    );
    assert.equal(decision.launch, 2);
    assert.deepEqual(decision.stops.map((order) => [order.taskArn, order.kind]), [[onLost.taskArn, 'lost']]);
    const replaced = [task('a', 'RUNNING'), task('a', 'RUNNING')];
    const next = reconcileReplica(snapshot(decision.service, [onDraining, ...replaced], { instances: instances({ 'i-drain': { status: 'DRAINING' } }) }));
    assert.deepEqual(next.stops.map((order) => order.taskArn), [onDraining.taskArn]);
  });

  test('lost tasks whose targets are still healthy serve until healthy replacements stand in for them, one for one', () => {
    const svc = service(2, [deployment('a', 'PRIMARY', { rolloutState: 'COMPLETED' })]);
    const serving = [task('a', 'RUNNING', { containerInstanceArn: 'i-lost' }), task('a', 'RUNNING', { containerInstanceArn: 'i-lost' })];
    const pending = task('a', 'ACTIVATING', { containerInstanceArn: 'i-lost' });
    const lost = { instances: instances({ 'i-lost': { lost: true } }) };
    const healthy = { state: 'healthy' } as const;
    const balances = (entries: [TaskRecord, 'healthy' | 'pending'][]) => new Map(entries.map(([entry, state]) => [entry.taskArn, { state }] as const));

    // Both still serve: replacements start, nothing stops; a lost task not serving stops at once.
    const first = reconcileReplica(snapshot(svc, [...serving, pending], { ...lost, balances: balances([[serving[0]!, 'healthy'], [serving[1]!, 'healthy'], [pending, 'pending']]) }));
    assert.equal(first.launch, 2);
    assert.deepEqual(first.stops.map((order) => [order.taskArn, order.kind]), [[pending.taskArn, 'lost']]);

    // One replacement healthy: one lost task stops.
    const ready = task('a', 'RUNNING');
    const starting = task('a', 'ACTIVATING');
    const second = reconcileReplica(
      snapshot(first.service, [...serving, ready, starting], { ...lost, balances: new Map([...balances([[serving[0]!, 'healthy'], [serving[1]!, 'healthy'], [starting, 'pending']]), [ready.taskArn, healthy]]) }),
    );
    assert.equal(second.launch, 0);
    assert.deepEqual(second.stops.map((order) => [order.taskArn, order.kind]), [[serving[0]!.taskArn, 'lost']]);

    // Both healthy: the other stops too.
    const third = reconcileReplica(snapshot(first.service, [serving[1]!, ready, task('a', 'RUNNING')], { ...lost, balances: balances([[serving[1]!, 'healthy']]) }));
    assert.deepEqual(third.stops.map((order) => order.taskArn), [serving[1]!.taskArn]);
  });

  test('a deleted service drains to zero, then becomes INACTIVE', () => {
    const svc = service(0, [deployment('a', 'PRIMARY', { rolloutState: 'COMPLETED' })], { status: 'DRAINING' });
    const running = task('a', 'RUNNING');
    assert.deepEqual(reconcileReplica(snapshot(svc, [running])).stops.map((order) => order.taskArn), [running.taskArn]);
    const done = reconcileReplica(snapshot(svc, []));
    assert.equal(done.service.status, 'INACTIVE');
    assert.equal(done.service.deletedAt, 100);
  });
});

describe('DAEMON reconciliation', () => {
  const daemon = (deployments: DeploymentRecord[]) => service(0, deployments, { schedulingStrategy: 'DAEMON', deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 } });

  test('one task on every eligible instance, none elsewhere', () => {
    const svc = daemon([deployment('a', 'PRIMARY')]);
    const stray = task('a', 'RUNNING', { containerInstanceArn: 'i-3' });
    const decision = reconcileDaemon({
      ...snapshot(svc, [task('a', 'RUNNING', { containerInstanceArn: 'i-1' }), stray]),
      instances: instances({ 'i-2': {}, 'i-3': { status: 'DRAINING' } }),
      eligible: new Set(['i-1', 'i-2']),
    });
    assert.deepEqual(decision.launchOn, ['i-2']);
    assert.deepEqual(decision.stops.map((order) => order.taskArn), [stray.taskArn]);
    assert.equal(decision.service.desiredCount, 2);
  });

  test('a new deployment replaces each instance task in place: stop first, then start', () => {
    const svc = daemon([deployment('b', 'PRIMARY'), deployment('a', 'ACTIVE')]);
    const old = task('a', 'RUNNING', { containerInstanceArn: 'i-1' });
    const first = reconcileDaemon({ ...snapshot(svc, [old]), eligible: new Set(['i-1']) });
    assert.deepEqual(first.stops.map((order) => order.taskArn), [old.taskArn]);
    assert.deepEqual(first.launchOn, [], 'waits for the old task to be gone');
    const second = reconcileDaemon({ ...snapshot(first.service, []), eligible: new Set(['i-1']) });
    assert.deepEqual(second.launchOn, ['i-1']);
    const third = reconcileDaemon({ ...snapshot(second.service, [task('b', 'RUNNING', { containerInstanceArn: 'i-1' })]), eligible: new Set(['i-1']) });
    assert.equal(third.completed, true);
  });
});
