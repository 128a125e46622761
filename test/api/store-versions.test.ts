/**
 * What the store's record versions look like from outside: described resources carry no member
 * the service model does not declare (the store's version rides on a symbol, internal members are
 * left out by presentation), and a write that keeps conflicting answers the service's retryable
 * server error, never a stack.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as ecsModel from '@aws-sdk/client-ecs';
import { CreateClusterCommand, CreateServiceCommand, ServerException, UpdateClusterSettingsCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { CreateSecretCommand, InternalServiceError, UpdateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { NormalizedSchema } from '@smithy/core/schema';
import { transientMessage } from '../../src/core/errors.js';
import { storeVersion, versionOf, type Store, type StoreTx } from '../../src/store/types.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { awsvpc, registerServiceDefinitions } from '../helpers/services.js';
import { signedRequest } from '../helpers/wire.js';

/** Paths of every member of `value` that `schema` does not declare. */
function strayMembers(schema: NormalizedSchema, value: unknown, path: string): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (schema.isListSchema() && Array.isArray(value)) return value.flatMap((item, index) => strayMembers(schema.getValueSchema(), item, `${path}[${index}]`));
  if (schema.isMapSchema()) return Object.entries(value).flatMap(([key, item]) => strayMembers(schema.getValueSchema(), item, `${path}.${key}`));
  if (!schema.isStructSchema()) return [];
  const members = new Map([...schema.structIterator()]);
  return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => {
    const member = members.get(key);
    return member ? strayMembers(member, item, `${path}.${key}`) : [`${path}.${key}`];
  });
}

const schemaOf = (model: Record<string, unknown>, name: string) => NormalizedSchema.of(model[`${name}$`] as never);

/** Every write transaction of the store sees, through `stale`, some records one version behind what is stored. */
function withStaleReads(store: Store, stale: (tx: StoreTx) => StoreTx): () => void {
  const write = store.write;
  store.write = <T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> => write.call(store, (tx: StoreTx) => fn(stale(tx))) as Promise<T>;
  return () => {
    store.write = write;
  };
}

const behind = <T extends object>(record: T | undefined): T | undefined =>
  record && ({ ...record, [storeVersion]: (versionOf(record) ?? 1) - 1 } as T);

describe('store versions seen from the API', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  before(async () => {
    berth = await startBerth();
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'versions', capacityProviders: ['FARGATE'] }));
    await registerServiceDefinitions(ecs);
  });
  after(async () => berth.close());

  const call = async (target: string, body: object) => {
    const response = await signedRequest(berth.url, { target: `AmazonEC2ContainerServiceV20141113.${target}`, body: JSON.stringify(body) });
    assert.equal(response.status, 200, JSON.stringify(response.json));
    return response.json;
  };

  it('describes clusters, task definitions, services and tasks with only the members ECS declares', async () => {
    await ecs.send(new CreateServiceCommand({ cluster: 'versions', serviceName: 'fg', taskDefinition: 'fg', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: awsvpc }));
    await berth.server.services.settle();
    const clusters = await call('DescribeClusters', { clusters: ['versions'], include: ['SETTINGS', 'CONFIGURATIONS', 'TAGS', 'STATISTICS', 'ATTACHMENTS'] });
    const definition = await call('DescribeTaskDefinition', { taskDefinition: 'fg', include: ['TAGS'] });
    const services = await call('DescribeServices', { cluster: 'versions', services: ['fg'], include: ['TAGS'] });
    const arns = (await call('ListTasks', { cluster: 'versions' })).taskArns as string[];
    assert.ok(arns.length > 0, 'the service launched a task');
    const tasks = await call('DescribeTasks', { cluster: 'versions', tasks: arns, include: ['TAGS'] });
    const stray = [
      ...strayMembers(schemaOf(ecsModel, 'DescribeClustersResponse'), clusters, 'DescribeClusters'),
      ...strayMembers(schemaOf(ecsModel, 'DescribeTaskDefinitionResponse'), definition, 'DescribeTaskDefinition'),
      ...strayMembers(schemaOf(ecsModel, 'DescribeServicesResponse'), services, 'DescribeServices'),
      ...strayMembers(schemaOf(ecsModel, 'DescribeTasksResponse'), tasks, 'DescribeTasks'),
    ];
    assert.deepEqual(stray, []);
  });

  it('the checker finds a stray member', () => {
    assert.deepEqual(strayMembers(schemaOf(ecsModel, 'DescribeClustersResponse'), { clusters: [{ clusterName: 'x', version: 3 }] }, 'r'), ['r.clusters[0].version']);
  });

  it('answers ECS ServerException (500, retryable) when a write still conflicts after the store retried it', async () => {
    const restore = withStaleReads(berth.server.store, (tx) => ({ ...tx, clusters: { ...tx.clusters, get: async (arn) => behind(await tx.clusters.get(arn)) } }));
    try {
      const error = await ecs
        .send(new UpdateClusterSettingsCommand({ cluster: 'versions', settings: [{ name: 'containerInsights', value: 'enabled' }] }))
        .catch((caught: unknown) => caught);
      assert.ok(error instanceof ServerException, String(error));
      assert.equal(error.$metadata.httpStatusCode, 500);
      assert.equal(error.$fault, 'server');
      assert.equal(error.message, transientMessage);
    } finally {
      restore();
    }
    // Nothing was half-written, and the same call succeeds once reads are current.
    const updated = await ecs.send(new UpdateClusterSettingsCommand({ cluster: 'versions', settings: [{ name: 'containerInsights', value: 'enabled' }] }));
    assert.deepEqual(updated.cluster?.settings, [{ name: 'containerInsights', value: 'enabled' }]);
  });

  it("answers Secrets Manager's InternalServiceError for the same", async () => {
    const secrets = berth.secretsManager();
    await secrets.send(new CreateSecretCommand({ Name: 'versions-db', SecretString: 'one' }));
    const restore = withStaleReads(berth.server.store, (tx) => ({
      ...tx,
      secrets: {
        ...tx.secrets,
        get: async (arn) => behind(await tx.secrets.get(arn)),
        findByName: async (...args) => behind(await tx.secrets.findByName(...args)),
      },
    }));
    try {
      const error = await secrets.send(new UpdateSecretCommand({ SecretId: 'versions-db', Description: 'changed' })).catch((caught: unknown) => caught);
      assert.ok(error instanceof InternalServiceError, String(error));
      assert.equal(error.$metadata.httpStatusCode, 500);
      assert.equal(error.message, transientMessage);
    } finally {
      restore();
    }
  });
});
