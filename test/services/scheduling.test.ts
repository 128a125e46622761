/**
 * The service scheduler over simulated capacity (agents that take tasks like real ones but run no
 * containers): REPLICA placement, DAEMON, self-healing when an agent is lost or an instance
 * drains, FARGATE services, tags on service tasks, and placement failures told in events.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  PutAttributesCommand,
  RegisterTaskDefinitionCommand,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { SimulatedRuntime } from '../../src/agent/simulated/simulated-runtime.js';
import type { AgentOptions } from '../../src/agent/agent.js';
import { AdvancingClock } from '../../src/core/clock.js';
import { eventually, simulatedAgent, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { proveRunning } from '../helpers/services.js';

// Agents sign their channels on the server's clock, as agents on machines whose clocks agree do.
const clock = new AdvancingClock();
const simulated = (cluster: string, name: string, zone: string, extra: Partial<AgentOptions> = {}) => simulatedAgent({ cluster, name, availabilityZone: zone, clock, ...extra });

describe('service scheduling on simulated capacity', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  const agents: TestAgent[] = [];

  before(async () => {
    // The proving window and the lost agent's grace period pass on `clock`, not in real time.
    berth = await startBerth({ agentLostAfterSeconds: 60 }, { clock });
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'sim' }));
    await ecs.send(new CreateClusterCommand({ clusterName: 'daemons' }));
    await ecs.send(new CreateClusterCommand({ clusterName: 'tiny' }));
    for (let index = 0; index < 6; index++) {
      agents.push(await startTestAgent(berth, simulated('sim', `sim-${index}`, `us-east-1${'abc'[index % 3]}`, agents[0] ? { dataDir: agents[0].dataDir } : {})));
    }
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'app', containerDefinitions: [{ name: 'app', image: 'simulated/app:1', memory: 64, cpu: 16 }] }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'fargate-app',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'app', image: 'simulated/app:1' }],
        tags: [{ key: 'team', value: 'web' }],
      }),
    );
  });
  after(async () => {
    for (const agent of agents.reverse()) await agent.close();
    await berth?.close();
  });

  const describe1 = async (cluster: string, service: string): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster, services: [service], include: ['TAGS'] }))).services![0]!;
  const tasksOf = async (cluster: string, service: string): Promise<Task[]> => {
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster, serviceName: service }));
    if (!taskArns?.length) return [];
    return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns, include: ['TAGS'] }))).tasks ?? [];
  };
  /** Waits for `count` tasks to run, moves the clock past the proving window, and waits for the deployment to complete. */
  const steady = async (cluster: string, service: string, count: number, timeoutMs = 20_000) => {
    const running = await eventually(
      async () => {
        const tasks = (await tasksOf(cluster, service)).filter((task) => task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING');
        return tasks.length === count ? tasks : undefined;
      },
      timeoutMs,
      `${service} running ${count} tasks`,
    );
    await proveRunning(berth, clock, running);
    return eventually(
      async () => {
        const described = await describe1(cluster, service);
        return described.runningCount === count && described.deployments?.length === 1 && described.deployments[0]!.rolloutState === 'COMPLETED'
          ? described
          : undefined;
      },
      timeoutMs,
      `${service} steady with ${count} tasks`,
    );
  };

  test('REPLICA spreads across availability zones, then instances, and tells its progress in events', async () => {
    await ecs.send(new CreateServiceCommand({ cluster: 'sim', serviceName: 'spread', taskDefinition: 'app', desiredCount: 6, launchType: 'EC2' }));
    const service = await steady('sim', 'spread', 6);
    const tasks = await tasksOf('sim', 'spread');
    const perZone = new Map<string, number>();
    for (const task of tasks) perZone.set(task.availabilityZone!, (perZone.get(task.availabilityZone!) ?? 0) + 1);
    assert.deepEqual([...perZone.values()], [2, 2, 2]);
    assert.equal(new Set(tasks.map((task) => task.containerInstanceArn)).size, 6, 'one per instance');
    for (const task of tasks) {
      assert.equal(task.group, 'service:spread');
      assert.equal(task.startedBy, service.deployments![0]!.id);
    }
    const messages = service.events!.map((event) => event.message!);
    assert.match(messages[0]!, /^\(service spread\) has reached a steady state\.$/);
    assert.ok(messages.some((message) => /^\(service spread\) has started 6 tasks: (\(task [0-9a-f]{32}\) ?){6}\.$/.test(message)), messages.join('\n'));
    assert.ok(messages.some((message) => /deployment ecs-svc\/\d+\) deployment completed\./.test(message)));

    // Scaling in keeps the spread: the two tasks left are in two zones.
    await ecs.send(new UpdateServiceCommand({ cluster: 'sim', service: 'spread', desiredCount: 2 }));
    await eventually(async () => ((await tasksOf('sim', 'spread')).length === 2 ? true : undefined), 20_000, 'spread scaled in to 2');
    const left = await tasksOf('sim', 'spread');
    assert.equal(new Set(left.map((task) => task.availabilityZone)).size, 2, `zones of the tasks left: ${left.map((task) => task.availabilityZone).join(', ')}`);
  });

  test('a DAEMON runs one task on every instance that meets its constraints, including instances that join later', async () => {
    agents.push(await startTestAgent(berth, simulated('daemons', 'd-0', 'us-east-1a', { dataDir: agents[0]!.dataDir })));
    agents.push(await startTestAgent(berth, simulated('daemons', 'd-1', 'us-east-1b', { dataDir: agents[0]!.dataDir })));
    const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster: 'daemons' }));
    await ecs.send(new PutAttributesCommand({ cluster: 'daemons', attributes: [{ name: 'logging', value: 'off', targetId: containerInstanceArns![1]! }] }));
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'daemons',
        serviceName: 'logs',
        taskDefinition: 'app',
        schedulingStrategy: 'DAEMON',
        placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.availability-zone != us-east-1b and not(attribute:logging == off)' }],
      }),
    );
    await steady('daemons', 'logs', 1);
    assert.deepEqual((await tasksOf('daemons', 'logs')).map((task) => task.containerInstanceArn), [containerInstanceArns![0]]);

    agents.push(await startTestAgent(berth, simulated('daemons', 'd-2', 'us-east-1c', { dataDir: agents[0]!.dataDir })));
    const service = await steady('daemons', 'logs', 2);
    assert.equal(service.desiredCount, 2);
    assert.equal(new Set((await tasksOf('daemons', 'logs')).map((task) => task.containerInstanceArn)).size, 2);
  });

  test('tasks of an instance whose agent is gone past the grace period are replaced elsewhere', async () => {
    await ecs.send(new CreateServiceCommand({ cluster: 'sim', serviceName: 'heal', taskDefinition: 'app', desiredCount: 3, launchType: 'EC2' }));
    await steady('sim', 'heal', 3);
    const before = await tasksOf('sim', 'heal');
    const victimInstance = before[0]!.containerInstanceArn!;
    const victimAgent = agents.find((agent) => agent.agent.registration.containerInstanceArn === victimInstance);
    assert.ok(victimAgent, 'the agent of the first task is one of ours');
    await victimAgent.stop();
    await eventually(
      async () => {
        const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'sim', containerInstances: [victimInstance] }));
        return containerInstances?.[0]?.agentConnected === false ? true : undefined;
      },
      20_000,
      'the agent seen disconnected',
    );
    await berth.server.services.settle();
    assert.ok((await tasksOf('sim', 'heal')).some((task) => task.containerInstanceArn === victimInstance && task.desiredStatus === 'RUNNING'), 'kept within the grace period');
    clock.advance(61_000);
    await berth.server.services.settle();
    const service = await eventually(
      async () => {
        const tasks = await tasksOf('sim', 'heal');
        const running = tasks.filter((task) => task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING');
        return running.length === 3 && running.every((task) => task.containerInstanceArn !== victimInstance) ? describe1('sim', 'heal') : undefined;
      },
      20_000,
      'replacements on other instances',
    );
    assert.ok(service.events!.some((event) => /is replacing 1 tasks whose container instance agent has been disconnected for over 60 seconds/.test(event.message!)));
    await victimAgent.restart();
  });

  test('a DRAINING instance has its service tasks started elsewhere first, then stopped', async () => {
    await ecs.send(new CreateServiceCommand({ cluster: 'sim', serviceName: 'drain', taskDefinition: 'app', desiredCount: 4, launchType: 'EC2' }));
    await steady('sim', 'drain', 4);
    const instance = (await tasksOf('sim', 'drain'))[0]!.containerInstanceArn!;
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'sim', containerInstances: [instance], status: 'DRAINING' }));
    let fewest = 4;
    // A replacement starts elsewhere first; the draining instance's task stops once it has proven itself.
    const replacements = await eventually(
      async () => {
        const tasks = (await tasksOf('sim', 'drain')).filter((task) => task.desiredStatus === 'RUNNING');
        fewest = Math.min(fewest, tasks.filter((task) => task.lastStatus === 'RUNNING').length);
        const elsewhere = tasks.filter((task) => task.containerInstanceArn !== instance && task.lastStatus === 'RUNNING');
        return elsewhere.length === 4 ? elsewhere : undefined;
      },
      20_000,
      'replacements running beside the draining instance',
    );
    await proveRunning(berth, clock, replacements);
    await eventually(
      async () => {
        const tasks = (await tasksOf('sim', 'drain')).filter((task) => task.desiredStatus === 'RUNNING');
        fewest = Math.min(fewest, tasks.filter((task) => task.lastStatus === 'RUNNING').length);
        return tasks.length === 4 && tasks.every((task) => task.containerInstanceArn !== instance && task.lastStatus === 'RUNNING') ? true : undefined;
      },
      20_000,
      'tasks moved off the draining instance',
    );
    assert.equal(fewest, 4, 'minimumHealthyPercent 100: never fewer than 4 running');
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'sim', containerInstances: [instance], status: 'ACTIVE' }));
  });

  test('a FARGATE service runs on Fargate capacity, with tags propagated and ECS managed tags', async () => {
    agents.push(await startTestAgent(berth, simulated('sim', 'fargate-host', 'us-east-1a', { mode: 'fargate', dataDir: agents[0]!.dataDir })));
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'sim',
        serviceName: 'serverless',
        taskDefinition: 'fargate-app',
        desiredCount: 2,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
        propagateTags: 'TASK_DEFINITION',
        enableECSManagedTags: true,
      }),
    );
    await steady('sim', 'serverless', 2);
    for (const task of await tasksOf('sim', 'serverless')) {
      assert.equal(task.launchType, 'FARGATE');
      const tags = Object.fromEntries((task.tags ?? []).map((tag) => [tag.key, tag.value]));
      assert.deepEqual(tags, { team: 'web', 'aws:ecs:clusterName': 'sim', 'aws:ecs:serviceName': 'serverless' });
    }
  });

  test('a task that cannot be placed is explained in the events, and the service places it once room appears', async () => {
    agents.push(await startTestAgent(berth, simulated('tiny', 'tiny-0', 'us-east-1a', { dataDir: agents[0]!.dataDir, runtime: new SimulatedRuntime({ cpus: 1, memoryBytes: 1024 ** 3 }) })));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'big', containerDefinitions: [{ name: 'app', image: 'simulated/app:1', memory: 600 }] }));
    await ecs.send(new CreateServiceCommand({ cluster: 'tiny', serviceName: 'big', taskDefinition: 'big', desiredCount: 2, launchType: 'EC2' }));
    const service = await eventually(
      async () => {
        const described = await describe1('tiny', 'big');
        return described.runningCount === 1 && described.events!.some((event) => event.message!.includes('was unable to place a task')) ? described : undefined;
      },
      20_000,
      'one task placed, one explained',
    );
    const message = service.events!.find((event) => event.message!.includes('was unable to place a task'))!.message!;
    assert.match(message, /^\(service big\) was unable to place a task because no container instance met all of its requirements\. Berth: closest matching instance .*memory/);
    await ecs.send(new UpdateServiceCommand({ cluster: 'tiny', service: 'big', desiredCount: 1 }));
    await steady('tiny', 'big', 1);
    await ecs.send(new DeleteServiceCommand({ cluster: 'tiny', service: 'big', force: true }));
    await eventually(async () => ((await describe1('tiny', 'big')).status === 'INACTIVE' ? true : undefined), 20_000, 'the deleted service to drain');
    assert.equal((await tasksOf('tiny', 'big')).length, 0);
  });
});
