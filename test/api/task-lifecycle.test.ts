import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DeregisterContainerInstanceCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  SubmitContainerStateChangeCommand,
  SubmitTaskStateChangeCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { registerInstance } from '../helpers/instances.js';

describe('the task lifecycle as agents report it', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  let instanceArn: string;
  const remaining = async () => {
    const described = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'life', containerInstances: [instanceArn] }));
    const resources = described.containerInstances?.[0]?.remainingResources ?? [];
    return {
      cpu: resources.find((r) => r.name === 'CPU')?.integerValue,
      memory: resources.find((r) => r.name === 'MEMORY')?.integerValue,
      ports: resources.find((r) => r.name === 'PORTS')?.stringSetValue,
    };
  };

  before(async () => {
    berth = await startBerth();
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'life' }));
    instanceArn = (await registerInstance(ecs, { cluster: 'life', cpu: 2048, memory: 4096, ports: ['22'] })).containerInstanceArn!;
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'svc',
        containerDefinitions: [
          { name: 'web', image: 'busybox', cpu: 512, memory: 1024, portMappings: [{ containerPort: 80, hostPort: 8080 }] },
          { name: 'side', image: 'busybox', cpu: 128, memoryReservation: 64, memory: 512 },
        ],
      }),
    );
  });
  after(async () => berth.close());

  it('keeps remainingResources exact as tasks come and go', async () => {
    assert.deepEqual(await remaining(), { cpu: 2048, memory: 4096, ports: ['22'] });
    const ran = await ecs.send(new RunTaskCommand({ cluster: 'life', taskDefinition: 'svc' }));
    const task = ran.tasks![0]!.taskArn!;
    assert.deepEqual(await remaining(), { cpu: 2048 - 640, memory: 4096 - 1024 - 64, ports: ['22', '8080'] });

    await ecs.send(
      new SubmitTaskStateChangeCommand({
        cluster: 'life',
        task,
        status: 'RUNNING',
        pullStartedAt: new Date(Date.now() - 2000),
        pullStoppedAt: new Date(Date.now() - 1000),
        containers: [
          { containerName: 'web', status: 'RUNNING', runtimeId: 'abc123' },
          { containerName: 'side', status: 'RUNNING' },
        ],
      }),
    );
    let described = (await ecs.send(new DescribeTasksCommand({ cluster: 'life', tasks: [task] }))).tasks![0]!;
    assert.equal(described.lastStatus, 'RUNNING');
    assert.ok(described.startedAt instanceof Date);
    assert.ok(described.pullStartedAt instanceof Date);
    assert.equal(described.containers?.find((c) => c.name === 'web')?.runtimeId, 'abc123');
    const cluster = await ecs.send(new DescribeClustersCommand({ clusters: ['life'] }));
    assert.equal(cluster.clusters?.[0]?.runningTasksCount, 1);
    assert.equal(cluster.clusters?.[0]?.pendingTasksCount, 0);

    // A late PENDING report never moves the task back.
    await ecs.send(new SubmitTaskStateChangeCommand({ cluster: 'life', task, status: 'PENDING' }));
    described = (await ecs.send(new DescribeTasksCommand({ cluster: 'life', tasks: [task] }))).tasks![0]!;
    assert.equal(described.lastStatus, 'RUNNING');

    await ecs.send(new StopTaskCommand({ cluster: 'life', task, reason: 'deploy' }));
    assert.deepEqual(await remaining(), { cpu: 2048 - 640, memory: 4096 - 1024 - 64, ports: ['22', '8080'] }, 'a stopping task still holds its resources');
    await ecs.send(new SubmitContainerStateChangeCommand({ cluster: 'life', task, containerName: 'web', status: 'STOPPED', exitCode: 143 }));
    await ecs.send(new SubmitTaskStateChangeCommand({ cluster: 'life', task, status: 'STOPPED', containers: [{ containerName: 'side', status: 'STOPPED', exitCode: 0 }] }));
    described = (await ecs.send(new DescribeTasksCommand({ cluster: 'life', tasks: [task] }))).tasks![0]!;
    assert.equal(described.lastStatus, 'STOPPED');
    assert.equal(described.stopCode, 'UserInitiated');
    assert.equal(described.stoppedReason, 'deploy');
    assert.ok(described.stoppedAt instanceof Date);
    assert.deepEqual(described.containers?.map((c) => [c.name, c.lastStatus, c.exitCode]).sort(), [['side', 'STOPPED', 0], ['web', 'STOPPED', 143]]);
    assert.deepEqual(await remaining(), { cpu: 2048, memory: 4096, ports: ['22'] });

    // A repeated STOPPED report does not give the resources back twice.
    await ecs.send(new SubmitTaskStateChangeCommand({ cluster: 'life', task, status: 'STOPPED' }));
    assert.deepEqual(await remaining(), { cpu: 2048, memory: 4096, ports: ['22'] });
  });

  it('records why a task stopped on its own', async () => {
    const ran = await ecs.send(new RunTaskCommand({ cluster: 'life', taskDefinition: 'svc' }));
    const task = ran.tasks![0]!.taskArn!;
    await ecs.send(new SubmitTaskStateChangeCommand({ cluster: 'life', task, status: 'STOPPED', reason: 'CannotPullContainerError: no such image' }));
    const described = (await ecs.send(new DescribeTasksCommand({ cluster: 'life', tasks: [task] }))).tasks![0]!;
    assert.equal(described.desiredStatus, 'STOPPED');
    assert.equal(described.stopCode, 'TaskFailedToStart');
    assert.equal(described.stoppedReason, 'CannotPullContainerError: no such image');
  });

  it('validates reports', async () => {
    await rejects(ecs.send(new SubmitTaskStateChangeCommand({ cluster: 'life', task: 'f'.repeat(32), status: 'RUNNING' })), 'InvalidParameterException', /not found/);
    const ran = await ecs.send(new RunTaskCommand({ cluster: 'life', taskDefinition: 'svc' }));
    const task = ran.tasks![0]!.taskArn!;
    await rejects(ecs.send(new SubmitTaskStateChangeCommand({ cluster: 'life', task, status: 'FLYING' })), 'InvalidParameterException', /status/);
    await rejects(
      ecs.send(new SubmitContainerStateChangeCommand({ cluster: 'life', task, containerName: 'ghost', status: 'RUNNING' })),
      'InvalidParameterException',
      /ghost/,
    );
    await ecs.send(new SubmitTaskStateChangeCommand({ cluster: 'life', task, status: 'STOPPED' }));
  });

  it('lets the cluster go once its tasks have stopped and its instances left', async () => {
    await ecs.send(new DeregisterContainerInstanceCommand({ cluster: 'life', containerInstance: instanceArn }));
    const deleted = await ecs.send(new DeleteClusterCommand({ cluster: 'life' }));
    assert.equal(deleted.cluster?.status, 'INACTIVE');
  });
});
