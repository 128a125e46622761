import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AssignedTask } from '../../../src/agent-channel-protocol/messages.js';
import { decide, report, type RunnerMemory, type TaskView } from '../../../src/agent/engine/decide.js';
import type { ObservedContainer } from '../../../src/agent/runtime/types.js';

function task(overrides: Partial<AssignedTask> = {}, containers = [{ name: 'app', image: 'img:1' }] as Record<string, unknown>[]): AssignedTask {
  return {
    taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/default/abc',
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/default',
    desiredStatus: 'RUNNING',
    lastStatus: 'PENDING',
    launchType: 'EC2',
    definition: { family: 'f', revision: 1, containerDefinitions: containers },
    overrides: {},
    containers: containers.map((container) => ({ name: container.name as string })),
    ...overrides,
  };
}

function container(name: string, state: ObservedContainer['state'], extra: Partial<ObservedContainer> = {}): ObservedContainer {
  return {
    id: `id-${name}`,
    name,
    labels: {},
    state,
    oomKilled: false,
    image: 'img:1',
    ports: [],
    networks: [],
    ...(state !== 'created' ? { startedAt: new Date(1000) } : {}),
    ...extra,
  };
}

const memory = (partial: Partial<RunnerMemory> = {}): RunnerMemory => ({ pulled: new Set(), created: new Set(), ...partial });

function view(assigned: AssignedTask, observed: ObservedContainer[], extra: Partial<TaskView> = {}): TaskView {
  return { task: assigned, observed: new Map(observed.map((item) => [item.name, item])), memory: memory(), ...extra };
}

