import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  ListClustersCommand,
  PutClusterCapacityProvidersCommand,
  UpdateClusterCommand,
  UpdateClusterSettingsCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { rejects } from '../helpers/assertions.js';

describe('clusters', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  before(async () => {
    berth = await startBerth();
    ecs = berth.ecs();
  });
  after(async () => berth.close());

  it('creates a cluster with ECS defaults and the long ARN', async () => {
    const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: 'dev', tags: [{ key: 'team', value: 'core' }] }));
    assert.equal(cluster?.clusterArn, 'arn:aws:ecs:us-east-1:000000000000:cluster/dev');
    assert.equal(cluster?.status, 'ACTIVE');
    assert.equal(cluster?.registeredContainerInstancesCount, 0);
    assert.equal(cluster?.runningTasksCount, 0);
    assert.equal(cluster?.pendingTasksCount, 0);
    assert.equal(cluster?.activeServicesCount, 0);
    assert.deepEqual(cluster?.settings, [{ name: 'containerInsights', value: 'disabled' }]);
    assert.deepEqual(cluster?.tags, [{ key: 'team', value: 'core' }]);
  });

  it('creates "default" when no name is given, and answers a repeated create with the same cluster', async () => {
    const first = await ecs.send(new CreateClusterCommand({}));
    assert.equal(first.cluster?.clusterName, 'default');
    const again = await ecs.send(new CreateClusterCommand({ clusterName: 'dev' }));
    assert.deepEqual(again.cluster?.tags, [{ key: 'team', value: 'core' }]);
  });

  it('describes by name and ARN, reports missing ones as failures, and honours include', async () => {
    const result = await ecs.send(
      new DescribeClustersCommand({ clusters: ['dev', 'arn:aws:ecs:us-east-1:000000000000:cluster/default', 'ghost'] }),
    );
    assert.deepEqual(result.clusters?.map((cluster) => cluster.clusterName), ['dev', 'default']);
    assert.deepEqual(result.failures, [{ arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/ghost', reason: 'MISSING' }]);
    assert.equal(result.clusters?.[0]?.tags, undefined);
    const withTags = await ecs.send(new DescribeClustersCommand({ clusters: ['dev'], include: ['TAGS', 'SETTINGS'] }));
    assert.deepEqual(withTags.clusters?.[0]?.tags, [{ key: 'team', value: 'core' }]);
    assert.ok(withTags.clusters?.[0]?.settings);
    const defaultOnly = await ecs.send(new DescribeClustersCommand({}));
    assert.equal(defaultOnly.clusters?.[0]?.clusterName, 'default');
  });

  it('lists clusters with pagination', async () => {
    for (const name of ['p1', 'p2', 'p3']) await ecs.send(new CreateClusterCommand({ clusterName: name }));
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await ecs.send(new ListClustersCommand({ maxResults: 2, ...(nextToken ? { nextToken } : {}) }));
      seen.push(...(page.clusterArns ?? []));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    assert.equal(pages, 3);
    assert.deepEqual(seen.map((arn) => arn.split('/').pop()), ['dev', 'default', 'p1', 'p2', 'p3']);
    await rejects(ecs.send(new ListClustersCommand({ maxResults: 101 })), 'InvalidParameterException', /maxResults/);
    await rejects(ecs.send(new ListClustersCommand({ nextToken: 'garbage' })), 'InvalidParameterException', /nextToken/);
  });

  it('rejects invalid names and tags, naming the field, and stores nothing', async () => {
    await rejects(ecs.send(new CreateClusterCommand({ clusterName: 'bad name!' })), 'InvalidParameterException', /clusterName/);
    await rejects(ecs.send(new CreateClusterCommand({ clusterName: 'x'.repeat(256) })), 'InvalidParameterException', /clusterName/);
    await rejects(
      ecs.send(new CreateClusterCommand({ clusterName: 'tagged', tags: [{ key: 'aws:reserved', value: 'x' }] })),
      'InvalidParameterException',
      /tags\[0\]\.key/,
    );
    await rejects(
      ecs.send(new CreateClusterCommand({ clusterName: 'tagged', settings: [{ name: 'containerInsights', value: 'sometimes' }] })),
      'InvalidParameterException',
      /settings\[0\]\.value/,
    );
    const described = await ecs.send(new DescribeClustersCommand({ clusters: ['tagged'] }));
    assert.equal(described.clusters?.length, 0);
  });

  it('updates settings and capacity providers', async () => {
    const updated = await ecs.send(new UpdateClusterSettingsCommand({ cluster: 'dev', settings: [{ name: 'containerInsights', value: 'enabled' }] }));
    assert.deepEqual(updated.cluster?.settings, [{ name: 'containerInsights', value: 'enabled' }]);
    const viaUpdate = await ecs.send(new UpdateClusterCommand({ cluster: 'dev', settings: [{ name: 'containerInsights', value: 'enhanced' }] }));
    assert.deepEqual(viaUpdate.cluster?.settings, [{ name: 'containerInsights', value: 'enhanced' }]);
    const providers = await ecs.send(
      new PutClusterCapacityProvidersCommand({
        cluster: 'dev',
        capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
        defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }],
      }),
    );
    assert.deepEqual(providers.cluster?.capacityProviders, ['FARGATE', 'FARGATE_SPOT']);
    assert.deepEqual(providers.cluster?.defaultCapacityProviderStrategy, [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }]);
    await rejects(
      ecs.send(
        new PutClusterCapacityProvidersCommand({
          cluster: 'dev',
          capacityProviders: ['FARGATE'],
          defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
        }),
      ),
      'InvalidParameterException',
      /not associated with the cluster/,
    );
    await rejects(
      ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'dev', capacityProviders: ['my-asg'], defaultCapacityProviderStrategy: [] })),
      'InvalidParameterException',
      /my-asg/,
    );
    await rejects(
      ecs.send(new UpdateClusterSettingsCommand({ cluster: 'nope', settings: [{ name: 'containerInsights', value: 'enabled' }] })),
      'ClusterNotFoundException',
    );
  });

  it('deletes a cluster: INACTIVE, still describable, no longer listed, and re-creatable', async () => {
    const deleted = await ecs.send(new DeleteClusterCommand({ cluster: 'p3' }));
    assert.equal(deleted.cluster?.status, 'INACTIVE');
    const described = await ecs.send(new DescribeClustersCommand({ clusters: ['p3'] }));
    assert.equal(described.clusters?.[0]?.status, 'INACTIVE');
    const listed = await ecs.send(new ListClustersCommand({}));
    assert.ok(!listed.clusterArns?.some((arn) => arn.endsWith('/p3')));
    await rejects(ecs.send(new DeleteClusterCommand({ cluster: 'p3' })), 'ClusterNotFoundException');
    const recreated = await ecs.send(new CreateClusterCommand({ clusterName: 'p3' }));
    assert.equal(recreated.cluster?.status, 'ACTIVE');
  });
});
