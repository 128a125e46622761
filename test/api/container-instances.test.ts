import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DeregisterContainerInstanceCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DiscoverPollEndpointCommand,
  ListContainerInstancesCommand,
  RegisterContainerInstanceCommand,
  UpdateContainerInstancesStateCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { registerInstance } from '../helpers/instances.js';

describe('container instances', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  before(async () => {
    berth = await startBerth();
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'ci' }));
  });
  after(async () => berth.close());

  it('registers an instance with its resources, attributes and version info', async () => {
    const instance = await registerInstance(ecs, {
      cluster: 'ci',
      instanceId: 'i-0123456789abcdef0',
      availabilityZone: 'us-east-1b',
      cpu: 4096,
      memory: 7680,
      attributes: [{ name: 'stack', value: 'prod' }],
    });
    assert.match(instance.containerInstanceArn ?? '', /^arn:aws:ecs:us-east-1:000000000000:container-instance\/ci\/[0-9a-f]{32}$/);
    assert.equal(instance.ec2InstanceId, 'i-0123456789abcdef0');
    assert.equal(instance.status, 'ACTIVE');
    assert.equal(instance.agentConnected, true);
    assert.equal(instance.registeredResources?.find((r) => r.name === 'CPU')?.integerValue, 4096);
    assert.equal(instance.remainingResources?.find((r) => r.name === 'MEMORY')?.integerValue, 7680);
    const attributes = Object.fromEntries((instance.attributes ?? []).map((a) => [a.name, a.value]));
    assert.equal(attributes['ecs.availability-zone'], 'us-east-1b');
    assert.equal(attributes['ecs.instance-type'], 't3.large');
    assert.equal(attributes['ecs.os-type'], 'linux');
    assert.equal(attributes.stack, 'prod');
    assert.equal(instance.versionInfo?.agentVersion, '1.80.0');
    const cluster = await ecs.send(new DescribeClustersCommand({ clusters: ['ci'] }));
    assert.equal(cluster.clusters?.[0]?.registeredContainerInstancesCount, 1);
  });

  it('takes ecs.ami-id from the identity document, and has none for a host with no AMI', async () => {
    const register = (document: Record<string, string>) =>
      ecs.send(
        new RegisterContainerInstanceCommand({
          cluster: 'poll',
          instanceIdentityDocument: JSON.stringify(document),
          totalResources: [
            { name: 'CPU', type: 'INTEGER', integerValue: 1024 },
            { name: 'MEMORY', type: 'INTEGER', integerValue: 2048 },
          ],
        }),
      );
    await ecs.send(new CreateClusterCommand({ clusterName: 'poll' }));
    const ec2 = await register({ instanceId: 'i-0aaaaaaaaaaaaaami', imageId: 'ami-0abcdef1234567890', availabilityZone: 'us-east-1a' });
    const attributes = ec2.containerInstance?.attributes ?? [];
    assert.deepEqual(attributes.filter((a) => a.name === 'ecs.ami-id'), [{ name: 'ecs.ami-id', value: 'ami-0abcdef1234567890' }]);
    const host = await register({ instanceId: 'i-0aaaaaaaaaaanoami' });
    assert.equal(host.containerInstance?.attributes?.find((a) => a.name === 'ecs.ami-id'), undefined);
  });

  it('re-registering the same EC2 instance keeps its ARN', async () => {
    const first = await registerInstance(ecs, { cluster: 'ci', instanceId: 'i-aaaaaaaaaaaaaaaa1' });
    const second = await registerInstance(ecs, { cluster: 'ci', instanceId: 'i-aaaaaaaaaaaaaaaa1', cpu: 1024 });
    assert.equal(second.containerInstanceArn, first.containerInstanceArn);
    assert.equal(second.registeredResources?.find((r) => r.name === 'CPU')?.integerValue, 1024);
  });

  it('tells an agent where its channel is: DiscoverPollEndpoint answers the control plane\'s URL', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'poll' }));
    const instance = await registerInstance(ecs, { cluster: 'poll', instanceId: 'i-0000000000000poll' });
    const found = await ecs.send(new DiscoverPollEndpointCommand({ cluster: 'poll', containerInstance: instance.containerInstanceArn }));
    assert.equal(found.endpoint, `${berth.url}/`);
    assert.equal(found.telemetryEndpoint, `${berth.url}/`);
    assert.equal(found.serviceConnectEndpoint, undefined);
    // The agent channel is there: its route answers (a plain GET is refused for not being a WebSocket upgrade, not unknown).
    const channel = await fetch(new URL('_berth/agent', found.endpoint));
    assert.notEqual(channel.status, 404);
    await rejects(ecs.send(new DiscoverPollEndpointCommand({ cluster: 'ghost' })), 'ClusterNotFoundException');
    await rejects(
      ecs.send(new DiscoverPollEndpointCommand({ cluster: 'poll', containerInstance: 'f'.repeat(32) })),
      'InvalidParameterException',
      /containerInstance 'f{32}' is not a registered container instance/,
    );
  });

  it('describes by id and ARN, with MISSING failures', async () => {
    const listed = await ecs.send(new ListContainerInstancesCommand({ cluster: 'ci' }));
    const arn = listed.containerInstanceArns![0]!;
    const id = arn.split('/').pop()!;
    const described = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'ci', containerInstances: [id, arn, 'f'.repeat(32)] }));
    assert.equal(described.containerInstances?.length, 2);
    assert.equal(described.containerInstances?.[0]?.runningTasksCount, 0);
    assert.equal(described.failures?.[0]?.reason, 'MISSING');
    await rejects(ecs.send(new DescribeContainerInstancesCommand({ cluster: 'nope', containerInstances: [id] })), 'ClusterNotFoundException');
  });

  it('filters the list with the cluster query language and pages it', async () => {
    await registerInstance(ecs, { cluster: 'ci', availabilityZone: 'us-east-1c', instanceType: 'm5.xlarge' });
    const inB = await ecs.send(new ListContainerInstancesCommand({ cluster: 'ci', filter: 'attribute:ecs.availability-zone == us-east-1b' }));
    assert.equal(inB.containerInstanceArns?.length, 1);
    const m5 = await ecs.send(new ListContainerInstancesCommand({ cluster: 'ci', filter: 'attribute:ecs.instance-type =~ m5.*' }));
    assert.equal(m5.containerInstanceArns?.length, 1);
    const notB = await ecs.send(
      new ListContainerInstancesCommand({ cluster: 'ci', filter: 'not(attribute:ecs.availability-zone == us-east-1b)', maxResults: 1 }),
    );
    assert.equal(notB.containerInstanceArns?.length, 1);
    assert.ok(notB.nextToken);
    const rest = await ecs.send(
      new ListContainerInstancesCommand({ cluster: 'ci', filter: 'not(attribute:ecs.availability-zone == us-east-1b)', nextToken: notB.nextToken }),
    );
    assert.equal(rest.containerInstanceArns?.length, 1);
    assert.notEqual(rest.containerInstanceArns?.[0], notB.containerInstanceArns?.[0]);
    await rejects(ecs.send(new ListContainerInstancesCommand({ cluster: 'ci', filter: 'attribute:ecs.os-type ==' })), 'InvalidParameterException', /filter/);
  });

  it('drains and reactivates instances; DRAINING filters the list', async () => {
    const listed = await ecs.send(new ListContainerInstancesCommand({ cluster: 'ci' }));
    const [first] = listed.containerInstanceArns!;
    const drained = await ecs.send(
      new UpdateContainerInstancesStateCommand({ cluster: 'ci', containerInstances: [first!, 'f'.repeat(32)], status: 'DRAINING' }),
    );
    assert.equal(drained.containerInstances?.[0]?.status, 'DRAINING');
    assert.equal(drained.failures?.[0]?.reason, 'MISSING');
    const draining = await ecs.send(new ListContainerInstancesCommand({ cluster: 'ci', status: 'DRAINING' }));
    assert.deepEqual(draining.containerInstanceArns, [first]);
    await rejects(
      ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'ci', containerInstances: [first!], status: 'INACTIVE' as 'ACTIVE' })),
      'InvalidParameterException',
      /status/,
    );
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'ci', containerInstances: [first!], status: 'ACTIVE' }));
  });

  it('rejects malformed registrations naming the field', async () => {
    await rejects(
      ecs.send(new RegisterContainerInstanceCommand({ cluster: 'ci', instanceIdentityDocument: '{not json' })),
      'InvalidParameterException',
      /instanceIdentityDocument/,
    );
    await rejects(
      ecs.send(new RegisterContainerInstanceCommand({ cluster: 'ci', totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: -5 }] })),
      'InvalidParameterException',
      /totalResources\[0\]/,
    );
    await rejects(
      ecs.send(new RegisterContainerInstanceCommand({ cluster: 'ci', attributes: [{ name: 'bad name with spaces' }] })),
      'InvalidParameterException',
      /attributes\[0\]\.name/,
    );
    const totals = [
      { name: 'CPU', type: 'INTEGER', integerValue: 1024 },
      { name: 'MEMORY', type: 'INTEGER', integerValue: 2048 },
    ];
    await rejects(ecs.send(new RegisterContainerInstanceCommand({ cluster: 'ghost', totalResources: totals })), 'ClusterNotFoundException');
  });

  it('refuses a registration that says nothing of the instance, before looking at any cluster', async () => {
    // An empty body: no cluster named (so 'default'), no resources. Nothing is registered anywhere.
    await rejects(ecs.send(new RegisterContainerInstanceCommand({})), 'InvalidParameterException', /^totalResources must include CPU\.$/);
    await rejects(
      ecs.send(new RegisterContainerInstanceCommand({ cluster: 'ghost', totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 1024 }] })),
      'InvalidParameterException',
      /^totalResources must include MEMORY\.$/,
    );
  });

  it('answers an empty list to describe in ECS\'s words, before looking up the cluster', async () => {
    await assert.rejects(ecs.send(new DescribeContainerInstancesCommand({ cluster: 'ghost', containerInstances: [] })), (error: Error & { berthHelp?: { field?: string } }) => {
      assert.equal(error.name, 'ClientException');
      assert.equal(error.message, 'Container Instances cannot be empty.');
      assert.equal(error.berthHelp?.field, 'containerInstances');
      return true;
    });
  });

  it('refuses to delete a cluster holding instances, and deregisters them', async () => {
    await rejects(ecs.send(new DeleteClusterCommand({ cluster: 'ci' })), 'ClusterContainsContainerInstancesException');
    const listed = await ecs.send(new ListContainerInstancesCommand({ cluster: 'ci' }));
    for (const arn of listed.containerInstanceArns ?? []) {
      const result = await ecs.send(new DeregisterContainerInstanceCommand({ cluster: 'ci', containerInstance: arn }));
      assert.equal(result.containerInstance?.status, 'INACTIVE');
    }
    const after = await ecs.send(new ListContainerInstancesCommand({ cluster: 'ci' }));
    assert.deepEqual(after.containerInstanceArns, []);
    const deleted = await ecs.send(new DeleteClusterCommand({ cluster: 'ci' }));
    assert.equal(deleted.cluster?.status, 'INACTIVE');
  });
});
