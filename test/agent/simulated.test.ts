/**
 * Simulated capacity: instances that register and take tasks like real ones but run no containers,
 * so scheduling and the control plane can be exercised at scale. Checks that the simulation keeps
 * the control plane's accounting exact as tasks come and go.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateClusterCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { SimulatedRuntime } from '../../src/agent/simulated/simulated-runtime.js';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';

describe('simulated capacity', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  const agents: TestAgent[] = [];

  before(async () => {
    berth = await startBerth();
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'sim' }));
    for (let index = 0; index < 20; index++) {
      agents.push(
        await startTestAgent(berth, {
          cluster: 'sim',
          name: `sim-${index}`,
          runtime: new SimulatedRuntime({ cpus: 2, memoryBytes: 4 * 1024 ** 3 }),
          metadata: false,
          simulated: true,
          pullBehavior: 'prefer-cached',
          reservedMemoryMiB: 0,
          availabilityZone: `us-east-1${'abc'[index % 3]}`,
          ...(agents[0] ? { dataDir: agents[0].dataDir } : {}),
        }),
      );
    }
  });
  after(async () => {
    for (const agent of agents.reverse()) await agent.close();
    await berth?.close();
  });

  const cluster = async () => (await ecs.send(new DescribeClustersCommand({ clusters: ['sim'] }))).clusters![0]!;

  test('simulated instances are registered as such, take 200 tasks to RUNNING, and give every resource back when they stop', async () => {
    const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster: 'sim' }));
    assert.equal(containerInstanceArns?.length, 20);
    const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'sim', containerInstances: containerInstanceArns! }));
    for (const instance of containerInstances!) {
      assert.ok(instance.attributes?.some((attribute) => attribute.name === 'berth.simulated' && attribute.value === 'true'));
      assert.equal(instance.registeredResources?.find((resource) => resource.name === 'MEMORY')?.integerValue, 4096);
    }

    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'sim-app', containerDefinitions: [{ name: 'main', image: 'simulated/app:1', memory: 128, cpu: 64 }] }));
    for (let batch = 0; batch < 20; batch++) {
      const { failures } = await ecs.send(new RunTaskCommand({ cluster: 'sim', taskDefinition: 'sim-app', count: 10, launchType: 'EC2' }));
      assert.deepEqual(failures, []);
    }
    await eventually(async () => ((await cluster()).runningTasksCount === 200 ? true : undefined), 30_000, '200 RUNNING');
    assert.equal((await cluster()).pendingTasksCount, 0);

    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListTasksCommand({ cluster: 'sim', ...(nextToken ? { nextToken } : {}) }));
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    assert.equal(arns.length, 200);
    for (const task of arns) await ecs.send(new StopTaskCommand({ cluster: 'sim', task }));
    await eventually(async () => ((await cluster()).runningTasksCount === 0 ? true : undefined), 30_000, 'all STOPPED');

    const { containerInstances: afterStop } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'sim', containerInstances: containerInstanceArns! }));
    for (const instance of afterStop!) {
      const remaining = instance.remainingResources?.find((resource) => resource.name === 'MEMORY')?.integerValue;
      assert.equal(remaining, 4096, 'every reservation went back to its instance');
      assert.equal(instance.runningTasksCount, 0);
    }
  });
});
