/**
 * The pure side of a service's load balancers: which target a task is registered as in each
 * network mode, what its targets' health says about it, when ACTIVATING tasks become RUNNING, when
 * an unhealthy target fails a task (after the grace period), when a drain is over, and how the
 * replica decision treats a task failing its load balancer's health checks.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  balanceOf,
  drainIsOver,
  failsLoadBalancerChecks,
  targetFactKey,
  targetsOfTask,
  tasksToActivate,
  type TargetHealthFact,
  type TaskBalance,
} from '../../../../src/controllers/services/load-balancing.js';
import { reconcileDaemon } from '../../../../src/controllers/services/daemon.js';
import { reconcileReplica } from '../../../../src/controllers/services/reconcile.js';
import { elbHealthStopReason, isFailedTask } from '../../../../src/ecs/services/model.js';
import type { ServiceRecord, TaskRecord, TaskTarget } from '../../../../src/store/types.js';

const web = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef';
const api = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/api/fedcba9876543210';
const types: Record<string, string> = { [web]: 'instance', [api]: 'ip' };

function task(extra: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/dev/t1',
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/dev',
    taskDefinitionArn: 'td',
    lastStatus: 'ACTIVATING',
    desiredStatus: 'RUNNING',
    startedBy: 'd1',
    group: 'service:web',
    containerInstanceArn: 'ci-1',
    startedAt: 10,
    loadBalanced: true,
    containers: [
      {
        name: 'web',
        networkBindings: [
          { containerPort: 80, hostPort: 32771, protocol: 'tcp' },
          { containerPort: 80, hostPort: 32772, protocol: 'udp' },
        ],
        networkInterfaces: [{ attachmentId: 'eni', privateIpv4Address: '10.0.0.7' }],
      },
    ],
    tags: [],
    ...extra,
  } as TaskRecord;
}

const facts = (networkMode?: string) => ({
  targetTypeOf: (arn: string) => types[arn],
  instanceIdOf: (arn: string) => (arn === 'ci-1' ? 'i-0abc' : undefined),
  ...(networkMode ? { networkMode } : {}),
});

describe('the target a service task is registered as', () => {
  test('bridge: the instance id and the dynamic host port bound to the container port (tcp)', () => {
    assert.deepEqual(targetsOfTask(task(), [{ targetGroupArn: web, containerName: 'web', containerPort: 80 }], facts('bridge')), [
      { targetGroupArn: web, id: 'i-0abc', port: 32771 },
    ]);
  });

  test('host: the instance id and the container port, with or without a reported binding', () => {
    const bare = task({ containers: [{ name: 'web' }] });
    assert.deepEqual(targetsOfTask(bare, [{ targetGroupArn: web, containerName: 'web', containerPort: 8080 }], facts('host')), [
      { targetGroupArn: web, id: 'i-0abc', port: 8080 },
    ]);
  });

  test('awsvpc: the task address and the container port', () => {
    assert.deepEqual(targetsOfTask(task(), [{ targetGroupArn: api, containerName: 'web', containerPort: 80 }], facts('awsvpc')), [
      { targetGroupArn: api, id: '10.0.0.7', port: 80 },
    ]);
  });

  test('nothing until every binding or address is known, or when a group is gone', () => {
    const unbound = task({ containers: [{ name: 'web' }] });
    assert.equal(targetsOfTask(unbound, [{ targetGroupArn: web, containerName: 'web', containerPort: 80 }], facts('bridge')), undefined);
    const nowhere = task({ containers: [{ name: 'web' }] });
    assert.equal(targetsOfTask(nowhere, [{ targetGroupArn: api, containerName: 'web', containerPort: 80 }], facts('awsvpc')), undefined);
    const gone = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/gone/0000000000000000';
    assert.equal(targetsOfTask(task(), [{ targetGroupArn: gone, containerName: 'web', containerPort: 80 }], facts('bridge')), undefined);
  });
});

describe("what a task's targets say about it", () => {
  const targets: TaskTarget[] = [
    { targetGroupArn: web, id: 'i-0abc', port: 32771 },
    { targetGroupArn: api, id: '10.0.0.7', port: 80 },
  ];
  const health = (states: TargetHealthFact[]) => new Map(targets.map((target, index) => [targetFactKey(target), states[index]!] as const).filter(([, fact]) => fact));

  test('healthy once every target is; pending while one is initial or unchecked; unhealthy if any is', () => {
    assert.deepEqual(balanceOf(targets, health([{ state: 'healthy' }, { state: 'healthy' }])), { state: 'healthy' });
    assert.deepEqual(balanceOf(targets, health([{ state: 'healthy' }, { state: 'initial' }])), { state: 'pending' });
    assert.deepEqual(balanceOf(targets, new Map()), { state: 'pending' });
    assert.deepEqual(balanceOf(targets, health([{ state: 'healthy' }, { state: 'unhealthy', reason: 'Target.Timeout' }])), {
      state: 'unhealthy',
      target: targets[1],
      reason: 'Target.Timeout',
    });
    // ELB's description goes with it: ECS's event quotes it.
    assert.deepEqual(balanceOf(targets, health([{ state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [404]' }, { state: 'healthy' }])), {
      state: 'unhealthy',
      target: targets[0],
      reason: 'Target.ResponseCodeMismatch',
      description: 'Health checks failed with these codes: [404]',
    });
  });

  test('ACTIVATING tasks the service still wants become RUNNING once healthy', () => {
    const healthy: TaskBalance = { state: 'healthy' };
    const ready = task();
    const waiting = task({ taskArn: 't2' });
    const leaving = task({ taskArn: 't3', desiredStatus: 'STOPPED' });
    const balances = new Map<string, TaskBalance>([
      [ready.taskArn, healthy],
      [waiting.taskArn, { state: 'pending' }],
      [leaving.taskArn, healthy],
    ]);
    assert.deepEqual(tasksToActivate([ready, waiting, leaving], balances), [ready.taskArn]);
  });

  test('an unhealthy target fails the task only once the grace period after its start is over', () => {
    const unhealthy: TaskBalance = { state: 'unhealthy', target: targets[0]!, reason: 'Target.FailedHealthChecks' };
    assert.equal(failsLoadBalancerChecks(task({ startedAt: 10 }), unhealthy, 39, 30), false);
    assert.equal(failsLoadBalancerChecks(task({ startedAt: 10 }), unhealthy, 40, 30), true);
    assert.equal(failsLoadBalancerChecks(task({ lastStatus: 'RUNNING' }), unhealthy, 40, 0), true);
    assert.equal(failsLoadBalancerChecks(task({ lastStatus: 'DEACTIVATING' }), unhealthy, 40, 0), false);
    assert.equal(failsLoadBalancerChecks(task(), { state: 'pending' }, 40, 0), false);
  });

  test('a drain is over when its delay has run out or none of its targets is registered any more', () => {
    const draining = task({ lastStatus: 'DEACTIVATING', desiredStatus: 'STOPPED', drainUntil: 50, targets });
    assert.equal(drainIsOver(draining, () => true, 49), false);
    assert.equal(drainIsOver(draining, () => true, 50), true);
    assert.equal(drainIsOver(draining, () => false, 20), true);
    assert.equal(drainIsOver(task(), () => false, 20), false);
  });
});

describe('the replica decision with load balancer health', () => {
  const service: ServiceRecord = {
    serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/dev/web',
    serviceName: 'web',
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/dev',
    status: 'ACTIVE',
    desiredCount: 1,
    schedulingStrategy: 'REPLICA',
    createdAt: 0,
    healthCheckGracePeriodSeconds: 20,
    deployments: [
      {
        id: 'd1',
        status: 'PRIMARY',
        taskDefinition: 'td',
        desiredCount: 1,
        failedTasks: 0,
        createdAt: 0,
        updatedAt: 0,
        rolloutState: 'IN_PROGRESS',
        rolloutStateReason: '',
        serviceDeploymentArn: 'sd',
        serviceRevisionArn: 'rev',
        breakerFailures: [],
      },
    ],
    events: [],
    tags: [],
    version: 1,
    deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
  };
  const target = { targetGroupArn: web, id: 'i-0abc', port: 32771 };
  const decide = (now: number, balance: TaskBalance, current = task({ targets: [target] })) =>
    reconcileReplica({ service, tasks: [current], stops: [], instances: new Map([['ci-1', { status: 'ACTIVE', lost: false }]]), now, balances: new Map([[current.taskArn, balance]]) });

  test('stops a task whose target is unhealthy after the grace period, with ECS reason, and launches a replacement', () => {
    const unhealthy: TaskBalance = { state: 'unhealthy', target, reason: 'Target.Timeout' };
    const early = decide(25, unhealthy);
    assert.deepEqual(early.stops, []);
    const late = decide(30, unhealthy);
    assert.deepEqual(late.stops.map((stop) => [stop.reason, stop.kind]), [[`Task failed ELB health checks in (target-group ${web})`, 'health']]);
    assert.equal(late.launch, 1);
    assert.equal(isFailedTask({ stoppedReason: elbHealthStopReason(web) }), true, 'the circuit breaker counts it');
  });

  test('an ACTIVATING task does not complete the deployment: it is not yet healthy', () => {
    const decision = decide(100, { state: 'pending' });
    assert.equal(decision.completed, false);
    assert.equal(decision.launch, 0);
  });

  test('a DAEMON task whose target is unhealthy after the grace period is replaced too', () => {
    const daemon: ServiceRecord = { ...service, schedulingStrategy: 'DAEMON', healthCheckGracePeriodSeconds: 0 };
    const current = task({ lastStatus: 'RUNNING', targets: [target] });
    const decision = reconcileDaemon({
      service: daemon,
      tasks: [current],
      stops: [],
      instances: new Map([['ci-1', { status: 'ACTIVE', lost: false }]]),
      eligible: new Set(['ci-1']),
      now: 30,
      balances: new Map([[current.taskArn, { state: 'unhealthy', target, reason: 'Target.Timeout' }]]),
    });
    assert.deepEqual(decision.stops.map((stop) => stop.reason), [elbHealthStopReason(web)]);
  });
});
