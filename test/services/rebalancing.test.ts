/**
 * Availability Zone rebalancing over simulated capacity: a zone's only instance goes away, its
 * task is replaced in another zone, and when the instance comes back the service moves a task
 * back, telling it in ECS's words. A service with rebalancing off, or constrained away from a
 * zone, is left as it is.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type ECSClient,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { AdvancingClock } from '../../src/core/clock.js';
import { eventually, simulatedAgent, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { proveRunning } from '../helpers/services.js';

const cluster = 'zones';
const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

describe('Availability Zone rebalancing on simulated capacity', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  const agents: TestAgent[] = [];
  // Proving windows and the lost agent's grace period pass on this clock.
  const clock = new AdvancingClock();

  before(async () => {
    berth = await startBerth({ agentLostAfterSeconds: 2 }, { clock });
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    for (const [index, zone] of zones.entries()) {
      agents.push(
        await startTestAgent(berth, simulatedAgent({ cluster, name: `zone-${index}`, availabilityZone: zone, clock, ...(agents[0] ? { dataDir: agents[0].dataDir } : {}) })),
      );
    }
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'app', containerDefinitions: [{ name: 'app', image: 'simulated/app:1', memory: 64, cpu: 16 }] }));
  });
  after(async () => {
    for (const agent of agents.reverse()) await agent.close();
    await berth?.close();
  });

  const describeService = async (service: string): Promise<Service> => (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!;
  const runningTasks = async (service: string): Promise<Task[]> => {
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster, serviceName: service }));
    if (!taskArns?.length) return [];
    return ((await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }))).tasks ?? []).filter((task) => task.lastStatus === 'RUNNING');
  };
  const perZone = (tasks: Task[]) => zones.map((zone) => tasks.filter((task) => task.availabilityZone === zone).length);
  /** Waits until the service runs 3 tasks whose counts per zone (a, b, c) pass `check`; answers the counts. */
  const spreadAs = (service: string, check: (counts: number[]) => boolean, what: string) =>
    eventually(
      async () => {
        const tasks = await runningTasks(service);
        return tasks.length === 3 && check(perZone(tasks)) ? perZone(tasks) : undefined;
      },
      20_000,
      `${service}: ${what}`,
    );
  const even = (counts: number[]) => counts.join() === '1,1,1';
  const outsideC = (counts: number[]) => counts[2] === 0 && counts[0]! >= 1 && counts[1]! >= 1;
  const create = (serviceName: string, extra: Record<string, unknown> = {}) =>
    ecs.send(new CreateServiceCommand({ cluster, serviceName, taskDefinition: 'app', desiredCount: 3, launchType: 'EC2', ...extra }));

  test('a zone that comes back gets its task back; the service says so and never runs fewer than it wants', async () => {
    const created = await create('web');
    assert.equal(created.service?.availabilityZoneRebalancing, 'ENABLED', 'on by default for a service spread over zones');
    await create('fixed', { availabilityZoneRebalancing: 'DISABLED' });
    await create('ab-only', { placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.availability-zone != us-east-1c' }] });
    const binpacked = await create('packed', { placementStrategy: [{ type: 'binpack', field: 'memory' }], desiredCount: 0 });
    assert.equal(binpacked.service?.availabilityZoneRebalancing, 'DISABLED', 'off by default for a service that does not spread over zones');
    await spreadAs('web', even, 'spread at first');
    await spreadAs('fixed', even, 'spread at first');
    const constrainedCounts = await spreadAs('ab-only', outsideC, 'kept out of zone c');

    // Zone c's only instance goes away; its tasks are replaced in the other zones.
    const zoneC = agents[2]!;
    await zoneC.stop();
    await eventually(
      async () => {
        const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [zoneC.agent.registration.containerInstanceArn!] }));
        return containerInstances?.[0]?.agentConnected === false ? true : undefined;
      },
      20_000,
      'zone c seen disconnected',
    );
    clock.advance(3_000);
    const [a, b] = await spreadAs('web', outsideC, 'replaced outside zone c');
    const fixedCounts = await spreadAs('fixed', outsideC, 'replaced outside zone c');
    const fuller = a! > b! ? 'us-east-1a' : 'us-east-1b';

    // It comes back: web moves a task back to zone c, one started there before one stops in zone a.
    await zoneC.restart();
    let fewest = Infinity;
    await eventually(
      async () => {
        const tasks = await runningTasks('web');
        fewest = Math.min(fewest, tasks.length);
        if (tasks.length === 3 && even(perZone(tasks))) return true;
        // Steady first (the replacement proven), then the task started in zone c proven.
        await proveRunning(berth, clock, tasks);
        return undefined;
      },
      30_000,
      'web rebalanced to 1, 1, 1',
    );
    assert.ok(fewest >= 3, `never fewer than 3 running: ${fewest}`);
    // Steady again once the task moved to zone c has proven itself.
    const settled = await eventually(
      async () => {
        const service = await describeService('web');
        const tasks = await runningTasks('web');
        if (service.events![0]!.message === '(service web) has reached a steady state.' && perZone(tasks).join() === '1,1,1') return service;
        await proveRunning(berth, clock, tasks);
        return undefined;
      },
      30_000,
      'web steady after rebalancing',
    );
    const messages = settled.events!.map((event) => event.message!).reverse();
    const said = (pattern: RegExp) => messages.findIndex((message) => pattern.test(message));
    const began = said(new RegExp(`^\\(service web\\) is not AZ balanced with ${a} tasks in us-east-1a, ${b} tasks in us-east-1b, and 0 tasks in us-east-1c\\. AZ Rebalancing in progress\\.$`));
    const started = said(/^\(service web\) has started 1 tasks in Availability Zone us-east-1c to AZ Rebalance: \(task [0-9a-f]{32}\)\.$/);
    const stopped = said(new RegExp(`^\\(service web\\) has stopped 1 running tasks in Availability Zone ${fuller} due to AZ rebalancing: \\(task [0-9a-f]{32}\\)\\.$`));
    const balanced = said(/^\(service web\) is AZ balanced with 1 tasks in us-east-1a, 1 tasks in us-east-1b, and 1 tasks in us-east-1c\.$/);
    assert.ok(began >= 0 && started > began && stopped > started && balanced >= stopped, messages.join('\n'));

    // Rebalancing off: left as it is. Kept out of zone c: no attempt to place there, however long their tasks have run.
    await proveRunning(berth, clock, [...(await runningTasks('fixed')), ...(await runningTasks('ab-only'))]);
    await berth.server.services.settle();
    assert.deepEqual(perZone(await runningTasks('fixed')), fixedCounts);
    assert.deepEqual(perZone(await runningTasks('ab-only')), constrainedCounts);
    const constrained = (await describeService('ab-only')).events!.map((event) => event.message!);
    assert.ok(!constrained.some((message) => /AZ balanced|unable to place/.test(message)), constrained.join('\n'));
  });
});
