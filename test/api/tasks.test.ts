import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  PutClusterCapacityProvidersCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StartTaskCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { registerInstance } from '../helpers/instances.js';

const remaining = (instance: { remainingResources?: { name?: string; integerValue?: number; stringSetValue?: string[] }[] }, name: string) =>
  instance.remainingResources?.find((resource) => resource.name === name);

describe('tasks', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  const instances: Record<string, string> = {};

  before(async () => {
    berth = await startBerth();
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'run' }));
    for (const [name, az] of [['a', 'us-east-1a'], ['b', 'us-east-1b'], ['c', 'us-east-1c']] as const) {
      const instance = await registerInstance(ecs, { cluster: 'run', availabilityZone: az, cpu: 4096, memory: 8192, attributes: [{ name: 'tier', value: name === 'c' ? 'gpu' : 'std' }] });
      instances[name] = instance.containerInstanceArn!;
    }
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        containerDefinitions: [{ name: 'web', image: 'busybox', cpu: 256, memory: 512, portMappings: [{ containerPort: 80, hostPort: 8080 }] }],
      }),
    );
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'worker', containerDefinitions: [{ name: 'w', image: 'busybox', cpu: 100, memory: 100 }] }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'fg',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'app', image: 'busybox' }],
      }),
    );
  });
  after(async () => berth.close());

  it('runs tasks onto instances, reserving cpu, memory and host ports exactly', async () => {
    const ran = await ecs.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'web', count: 3, startedBy: 'test', tags: [{ key: 'k', value: 'v' }] }));
    assert.equal(ran.tasks?.length, 3);
    assert.deepEqual(ran.failures, []);
    const hosts = new Set(ran.tasks?.map((task) => task.containerInstanceArn));
    assert.equal(hosts.size, 3, 'static host port 8080 forces one task per instance');
    for (const task of ran.tasks ?? []) {
      assert.match(task.taskArn ?? '', /^arn:aws:ecs:us-east-1:000000000000:task\/run\/[0-9a-f]{32}$/);
      assert.equal(task.lastStatus, 'PENDING');
      assert.equal(task.desiredStatus, 'RUNNING');
      assert.equal(task.launchType, 'EC2');
      assert.equal(task.group, 'family:web');
      assert.equal(task.startedBy, 'test');
      assert.equal(task.cpu, '256');
      assert.equal(task.memory, '512');
      assert.ok(task.createdAt instanceof Date);
      assert.equal(task.containers?.[0]?.lastStatus, 'PENDING');
      assert.ok(task.availabilityZone?.startsWith('us-east-1'));
    }
    const described = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'run', containerInstances: Object.values(instances) }));
    for (const instance of described.containerInstances ?? []) {
      assert.equal(remaining(instance, 'CPU')?.integerValue, 4096 - 256);
      assert.equal(remaining(instance, 'MEMORY')?.integerValue, 8192 - 512);
      assert.ok(remaining(instance, 'PORTS')?.stringSetValue?.includes('8080'));
      assert.equal(instance.pendingTasksCount, 1);
    }
    const cluster = await ecs.send(new DescribeClustersCommand({ clusters: ['run'] }));
    assert.equal(cluster.clusters?.[0]?.pendingTasksCount, 3);
  });

  it('reports failures with ECS reasons when nothing fits', async () => {
    const ran = await ecs.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'web', count: 1 }));
    assert.equal(ran.tasks?.length, 0);
    assert.equal(ran.failures?.length, 1);
    assert.equal(ran.failures?.[0]?.reason, 'RESOURCE:PORTS');
    assert.ok(Object.values(instances).includes(ran.failures?.[0]?.arn ?? ''));
    const tooBig = await ecs.send(
      new RunTaskCommand({ cluster: 'run', taskDefinition: 'worker', count: 1, overrides: { containerOverrides: [{ name: 'w', memory: 100000 }] } }),
    );
    assert.equal(tooBig.failures?.[0]?.reason, 'RESOURCE:MEMORY');
  });

  it('honours memberOf constraints and the definition-independent distinctInstance', async () => {
    const onGpu = await ecs.send(
      new RunTaskCommand({
        cluster: 'run',
        taskDefinition: 'worker',
        count: 2,
        placementConstraints: [{ type: 'memberOf', expression: 'attribute:tier == gpu' }],
      }),
    );
    assert.deepEqual(onGpu.tasks?.map((task) => task.containerInstanceArn), [instances.c, instances.c]);
    const distinct = await ecs.send(
      new RunTaskCommand({ cluster: 'run', taskDefinition: 'worker', count: 4, group: 'spread-me', placementConstraints: [{ type: 'distinctInstance' }] }),
    );
    assert.equal(distinct.tasks?.length, 3);
    assert.equal(new Set(distinct.tasks?.map((task) => task.containerInstanceArn)).size, 3);
    assert.equal(distinct.failures?.[0]?.reason, 'DistinctInstance placement constraint unsatisfied.');
    await rejects(
      ecs.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'worker', placementConstraints: [{ type: 'memberOf', expression: 'attribute:tier ==' }] })),
      'InvalidParameterException',
    );
  });

  it('spreads across availability zones and binpacks on memory', async () => {
    const spread = await ecs.send(
      new RunTaskCommand({
        cluster: 'run',
        taskDefinition: 'worker',
        count: 3,
        group: 'az-spread',
        placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
      }),
    );
    assert.equal(new Set(spread.tasks?.map((task) => task.availabilityZone)).size, 3);
    const packed = await ecs.send(
      new RunTaskCommand({ cluster: 'run', taskDefinition: 'worker', count: 2, group: 'packed', placementStrategy: [{ type: 'binpack', field: 'memory' }] }),
    );
    assert.equal(new Set(packed.tasks?.map((task) => task.containerInstanceArn)).size, 1, 'binpack fills the fullest instance first');
  });

  it('excludes DRAINING instances', async () => {
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'run', containerInstances: [instances.a!, instances.b!], status: 'DRAINING' }));
    const ran = await ecs.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'worker', count: 2, group: 'drain-test' }));
    assert.deepEqual(ran.tasks?.map((task) => task.containerInstanceArn), [instances.c, instances.c]);
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'run', containerInstances: [instances.a!, instances.b!], status: 'ACTIVE' }));
  });

  it('is idempotent per clientToken', async () => {
    const first = await ecs.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'worker', clientToken: 'token-1', group: 'idem' }));
    const again = await ecs.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'worker', clientToken: 'token-1', group: 'idem' }));
    assert.equal(again.tasks?.[0]?.taskArn, first.tasks?.[0]?.taskArn);
    const listed = await ecs.send(new ListTasksCommand({ cluster: 'run', startedBy: undefined, family: 'worker' }));
    assert.equal(listed.taskArns?.filter((arn) => arn === first.tasks?.[0]?.taskArn).length, 1);
    await rejects(
      ecs.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'worker', clientToken: 'token-1', group: 'other' })),
      'InvalidParameterException',
      /clientToken/,
    );
  });

  it('starts a task on a named instance with StartTask', async () => {
    const started = await ecs.send(new StartTaskCommand({ cluster: 'run', taskDefinition: 'worker', containerInstances: [instances.b!, 'f'.repeat(32)] }));
    assert.equal(started.tasks?.[0]?.containerInstanceArn, instances.b);
    assert.equal(started.failures?.[0]?.reason, 'MISSING');
  });

  it('runs Fargate tasks without container instances, splitting by capacity provider strategy', async () => {
    await rejects(ecs.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'fg', launchType: 'FARGATE' })), 'InvalidParameterException', /Network Configuration/);
    await rejects(ecs.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'worker', launchType: 'FARGATE' })), 'InvalidParameterException', /FARGATE/);
    const network = { awsvpcConfiguration: { subnets: ['subnet-local'], assignPublicIp: 'ENABLED' as const } };
    const ran = await ecs.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'fg', launchType: 'FARGATE', networkConfiguration: network }));
    assert.equal(ran.tasks?.[0]?.launchType, 'FARGATE');
    assert.equal(ran.tasks?.[0]?.lastStatus, 'PROVISIONING');
    assert.equal(ran.tasks?.[0]?.containerInstanceArn, undefined);
    assert.equal(ran.tasks?.[0]?.platformVersion, '1.4.0');
    await ecs.send(
      new PutClusterCapacityProvidersCommand({ cluster: 'run', capacityProviders: ['FARGATE', 'FARGATE_SPOT'], defaultCapacityProviderStrategy: [] }),
    );
    const split = await ecs.send(
      new RunTaskCommand({
        cluster: 'run',
        taskDefinition: 'fg',
        count: 6,
        networkConfiguration: network,
        capacityProviderStrategy: [
          { capacityProvider: 'FARGATE', base: 2, weight: 1 },
          { capacityProvider: 'FARGATE_SPOT', weight: 3 },
        ],
      }),
    );
    const providers = split.tasks?.map((task) => task.capacityProviderName) ?? [];
    assert.equal(providers.filter((name) => name === 'FARGATE').length, 3);
    assert.equal(providers.filter((name) => name === 'FARGATE_SPOT').length, 3);
    await rejects(
      ecs.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'fg', launchType: 'FARGATE', capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }], networkConfiguration: network })),
      'InvalidParameterException',
      /both/,
    );
  });

  it('describes, lists with filters, and stops tasks', async () => {
    const all = await ecs.send(new ListTasksCommand({ cluster: 'run' }));
    const byFamily = await ecs.send(new ListTasksCommand({ cluster: 'run', family: 'web' }));
    assert.equal(byFamily.taskArns?.length, 3);
    const byInstance = await ecs.send(new ListTasksCommand({ cluster: 'run', containerInstance: instances.c }));
    assert.ok((byInstance.taskArns?.length ?? 0) >= 4);
    const byStarter = await ecs.send(new ListTasksCommand({ cluster: 'run', startedBy: 'test' }));
    assert.equal(byStarter.taskArns?.length, 3);
    const fargate = await ecs.send(new ListTasksCommand({ cluster: 'run', launchType: 'FARGATE' }));
    assert.equal(fargate.taskArns?.length, 7);
    const target = byFamily.taskArns![0]!;
    const stopped = await ecs.send(new StopTaskCommand({ cluster: 'run', task: target.split('/').pop()!, reason: 'testing' }));
    assert.equal(stopped.task?.desiredStatus, 'STOPPED');
    assert.equal(stopped.task?.stoppedReason, 'testing');
    assert.equal(stopped.task?.stopCode, 'UserInitiated');
    const stillRunning = await ecs.send(new ListTasksCommand({ cluster: 'run', family: 'web' }));
    assert.equal(stillRunning.taskArns?.length, 2);
    const stoppedList = await ecs.send(new ListTasksCommand({ cluster: 'run', family: 'web', desiredStatus: 'STOPPED' }));
    assert.deepEqual(stoppedList.taskArns, [target]);
    const described = await ecs.send(new DescribeTasksCommand({ cluster: 'run', tasks: [target, 'f'.repeat(32)], include: ['TAGS'] }));
    assert.deepEqual(described.tasks?.[0]?.tags, [{ key: 'k', value: 'v' }]);
    assert.equal(described.failures?.[0]?.reason, 'MISSING');
    assert.ok((all.taskArns?.length ?? 0) > 10);
    await rejects(ecs.send(new StopTaskCommand({ cluster: 'run', task: 'f'.repeat(32) })), 'InvalidParameterException', /not found/);
  });

  it('validates RunTask input, naming the field', async () => {
    await rejects(ecs.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'worker', count: 11 })), 'InvalidParameterException', /count/);
    await rejects(ecs.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'nope:1' })), 'ClientException', /nope/);
    await rejects(ecs.send(new RunTaskCommand({ cluster: 'ghost', taskDefinition: 'worker' })), 'ClusterNotFoundException');
    // Input is checked before any cluster is looked up.
    await rejects(
      ecs.send(new RunTaskCommand({ cluster: 'ghost', taskDefinition: 'worker', launchType: 'BOGUS' as 'EC2' })),
      'InvalidParameterException',
      /launchType/,
    );
    await rejects(
      ecs.send(new RunTaskCommand({ cluster: 'ghost', taskDefinition: 'worker', launchType: 'EC2', capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] })),
      'InvalidParameterException',
      /^Specifying both a launchType and capacityProviderStrategy is not supported\.$/,
    );
    await rejects(ecs.send(new DescribeTasksCommand({ cluster: 'ghost', tasks: [] })), 'InvalidParameterException', /^Tasks cannot be empty\.$/);
    await rejects(
      ecs.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'worker', overrides: { containerOverrides: [{ name: 'missing' }] } })),
      'InvalidParameterException',
      /missing/,
    );
    await rejects(
      ecs.send(new RunTaskCommand({ cluster: 'run', taskDefinition: 'worker', placementStrategy: [{ type: 'binpack', field: 'disk' }] })),
      'InvalidParameterException',
    );
    await ecs.send(new CreateClusterCommand({ clusterName: 'empty' }));
    await rejects(ecs.send(new RunTaskCommand({ cluster: 'empty', taskDefinition: 'worker' })), 'InvalidParameterException', /No Container Instances/);
  });

  it('refuses to delete a cluster with active tasks', async () => {
    await rejects(ecs.send(new DeleteClusterCommand({ cluster: 'run' })), 'ClusterContainsContainerInstancesException');
  });
});
