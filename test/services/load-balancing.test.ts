/**
 * Services with load balancers on simulated capacity. The data plane's part (health checks) is
 * played by the test, which writes target health records into the store; this is a test of the
 * service controller. Covered: registration with the right target per network mode (bridge dynamic
 * ports, host, awsvpc), ACTIVATING until the targets are healthy, a deployment that waits for the
 * new tasks' health, an unhealthy target replaced with ECS's reason and events, and a scale-in
 * that drains for the deregistration delay before the task stops, the circuit breaker tripped by
 * tasks failing their ELB health checks. RunTask tasks never register.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AdvancingClock } from '../../src/core/clock.js';
import type { TargetHealthState } from '../../src/store/contract/elbv2.js';
import { eventually, simulatedAgent, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { awsvpc } from '../helpers/services.js';
import { createForwardingListener, createLoadBalancer, elbClient } from '../elbv2/elbv2-client.js';

const clock = new AdvancingClock();

describe('services drive their load balancers (simulated capacity)', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;
  const agents: TestAgent[] = [];
  const groups: Record<'web' | 'host' | 'api' | 'flaky', string> = { web: '', host: '', api: '', flaky: '' };
  let instanceIds: Map<string, string>;

  const createGroup = async (name: string, targetType: 'instance' | 'ip', port: number, delaySeconds: number) => {
    const { TargetGroups } = await elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: port, TargetType: targetType }));
    const arn = TargetGroups![0]!.TargetGroupArn!;
    await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: String(delaySeconds) }] }));
    return arn;
  };

  before(async () => {
    berth = await startBerth({ agentLostAfterSeconds: 600 }, { clock });
    // This file plays the data plane's part, writing target health by hand: the controller that
    // applies records to a real data plane (test/elbv2/load-balancing.test.ts) would race it, and
    // would rightly end a drain early once the data plane has nothing in flight for the target.
    await berth.server.loadBalancers.stop();
    ecs = berth.ecs();
    elb = elbClient(berth);
    await ecs.send(new CreateClusterCommand({ clusterName: 'lb' }));
    for (let index = 0; index < 2; index++) {
      agents.push(await startTestAgent(berth, simulatedAgent({ cluster: 'lb', name: `lb-${index}`, availabilityZone: 'us-east-1a', clock })));
    }
    const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster: 'lb' }));
    const described = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'lb', containerInstances: containerInstanceArns }));
    instanceIds = new Map(described.containerInstances!.map((instance) => [instance.containerInstanceArn!, instance.ec2InstanceId!]));

    groups.web = await createGroup('web', 'instance', 80, 30);
    groups.host = await createGroup('host', 'instance', 9090, 0);
    groups.api = await createGroup('api', 'ip', 8080, 30);
    groups.flaky = await createGroup('flaky', 'instance', 80, 0);
    const lb = await createLoadBalancer(elb, 'front');
    await createForwardingListener(elb, lb, groups.web, 8080);
    await createForwardingListener(elb, lb, groups.host, 8081);
    await createForwardingListener(elb, lb, groups.api, 8082);
    await createForwardingListener(elb, lb, groups.flaky, 8083);

    const image = 'simulated/web:1';
    await ecs.send(
      new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'web', image, memory: 32, portMappings: [{ containerPort: 80, hostPort: 0 }] }] }),
    );
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'host',
        networkMode: 'host',
        containerDefinitions: [{ name: 'web', image, memory: 32, portMappings: [{ containerPort: 9090 }] }],
      }),
    );
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'api',
        networkMode: 'awsvpc',
        containerDefinitions: [{ name: 'api', image, memory: 32, portMappings: [{ containerPort: 8080 }] }],
      }),
    );
  });
  after(async () => {
    elb?.destroy();
    for (const agent of agents.reverse()) await agent.close();
    await berth?.close();
  });

  const describe1 = async (service: string): Promise<Service> => (await ecs.send(new DescribeServicesCommand({ cluster: 'lb', services: [service] }))).services![0]!;
  /** The service's tasks not yet STOPPED, DEACTIVATING ones (desired STOPPED) included. */
  const tasksOf = async (service: string): Promise<Task[]> => {
    const wanted = (await ecs.send(new ListTasksCommand({ cluster: 'lb', serviceName: service }))).taskArns ?? [];
    const leaving = (await ecs.send(new ListTasksCommand({ cluster: 'lb', serviceName: service, desiredStatus: 'STOPPED' }))).taskArns ?? [];
    const taskArns = [...wanted, ...leaving];
    if (!taskArns.length) return [];
    return ((await ecs.send(new DescribeTasksCommand({ cluster: 'lb', tasks: taskArns }))).tasks ?? []).filter((task) => task.lastStatus !== 'STOPPED');
  };
  const taskWith = async (arn: string): Promise<Task> => (await ecs.send(new DescribeTasksCommand({ cluster: 'lb', tasks: [arn] }))).tasks![0]!;
  const waitFor = <T>(what: string, probe: () => Promise<T | undefined>) => eventually(probe, 20_000, what);
  const registered = async (group: string) =>
    ((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group }))).TargetHealthDescriptions ?? []).map((description) => ({
      id: description.Target!.Id!,
      port: description.Target!.Port!,
      state: description.TargetHealth!.State!,
    }));
  const settle = () => berth.server.services.settle();

  /** Plays the data plane: records a health state for the group's registered targets (those `which` picks). */
  const markTargets = async (group: string, state: TargetHealthState, which: (target: { id: string; port: number }) => boolean = () => true) => {
    await berth.server.store.write(async (tx) => {
      for (const target of await tx.targets.forTargetGroup(group)) {
        if (target.drainUntil !== undefined || !which(target)) continue;
        await tx.targetHealth.put({
          targetGroupArn: group,
          id: target.id,
          port: target.port,
          state,
          ...(state === 'unhealthy' ? { reason: 'Target.Timeout', description: 'Request timed out' } : {}),
          updatedAt: clock.now().getTime() / 1000,
        });
      }
    });
    await settle();
  };
  const targetOf = (task: Task, containerPort: number) => {
    const binding = task.containers![0]!.networkBindings!.find((candidate) => candidate.containerPort === containerPort)!;
    return { id: instanceIds.get(task.containerInstanceArn!)!, port: binding.hostPort! };
  };
  const activating = (service: string, count: number) =>
    waitFor(`${service}: ${count} ACTIVATING tasks`, async () => {
      const tasks = (await tasksOf(service)).filter((task) => task.lastStatus === 'ACTIVATING');
      return tasks.length === count ? tasks : undefined;
    });
  const messages = async (service: string) => (await describe1(service)).events!.map((event) => event.message!);
  const registeredCount = (events: string[], service: string, group: string) =>
    events
      .map((message) => message.match(new RegExp(`^\\(service ${service}\\) registered (\\d+) targets in \\(target-group ${group.replace(/[/.]/g, '\\$&')}\\)$`)))
      .reduce((sum, match) => sum + (match ? Number(match[1]) : 0), 0);

  test('bridge tasks register their instance and dynamic host port, stay ACTIVATING until healthy, then the deployment completes', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'lb',
        serviceName: 'web',
        taskDefinition: 'web',
        desiredCount: 2,
        loadBalancers: [{ targetGroupArn: groups.web, containerName: 'web', containerPort: 80 }],
        healthCheckGracePeriodSeconds: 60,
      }),
    );
    const described = await describe1('web');
    assert.deepEqual(described.loadBalancers, [{ targetGroupArn: groups.web, containerName: 'web', containerPort: 80 }]);
    assert.equal(described.healthCheckGracePeriodSeconds, 60);

    const tasks = await activating('web', 2);
    await waitFor('two targets registered', async () => ((await registered(groups.web)).length === 2 ? true : undefined));
    const expected = tasks.map((task) => targetOf(task, 80)).sort((a, b) => a.port - b.port || a.id.localeCompare(b.id));
    const actual = (await registered(groups.web)).map(({ id, port }) => ({ id, port })).sort((a, b) => a.port - b.port || a.id.localeCompare(b.id));
    assert.deepEqual(actual, expected);
    for (const target of actual) assert.match(target.id, /^i-[0-9a-f]+$/);
    assert.ok(actual.every((target) => target.port >= 32768), 'dynamic host ports');
    assert.equal(registeredCount(await messages('web'), 'web', groups.web), 2, (await messages('web')).join('\n'));

    // Time passes with the targets still initial: the tasks stay ACTIVATING and the deployment waits.
    clock.advance(30_000);
    await settle();
    assert.deepEqual((await tasksOf('web')).map((task) => task.lastStatus), ['ACTIVATING', 'ACTIVATING']);
    assert.equal((await describe1('web')).deployments![0]!.rolloutState, 'IN_PROGRESS');
    assert.equal((await describe1('web')).pendingCount, 2);

    await markTargets(groups.web, 'healthy');
    await waitFor('web RUNNING', async () => ((await tasksOf('web')).every((task) => task.lastStatus === 'RUNNING') ? true : undefined));
    clock.advance(11_000);
    await settle();
    const done = await waitFor('web deployment completed', async () => {
      const service = await describe1('web');
      return service.deployments![0]!.rolloutState === 'COMPLETED' && service.runningCount === 2 ? service : undefined;
    });
    assert.equal(done.runningCount, 2);
  });

  test('a rolling deployment counts new tasks only once their targets are healthy, and drains the old ones before they stop', async () => {
    const old = (await tasksOf('web')).map((task) => task.taskArn!);
    await ecs.send(new UpdateServiceCommand({ cluster: 'lb', service: 'web', forceNewDeployment: true }));
    const fresh = await waitFor('two new ACTIVATING tasks', async () => {
      const tasks = (await tasksOf('web')).filter((task) => !old.includes(task.taskArn!) && task.lastStatus === 'ACTIVATING');
      return tasks.length === 2 ? tasks : undefined;
    });
    await waitFor('four targets registered', async () => ((await registered(groups.web)).length === 4 ? true : undefined));
    // Long past the proving window, the new tasks are not healthy: no old task stops (minimumHealthyPercent 100).
    clock.advance(40_000);
    await settle();
    for (const arn of old) assert.equal((await taskWith(arn)).lastStatus, 'RUNNING');

    // Started 40 s ago, the new tasks count as soon as their targets are healthy, and the old ones go.
    await markTargets(groups.web, 'healthy', (target) => fresh.some((task) => targetOf(task, 80).port === target.port && targetOf(task, 80).id === target.id));
    const draining = await waitFor('old tasks DEACTIVATING', async () => {
      const tasks = await Promise.all(old.map(taskWith));
      return tasks.every((task) => task.lastStatus === 'DEACTIVATING') ? tasks : undefined;
    });
    for (const task of draining) assert.equal(task.desiredStatus, 'STOPPED');
    const states = await registered(groups.web);
    assert.equal(states.filter((state) => state.state === 'draining').length, 2, JSON.stringify(states));
    const events = await messages('web');
    assert.ok(events.some((message) => message === `(service web) deregistered 2 targets in (target-group ${groups.web})`), events.join('\n'));
    assert.ok(events.some((message) => message === '(service web) has begun draining connections on 2 tasks.'), events.join('\n'));

    // Nothing stops before the deregistration delay (30 s) is over.
    clock.advance(20_000);
    await settle();
    for (const arn of old) assert.equal((await taskWith(arn)).lastStatus, 'DEACTIVATING');
    clock.advance(11_000);
    await settle();
    await waitFor('old tasks STOPPED', async () => ((await Promise.all(old.map(taskWith))).every((task) => task.lastStatus === 'STOPPED') ? true : undefined));
    await waitFor('deployment completed', async () => {
      const service = await describe1('web');
      return service.deployments!.length === 1 && service.deployments![0]!.rolloutState === 'COMPLETED' ? true : undefined;
    });
  });

  test('a task whose target turns unhealthy after the grace period is replaced, with ECS reason and events', async () => {
    const before = (await tasksOf('web')).filter((task) => task.lastStatus === 'RUNNING');
    const victim = before[0]!;
    const target = targetOf(victim, 80);
    await markTargets(groups.web, 'unhealthy', (candidate) => candidate.id === target.id && candidate.port === target.port);
    const stopped = await waitFor('the unhealthy task stopping', async () => {
      const task = await taskWith(victim.taskArn!);
      return task.desiredStatus === 'STOPPED' ? task : undefined;
    });
    assert.equal(stopped.stoppedReason, `Task failed ELB health checks in (target-group ${groups.web})`);
    const events = await messages('web');
    assert.ok(
      events.some((message) => message === `(service web) (instance ${target.id}) (port ${target.port}) is unhealthy in (target-group ${groups.web}) due to (reason Request timed out).`),
      events.join('\n'),
    );
    await waitFor('a replacement ACTIVATING', async () => ((await tasksOf('web')).some((task) => task.lastStatus === 'ACTIVATING') ? true : undefined));
    assert.equal(stopped.lastStatus, 'DEACTIVATING', 'it drains first');
    clock.advance(31_000);
    await settle();
    await waitFor('the unhealthy task STOPPED', async () => ((await taskWith(victim.taskArn!)).lastStatus === 'STOPPED' ? true : undefined));
    await settle();
    const deployment = (await describe1('web')).deployments![0]!;
    assert.equal(deployment.failedTasks, 1, 'the failure counts against the deployment (and its circuit breaker)');
  });

  test('scaling in drains the task for the deregistration delay before it stops', async () => {
    await markTargets(groups.web, 'healthy');
    clock.advance(40_000);
    await settle();
    await waitFor('web back to 2 RUNNING', async () => ((await tasksOf('web')).filter((task) => task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING').length === 2 ? true : undefined));
    await ecs.send(new UpdateServiceCommand({ cluster: 'lb', service: 'web', desiredCount: 1 }));
    const leaving = await waitFor('one task DEACTIVATING', async () => (await tasksOf('web')).find((task) => task.lastStatus === 'DEACTIVATING'));
    assert.equal(leaving.desiredStatus, 'STOPPED');
    clock.advance(10_000);
    await settle();
    assert.equal((await taskWith(leaving.taskArn!)).lastStatus, 'DEACTIVATING', 'still draining');
    clock.advance(25_000);
    await settle();
    await waitFor('the drained task STOPPED', async () => ((await taskWith(leaving.taskArn!)).lastStatus === 'STOPPED' ? true : undefined));
  });

  test('host mode registers the instance and the container port; awsvpc the task address', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'lb',
        serviceName: 'host',
        taskDefinition: 'host',
        desiredCount: 1,
        loadBalancers: [{ targetGroupArn: groups.host, containerName: 'web', containerPort: 9090 }],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'lb',
        serviceName: 'api',
        taskDefinition: 'api',
        desiredCount: 1,
        networkConfiguration: awsvpc,
        loadBalancers: [{ targetGroupArn: groups.api, containerName: 'api', containerPort: 8080 }],
      }),
    );
    const [hostTask] = await activating('host', 1);
    const [apiTask] = await activating('api', 1);
    await waitFor('host target', async () => ((await registered(groups.host)).length === 1 ? true : undefined));
    await waitFor('api target', async () => ((await registered(groups.api)).length === 1 ? true : undefined));
    const [hostTarget] = await registered(groups.host);
    assert.deepEqual({ id: hostTarget!.id, port: hostTarget!.port }, { id: instanceIds.get(hostTask!.containerInstanceArn!)!, port: 9090 });
    const [apiTarget] = await registered(groups.api);
    const address = (await taskWith(apiTask!.taskArn!)).containers![0]!.networkInterfaces![0]!.privateIpv4Address;
    assert.ok(address);
    assert.deepEqual({ id: apiTarget!.id, port: apiTarget!.port }, { id: address as string, port: 8080 });

    // With no deregistration delay, scaling in stops the task without draining.
    await markTargets(groups.host, 'healthy');
    await waitFor('host RUNNING', async () => ((await taskWith(hostTask!.taskArn!)).lastStatus === 'RUNNING' ? true : undefined));
    await ecs.send(new UpdateServiceCommand({ cluster: 'lb', service: 'host', desiredCount: 0 }));
    await waitFor('host task stopped', async () => ((await taskWith(hostTask!.taskArn!)).lastStatus === 'STOPPED' ? true : undefined));
    assert.deepEqual(await registered(groups.host), []);
  });

  test('tasks failing their ELB health checks trip the deployment circuit breaker', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'lb',
        serviceName: 'flaky',
        taskDefinition: 'web',
        desiredCount: 1,
        loadBalancers: [{ targetGroupArn: groups.flaky, containerName: 'web', containerPort: 80 }],
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
      }),
    );
    const failed = await waitFor('the deployment FAILED', async () => {
      const service = await describe1('flaky');
      if (service.deployments![0]!.rolloutState === 'FAILED') return service;
      // Play a data plane whose health checks every new target fails.
      await markTargets(groups.flaky, 'unhealthy');
      return undefined;
    });
    assert.ok(failed.deployments![0]!.failedTasks! >= 3, `failed tasks: ${failed.deployments![0]!.failedTasks}`);
    assert.match(failed.deployments![0]!.rolloutStateReason!, /circuit breaker/);
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'lb', serviceName: 'flaky', desiredStatus: 'STOPPED' }));
    const stopped = (await ecs.send(new DescribeTasksCommand({ cluster: 'lb', tasks: taskArns }))).tasks!;
    assert.ok(stopped.every((task) => task.stoppedReason === `Task failed ELB health checks in (target-group ${groups.flaky})`));
  });

  test('RunTask tasks are never registered', async () => {
    const { tasks } = await ecs.send(new RunTaskCommand({ cluster: 'lb', taskDefinition: 'web' }));
    const arn = tasks![0]!.taskArn!;
    await waitFor('run task RUNNING', async () => ((await taskWith(arn)).lastStatus === 'RUNNING' ? true : undefined));
    await settle();
    assert.equal((await registered(groups.web)).filter((target) => target.state !== 'draining').length, 1, 'only the service task');
  });
});
