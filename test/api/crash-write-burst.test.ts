/**
 * kill -9 in the middle of a burst of writes over every service: concurrent clients create clusters,
 * register task definitions, tag, create repositories, put manifests, create secrets and put their
 * values; the server is killed while they are in flight. After a restart on the same data
 * directory, every write it acknowledged is there, as acknowledged, and nothing is half-written:
 * every cluster, definition, repository and secret that exists reads back whole.
 */
import assert from 'node:assert/strict';
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  PutImageCommand,
  type DescribeRepositoriesCommandOutput,
} from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecs';
import { CreateSecretCommand, GetSecretValueCommand, ListSecretsCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { testCredentials } from '../helpers/berth.js';
import { ociIndexType, pushImage, sha256, type BuiltImage } from '../helpers/ecr.js';
import { freePort } from '../helpers/ports.js';
import { killProcess, startServerProcess } from '../helpers/server-process.js';

const workers = 6;
/** The burst runs until this many writes were acknowledged (or burstMs passed), then the server dies. */
const killAfterAcknowledged = 120;
const burstMs = 8_000;

interface Clients {
  ecs: ECSClient;
  ecr: ECRClient;
  sm: SecretsManagerClient;
  destroy(): void;
}

function clientsFor(url: string): Clients {
  const options = { endpoint: url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 };
  const ecs = new ECSClient(options);
  const ecr = new ECRClient(options);
  const sm = new SecretsManagerClient(options);
  return { ecs, ecr, sm, destroy: () => [ecs, ecr, sm].forEach((client) => client.destroy()) };
}

/** An acknowledged write and how to check, after the restart, that it is there as acknowledged. */
interface Acknowledged {
  what: string;
  check(clients: Clients): Promise<void>;
}

/** A distinct small manifest: an index over the base image, told apart by an annotation. */
function indexManifest(base: BuiltImage, id: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: ociIndexType,
    manifests: [{ mediaType: JSON.parse(base.manifest).mediaType, digest: base.digest, size: Buffer.byteLength(base.manifest) }],
    annotations: { 'dev.berth.test.write': id },
  });
}

/**
 * One client's writes, in a loop, each recorded once its answer arrived. A write in flight when
 * the server dies fails and is not recorded: it may or may not be there.
 */
async function writeUntilKilled(worker: number, clients: Clients, base: BuiltImage, acknowledged: Acknowledged[], stopped: () => boolean): Promise<void> {
  const { ecs, ecr, sm } = clients;
  const mine = { cluster: '', secret: '' };
  for (let i = 0; !stopped(); i++) {
    const id = `w${worker}-${i}`;
    try {
      switch (i % 7) {
        case 0: {
          await ecs.send(new CreateClusterCommand({ clusterName: `c-${id}` }));
          mine.cluster = `c-${id}`;
          const cluster = mine.cluster;
          acknowledged.push({
            what: `cluster ${cluster}`,
            async check({ ecs: again }) {
              const { clusters } = await again.send(new DescribeClustersCommand({ clusters: [cluster] }));
              assert.equal(clusters?.[0]?.status, 'ACTIVE', `cluster ${cluster}`);
            },
          });
          break;
        }
        case 1: {
          const { taskDefinition } = await ecs.send(
            new RegisterTaskDefinitionCommand({
              family: `f-w${worker}`,
              containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64, environment: [{ name: 'WRITE', value: id }] }],
            }),
          );
          const arn = taskDefinition!.taskDefinitionArn!;
          acknowledged.push({
            what: `task definition ${arn}`,
            async check({ ecs: again }) {
              const { taskDefinition: found } = await again.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
              assert.deepEqual(found?.containerDefinitions?.[0]?.environment, [{ name: 'WRITE', value: id }], arn);
            },
          });
          break;
        }
        case 2: {
          if (!mine.cluster) break;
          const cluster = mine.cluster;
          const arn = `arn:aws:ecs:us-east-1:000000000000:cluster/${cluster}`;
          await ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: `k-${id}`, value: id }] }));
          acknowledged.push({
            what: `tag k-${id} on ${cluster}`,
            async check({ ecs: again }) {
              const { tags } = await again.send(new ListTagsForResourceCommand({ resourceArn: arn }));
              assert.ok(tags?.some((tag) => tag.key === `k-${id}` && tag.value === id), `tag k-${id} on ${cluster}`);
            },
          });
          break;
        }
        case 3: {
          const name = `r-${id}`;
          await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
          acknowledged.push({
            what: `repository ${name}`,
            async check({ ecr: again }) {
              const { repositories } = await again.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
              assert.equal(repositories?.[0]?.repositoryName, name);
            },
          });
          break;
        }
        case 4: {
          const manifest = indexManifest(base, id);
          await ecr.send(new PutImageCommand({ repositoryName: 'burst', imageManifest: manifest, imageManifestMediaType: ociIndexType, imageTag: `t-${id}` }));
          acknowledged.push({
            what: `image burst:t-${id}`,
            async check({ ecr: again }) {
              const { images } = await again.send(new BatchGetImageCommand({ repositoryName: 'burst', imageIds: [{ imageTag: `t-${id}` }] }));
              assert.equal(images?.[0]?.imageId?.imageDigest, sha256(manifest), `image burst:t-${id}`);
              assert.equal(images?.[0]?.imageManifest, manifest);
            },
          });
          break;
        }
        case 5: {
          const name = `s-${id}`;
          await sm.send(new CreateSecretCommand({ Name: name, SecretString: `first value of ${id}` }));
          mine.secret = name;
          acknowledged.push({
            what: `secret ${name}`,
            async check({ sm: again }) {
              const value = await again.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' })).catch(() => undefined);
              // Its first value is current, or previous once a later PutSecretValue moved it.
              const current = await again.send(new GetSecretValueCommand({ SecretId: name }));
              assert.ok(current.SecretString === `first value of ${id}` || value?.SecretString === `first value of ${id}`, `secret ${name}'s first value`);
            },
          });
          break;
        }
        case 6: {
          if (!mine.secret) break;
          const name = mine.secret;
          const { VersionId } = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: `value ${id}` }));
          acknowledged.push({
            what: `value ${id} of ${name}`,
            async check({ sm: again }) {
              const value = await again.send(new GetSecretValueCommand({ SecretId: name, VersionId }));
              assert.equal(value.SecretString, `value ${id}`, `version ${VersionId} of ${name}`);
            },
          });
          break;
        }
      }
    } catch {
      // The server is gone (or going): this write was not acknowledged.
      if (stopped()) return;
    }
  }
}

