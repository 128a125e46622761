/**
 * A reset leaves nothing of the earlier state anywhere, and leaves `berth up` as it was right after
 * its first start: cluster `default`, the local instance registered and connected, FARGATE served.
 * Driven as `berth up` wires it: a server with a local instance agent and a FARGATE agent on Docker
 * that register again after each reset.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import {
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { signedFetch } from '../../src/cli/signed-fetch.js';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { createRepository, RegistryHttp } from '../helpers/registry.js';
import { TaskDriver } from '../helpers/tasks.js';

const dockerUp = await dockerAvailable();
const run = promisify(execFile);

async function reset(berth: TestBerth): Promise<void> {
  const response = await signedFetch(berth.url, '/_berth/reset', { credentials: testCredentials, region: 'us-east-1', service: 'berth' });
  assert.equal(response.status, 200, await response.text());
}

/** The command Docker runs in the task's app container. */
async function containerCommand(ecs: ECSClient, taskArn: string): Promise<string[]> {
  const tasks = new TaskDriver(ecs);
  const task = await tasks.describe(taskArn);
  const id = task.containers?.[0]?.runtimeId;
  assert.ok(id, 'the container has a runtime id');
  const { stdout } = await run('docker', ['inspect', '--format', '{{json .Config.Cmd}}', id]);
  return JSON.parse(stdout) as string[];
}

async function runningContainers(owner: string): Promise<string[]> {
  const { stdout } = await run('docker', ['ps', '--quiet', '--filter', `label=dev.berth.owner=${owner}`]);
  return stdout.split('\n').filter(Boolean);
}

describe('berth reset', { skip: dockerUp ? false : 'no Docker engine reachable' }, () => {
  let berth: TestBerth;
  let instance: TestAgent;
  let fargate: TestAgent;
  let ecs: ECSClient;
  let image: string;

  before(async () => {
    image = await buildBusyboxImage();
    berth = await startBerth();
    ecs = berth.ecs();
    instance = await startTestAgent(berth, { createCluster: true });
    fargate = await startTestAgent(berth, { mode: 'fargate', createCluster: true });
    berth.server.afterReset(async () => {
      await Promise.all([instance.agent.rejoin(), fargate.agent.rejoin()]);
    });
  });
  after(async () => {
    await fargate?.close();
    await instance?.close();
    await berth?.close();
  });

  const definition = (message: string) => ({
    family: 'web',
    requiresCompatibilities: ['EC2', 'FARGATE'] as ('EC2' | 'FARGATE')[],
    networkMode: 'awsvpc' as const,
    cpu: '256',
    memory: '512',
    containerDefinitions: [{ name: 'web', image, essential: true, stopTimeout: 2, command: ['sh', '-c', `echo ${message}; exec sleep 600`] }],
  });
  const network = { awsvpcConfiguration: { subnets: ['subnet-local'] } };

  test('a definition registered after a reset runs as registered, not as the one its ARN named before', async () => {
    const tasks = new TaskDriver(ecs);
    for (const message of ['one', 'two', 'three']) await tasks.register(definition(`before-${message}`));
    const before = await tasks.run('web:3', { networkConfiguration: network });
    await tasks.until(before, 'RUNNING');
    assert.deepEqual(await containerCommand(ecs, before), ['sh', '-c', 'echo before-three; exec sleep 600']);

    await reset(berth);

    // As right after start: cluster default with the local instance, registered and connected.
    const { clusterArns } = await ecs.send(new ListClustersCommand({}));
    assert.deepEqual(clusterArns, ['arn:aws:ecs:us-east-1:000000000000:cluster/default']);
    const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster: 'default' }));
    assert.equal(containerInstanceArns?.length, 1, 'the local instance registered again');
    assert.equal(containerInstanceArns?.[0], instance.agent.registration.containerInstanceArn);
    const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: containerInstanceArns }));
    assert.equal(containerInstances?.[0]?.status, 'ACTIVE');
    assert.equal(containerInstances?.[0]?.runningTasksCount, 0, 'no task from before the reset');

    // The task from before is gone, and so is its container: the agent converged on its new, empty list.
    assert.deepEqual((await ecs.send(new ListTasksCommand({ cluster: 'default' }))).taskArns, []);
    await eventually(async () => ((await runningContainers(instance.agent.registration.owner)).length === 0 ? true : undefined), 20_000, 'the old container to stop');

    // Revisions start at 1 again; web:3 is now the new definition, on EC2 and on FARGATE.
    for (const message of ['one', 'two', 'three']) await tasks.register(definition(`after-${message}`));
    const onEc2 = await tasks.run('web:3', { networkConfiguration: network });
    const onFargate = await tasks.run('web:3', { networkConfiguration: network, launchType: 'FARGATE' });
    await tasks.until(onEc2, 'RUNNING');
    await tasks.until(onFargate, 'RUNNING');
    assert.deepEqual(await containerCommand(ecs, onEc2), ['sh', '-c', 'echo after-three; exec sleep 600']);
    assert.deepEqual(await containerCommand(ecs, onFargate), ['sh', '-c', 'echo after-three; exec sleep 600']);
  });

  test('registry tokens issued before a reset are refused after it, and pushed content leaves the disk', async () => {
    const { authorizationData } = await berth.ecr().send(new GetAuthorizationTokenCommand({}));
    const token = authorizationData![0]!.authorizationToken!;
    const catalog = () => fetch(`${berth.url}/v2/_catalog`, { headers: { authorization: `Basic ${token}` } });
    assert.equal((await catalog()).status, 200, 'the token works before the reset');
    await createRepository(berth, 'kept/nothing');
    const registry = await RegistryHttp.login(berth);
    const digest = await registry.pushBlob('kept/nothing', `content pushed before a reset ${Date.now()}`);
    assert.notEqual(await berth.server.registry.storage.stat(digest), undefined, 'the blob is on disk');

    await reset(berth);
    assert.equal((await catalog()).status, 401, 'the token no longer works');
    // The first collection after the reset (the timer runs it within 10 s) removes the files.
    await berth.server.registry.gc.collect();
    assert.equal(await berth.server.registry.storage.stat(digest), undefined, 'the blob is gone from disk');
  });

  test('a service from before a reset leaves nothing behind, and one of the same name runs after it', async () => {
    const tasks = new TaskDriver(ecs);
    await tasks.register(definition('service'));
    const create = () =>
      ecs.send(new CreateServiceCommand({ cluster: 'default', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, launchType: 'EC2', networkConfiguration: network }));
    const serviceTask = async () => {
      const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'default', serviceName: 'web' }));
      return taskArns?.[0];
    };
    await create();
    await tasks.until(await eventually(serviceTask, 20_000, 'the service to launch a task'), 'RUNNING');

    await reset(berth);
    // The controller passes until it has nothing left to do: it must not relaunch the old service's task.
    await berth.server.services.settle();
    assert.deepEqual((await ecs.send(new ListServicesCommand({ cluster: 'default' }))).serviceArns, []);
    assert.deepEqual((await ecs.send(new ListTasksCommand({ cluster: 'default' }))).taskArns, []);
    const lease = await berth.server.store.read((tx) => tx.leases.get('service-scheduler'));
    assert.ok(lease, 'the restarted controller took the lease anew');

    await tasks.register(definition('service again'));
    await create();
    const again = await eventually(serviceTask, 20_000, 'the new service to launch a task');
    await tasks.until(again, 'RUNNING');
    assert.deepEqual(await containerCommand(ecs, again), ['sh', '-c', 'echo service again; exec sleep 600']);
  });
});