describe('decide: the next step of a task', () => {
  test('pull, then create, then start', () => {
    const assigned = task();
    assert.deepEqual(decide(view(assigned, [])), { kind: 'pull', container: 'app' });
    assert.deepEqual(decide(view(assigned, [], { memory: memory({ pulled: new Set(['app']) }) })), { kind: 'create', container: 'app' });
    assert.deepEqual(decide(view(assigned, [container('app', 'created')])), { kind: 'start', container: 'app' });
    assert.deepEqual(decide(view(assigned, [container('app', 'running')])), { kind: 'idle' });
  });

  test('awsvpc tasks set up their network namespace first', () => {
    const assigned = task({ definition: { family: 'f', networkMode: 'awsvpc', containerDefinitions: [{ name: 'app', image: 'img:1' }] } });
    assert.deepEqual(decide(view(assigned, [])), { kind: 'prepare' });
    const pause = container('pause', 'running');
    assert.deepEqual(decide(view(assigned, [], { pause })), { kind: 'pull', container: 'app' });
  });

  test('dependsOn gates the start: HEALTHY waits for health, SUCCESS for a zero exit', () => {
    const assigned = task({}, [
      { name: 'db', image: 'img:1', healthCheck: { command: ['CMD', 'true'] } },
      { name: 'init', image: 'img:1', essential: false },
      { name: 'app', image: 'img:1', dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }, { containerName: 'init', condition: 'SUCCESS' }] },
    ]);
    const created = [container('db', 'running', { health: 'starting' }), container('init', 'exited', { exitCode: 0 }), container('app', 'created')];
    assert.deepEqual(decide(view(assigned, created)), { kind: 'idle' });
    const healthy = [container('db', 'running', { health: 'healthy' }), created[1]!, created[2]!];
    assert.deepEqual(decide(view(assigned, healthy)), { kind: 'start', container: 'app' });
    const failedInit = [healthy[0]!, container('init', 'exited', { exitCode: 1 }), created[2]!];
    assert.deepEqual(decide(view(assigned, failedInit)), { kind: 'stop', containers: ['db'] });
    assert.match(report(view(assigned, failedInit), 0).reason ?? '', /SUCCESS/);
  });

  test('an essential container that exits stops the others, then the task is STOPPED', () => {
    const assigned = task({}, [
      { name: 'main', image: 'img:1' },
      { name: 'side', image: 'img:1', essential: false },
    ]);
    const exited = [container('main', 'exited', { exitCode: 2, finishedAt: new Date(5000) }), container('side', 'running')];
    assert.deepEqual(decide(view(assigned, exited)), { kind: 'stop', containers: ['side'] });
    assert.equal(report(view(assigned, exited), 0).status, 'STOPPING');
    const done = [exited[0]!, container('side', 'exited', { exitCode: 137 })];
    const final = report(view(assigned, done), 9);
    assert.equal(final.status, 'STOPPED');
    assert.equal(final.stopCode, 'EssentialContainerExited');
    assert.equal(final.reason, 'Essential container in task exited');
    assert.equal(final.executionStoppedAt, 5);
    assert.deepEqual(final.containers?.map((item) => [item.name, item.status, item.exitCode]), [['main', 'STOPPED', 2], ['side', 'STOPPED', 137]]);
  });

  test('desired STOPPED: stop what runs, and report no stop code of its own (the user stopped it)', () => {
    const assigned = task({ desiredStatus: 'STOPPED' });
    assert.deepEqual(decide(view(assigned, [container('app', 'running')])), { kind: 'stop', containers: ['app'] });
    const stopped = report(view(assigned, [container('app', 'exited', { exitCode: 0 })]), 0);
    assert.equal(stopped.status, 'STOPPED');
    assert.equal(stopped.stopCode, undefined);
  });

  test('stopped before anything was created: the task and every container report STOPPED', () => {
    const assigned = task({ desiredStatus: 'STOPPED' }, [{ name: 'app', image: 'img:1' }, { name: 'side', image: 'img:2' }]);
    assert.deepEqual(decide(view(assigned, [])), { kind: 'idle' });
    const stopped = report(view(assigned, [], { memory: memory({ pullStartedAt: 3 }) }), 4);
    assert.equal(stopped.status, 'STOPPED');
    assert.equal(stopped.pullStartedAt, 3);
    assert.deepEqual(stopped.containers?.map((item) => [item.name, item.status, item.runtimeId]), [['app', 'STOPPED', undefined], ['side', 'STOPPED', undefined]]);
  });

  test('a container the control plane knew, gone from the runtime, is never recreated: the task stops', () => {
    const assigned = task({ lastStatus: 'RUNNING', containers: [{ name: 'app', runtimeId: 'old' }] });
    assert.deepEqual(decide(view(assigned, [])), { kind: 'idle' });
    const stopped = report(view(assigned, []), 0);
    assert.equal(stopped.status, 'STOPPED');
    assert.match(stopped.containers?.[0]?.reason ?? '', /removed outside Berth/);
  });

  test('an OOM-killed container says so', () => {
    const oom = report(view(task(), [container('app', 'exited', { exitCode: 137, oomKilled: true })]), 0);
    assert.match(oom.containers?.[0]?.reason ?? '', /^OutOfMemoryError: /);
  });

  test('a remembered failure (a pull that failed) stops the task before it started', () => {
    const failed = view(task(), [], { memory: memory({ failure: { reason: 'CannotPullContainerError: nope', stopCode: 'TaskFailedToStart', container: 'app' } }) });
    assert.deepEqual(decide(failed), { kind: 'idle' });
    const stopped = report(failed, 0);
    assert.equal(stopped.status, 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.equal(stopped.containers?.[0]?.reason, 'CannotPullContainerError: nope');
  });

  test('awsvpc: once the containers are down the namespace goes (DEPROVISIONING), then STOPPED', () => {
    const assigned = task({ desiredStatus: 'STOPPED', definition: { family: 'f', networkMode: 'awsvpc', containerDefinitions: [{ name: 'app', image: 'img:1' }] } });
    const pause = container('pause', 'running');
    const down = view(assigned, [container('app', 'exited', { exitCode: 0 })], { pause });
    assert.deepEqual(decide(down), { kind: 'stop-pause' });
    assert.equal(report(down, 0).status, 'DEPROVISIONING');
  });
});