/** Reads every page of a list call. */
async function allPages<T>(page: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const result = await page(token);
    items.push(...result.items);
    token = result.next;
  } while (token);
  return items;
}

describe('kill -9 during a mixed write burst', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-burst-'));
  let server: ChildProcess | undefined;
  after(async () => {
    if (server) await killProcess(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write over ECS, ECR and Secrets Manager, and no half-written record', { timeout: 120_000 }, async () => {
    const port = await freePort();
    server = await startServerProcess(dataDir, port);
    const first = clientsFor(`http://127.0.0.1:${port}`);
    await first.ecr.send(new CreateRepositoryCommand({ repositoryName: 'burst' }));
    const base = await pushImage(first.ecr, 'burst', 'base of the burst', 'base');

    const acknowledged: Acknowledged[] = [];
    let killed = false;
    const burst = Array.from({ length: workers }, (_, worker) => writeUntilKilled(worker, first, base, acknowledged, () => killed));
    const deadline = Date.now() + burstMs;
    while (acknowledged.length < killAfterAcknowledged && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    killed = true;
    await killProcess(server);
    await Promise.all(burst);
    first.destroy();
    assert.ok(acknowledged.length >= 30, `the burst got going before the kill (${acknowledged.length} writes acknowledged)`);
    for (const kind of ['cluster', 'task definition', 'tag', 'repository', 'image', 'secret', 'value']) {
      assert.ok(acknowledged.some((write) => write.what.startsWith(kind)), `some ${kind} write was acknowledged`);
    }

    server = await startServerProcess(dataDir, port);
    const again = clientsFor(`http://127.0.0.1:${port}`);
    try {
      for (const write of acknowledged) await write.check(again);

      // Whatever exists, acknowledged or caught in flight, reads back whole.
      const clusterArns = await allPages(async (nextToken) => {
        const page = await again.ecs.send(new ListClustersCommand({ ...(nextToken ? { nextToken } : {}) }));
        return { items: page.clusterArns ?? [], next: page.nextToken };
      });
      for (let i = 0; i < clusterArns.length; i += 100) {
        const { clusters, failures } = await again.ecs.send(new DescribeClustersCommand({ clusters: clusterArns.slice(i, i + 100) }));
        assert.deepEqual(failures, []);
        for (const cluster of clusters ?? []) assert.equal(cluster.status, 'ACTIVE', cluster.clusterArn);
      }
      const definitionArns = await allPages(async (nextToken) => {
        const page = await again.ecs.send(new ListTaskDefinitionsCommand({ ...(nextToken ? { nextToken } : {}) }));
        return { items: page.taskDefinitionArns ?? [], next: page.nextToken };
      });
      for (const arn of definitionArns) {
        const { taskDefinition } = await again.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
        assert.equal(taskDefinition?.containerDefinitions?.length, 1, arn);
      }
      const repositories = await allPages<NonNullable<DescribeRepositoriesCommandOutput['repositories']>[number]>(async (nextToken) => {
        const page = await again.ecr.send(new DescribeRepositoriesCommand({ ...(nextToken ? { nextToken } : {}) }));
        return { items: page.repositories ?? [], next: page.nextToken };
      });
      assert.ok(repositories.every((repository) => repository.repositoryArn && repository.repositoryUri));
      const secrets = await allPages(async (NextToken) => {
        const page = await again.sm.send(new ListSecretsCommand({ ...(NextToken ? { NextToken } : {}) }));
        return { items: page.SecretList ?? [], next: page.NextToken };
      });
      for (const secret of secrets) {
        const value = await again.sm.send(new GetSecretValueCommand({ SecretId: secret.ARN }));
        assert.match(value.SecretString ?? '', /^(first value of|value) w\d+-\d+$/, `${secret.Name} has a whole current value`);
      }
    } finally {
      again.destroy();
      await killProcess(server);
      server = undefined;
    }
  });
});
