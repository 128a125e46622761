import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateClusterCommand, DescribeClustersCommand, ListClustersCommand, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { registerInstance } from '../helpers/instances.js';
import { signedFetch } from '../../src/cli/signed-fetch.js';

describe('persistence and reset', () => {
  let berth: TestBerth;
  before(async () => {
    berth = await startBerth();
  });
  after(async () => berth.close());

  it('keeps everything across a restart', async () => {
    const ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'kept', tags: [{ key: 'k', value: 'v' }] }));
    const instance = await registerInstance(ecs, { cluster: 'kept' });
    await berth.stop();
    await berth.restart();
    const again = berth.ecs();
    const clusters = await again.send(new DescribeClustersCommand({ clusters: ['kept'], include: ['TAGS'] }));
    assert.equal(clusters.clusters?.[0]?.status, 'ACTIVE');
    assert.deepEqual(clusters.clusters?.[0]?.tags, [{ key: 'k', value: 'v' }]);
    assert.equal(clusters.clusters?.[0]?.registeredContainerInstancesCount, 1);
    const instances = await again.send(new ListContainerInstancesCommand({ cluster: 'kept' }));
    assert.deepEqual(instances.containerInstanceArns, [instance.containerInstanceArn]);
  });

  it('keeps generated root credentials in the data directory across restarts', async () => {
    const generated = await startBerth({ rootAccessKeyId: undefined, rootSecretAccessKey: undefined });
    try {
      const first = generated.server.credentials;
      assert.match(first.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
      assert.equal(generated.server.createdCredentials, true);
      await generated.stop();
      await generated.restart();
      assert.equal(generated.server.createdCredentials, false);
      assert.equal(generated.server.credentials.accessKeyId, first.accessKeyId);
      const ecs = generated.ecs('us-east-1', first);
      await ecs.send(new ListClustersCommand({}));
    } finally {
      await generated.close();
    }
  });

  it('resets all state only for root credentials', async () => {
    const response = await signedFetch(berth.url, '/_berth/reset', { credentials: { accessKeyId: testCredentials.accessKeyId, secretAccessKey: 'wrong' }, region: 'us-east-1', service: 'berth' });
    assert.equal(response.status, 400);
    const ok = await signedFetch(berth.url, '/_berth/reset', { credentials: testCredentials, region: 'us-east-1', service: 'berth' });
    assert.equal(ok.status, 200);
    const clusters = await berth.ecs().send(new ListClustersCommand({}));
    assert.deepEqual(clusters.clusterArns, []);
    const unsigned = await fetch(`${berth.url}/_berth/reset`, { method: 'POST' });
    assert.equal(unsigned.status, 400);
  });
});
