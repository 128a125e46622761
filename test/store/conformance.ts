/**
 * The store conformance suite: what every backend of `Store` (store/contract/store.ts) must do,
 * registered for one backend by `storeConformance(backend)`. SQLite runs it in sqlite.test.ts; a
 * PostgreSQL backend runs the same function with its own factory.
 *
 * It covers each table kind's reads and writes, paging, optimistic concurrency (stale put, double
 * insert, stale delete, the bounded retry), the change feed (order, completeness under concurrent
 * writers, no phantom, readAndWatch, a second store object on the same data, `lost` after
 * pruning), atomicity, and durability across a restart and a SIGKILL.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Change, ChangeBatch } from '../../src/store/changes.js';
import { StoreConflict, versionOf, writeAttempts, type Store } from '../../src/store/types.js';
import * as records from './records.js';

export interface StoreLocation {
  /** Opens a store object on this location's data; several may be open at once. */
  open(options?: { retain?: number; pollMs?: number }): Promise<Store>;
  /** A process that opens the store here, writes `count` tasks one transaction each, and prints `ack <taskArn>` after each commit. */
  writerProcess(count: number): { command: string; args: string[] };
  dispose(): Promise<void>;
}

export interface StoreBackend {
  name: string;
  /** A new, empty location (data directory, database). */
  create(): Promise<StoreLocation>;
}

/** Resolves once `predicate` holds, checked whenever `notify` is called; fails after `ms`. */
function waitFor(predicate: () => boolean, ms = 10_000): { notify(): void; done: Promise<void> } {
  let resolve!: () => void;
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((ok, fail) => {
    resolve = ok;
    timer = setTimeout(() => fail(new Error(`condition not met within ${ms} ms`)), ms);
  }).finally(() => clearTimeout(timer));
  const notify = () => {
    if (predicate()) resolve();
  };
  return { notify, done };
}

/** Collects a subscription's changes. */
function collector() {
  const changes: Change[] = [];
  const batches: ChangeBatch[] = [];
  let onBatch = () => {};
  return {
    changes,
    batches,
    listener: (batch: ChangeBatch) => {
      batches.push(batch);
      changes.push(...batch.changes);
      onBatch();
    },
    until(predicate: () => boolean, ms?: number): Promise<void> {
      const wait = waitFor(predicate, ms);
      onBatch = wait.notify;
      wait.notify();
      return wait.done;
    },
  };
}

const page = (limit: number, after?: string) => ({ limit, ...(after !== undefined ? { after } : {}) });

export function storeConformance(backend: StoreBackend): void {
  describe(`store conformance: ${backend.name}`, () => {
    let location: StoreLocation;
    let store: Store;
    before(async () => {
      location = await backend.create();
      store = await location.open();
    });
    after(async () => {
      await store.close();
      await location.dispose();
    });

    describe('reads and writes', () => {
      it('clusters: put, get, list by status, counts', async () => {
        await store.write(async (tx) => {
          await tx.clusters.put(records.cluster('rw-a'));
          await tx.clusters.put(records.cluster('rw-b', 'INACTIVE'));
        });
        const [a, active, counts] = await store.read(async (tx) => [
          await tx.clusters.get(records.clusterArn('rw-a')),
          await tx.clusters.list(records.account, records.region, page(100), 'ACTIVE'),
          await tx.clusters.counts(records.clusterArn('rw-a')),
        ] as const);
        assert.equal(a?.clusterName, 'rw-a');
        assert.ok(active.items.some((item) => item.clusterName === 'rw-a'));
        assert.ok(!active.items.some((item) => item.clusterName === 'rw-b'));
        assert.deepEqual(counts, { registeredContainerInstancesCount: 0, runningTasksCount: 0, pendingTasksCount: 0, activeServicesCount: 0 });
      });

      it('task definitions: revisions, latest active, families, delete keeps the revision count', async () => {
        await store.write(async (tx) => {
          for (const revision of [1, 2, 3]) await tx.taskDefinitions.put(records.taskDefinition('rw-fam', revision, revision === 3 ? 'INACTIVE' : 'ACTIVE'));
        });
        const latest = await store.read((tx) => tx.taskDefinitions.latestActive(records.account, records.region, 'rw-fam'));
        assert.equal(latest?.revision, 2);
        await store.write(async (tx) => tx.taskDefinitions.delete(records.taskDefinition('rw-fam', 3).taskDefinitionArn));
        const [count, families, gone] = await store.read(async (tx) => [
          await tx.taskDefinitions.latestRevision(records.account, records.region, 'rw-fam'),
          await tx.taskDefinitions.families({ accountId: records.account, region: records.region, familyPrefix: 'rw-' }, page(10)),
          await tx.taskDefinitions.get(records.taskDefinition('rw-fam', 3).taskDefinitionArn),
        ] as const);
        assert.equal(count, 3);
        assert.deepEqual(families.items, ['rw-fam']);
        assert.equal(gone, undefined);
      });

      it('container instances and tasks: queries by cluster, agent, group and status', async () => {
        const instance = records.containerInstance('rw-c', 'i1');
        await store.write(async (tx) => {
          await tx.containerInstances.put(instance);
          await tx.tasks.put(records.task('rw-c', 't1', { containerInstanceArn: instance.containerInstanceArn, lastStatus: 'RUNNING' }));
          await tx.tasks.put(records.task('rw-c', 't2', { containerInstanceArn: instance.containerInstanceArn }));
          await tx.tasks.put(records.task('rw-c', 't3', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }));
          await tx.tasks.put(records.task('rw-c', 't4', { launchType: 'FARGATE', group: 'service:api', startedBy: 'ecs-svc/1' }));
        });
        const result = await store.read(async (tx) => ({
          connected: await tx.containerInstances.listConnected(),
          counts: await tx.tasks.instanceCounts(instance.containerInstanceArn),
          forAgent: await tx.tasks.forAgent(instance.containerInstanceArn),
          active: await tx.tasks.listArns({ clusterArn: records.clusterArn('rw-c'), activeOnly: true }, page(10)),
          fargate: await tx.tasks.unassignedFargate(10),
          deployments: await tx.tasks.deploymentCounts(records.clusterArn('rw-c'), 'service:api'),
        }));
        assert.ok(result.connected.some((item) => item.containerInstanceArn === instance.containerInstanceArn));
        assert.deepEqual(result.counts, { running: 1, pending: 1 });
        assert.equal(result.forAgent.length, 2);
        assert.equal(result.active.items.length, 3);
        assert.ok(result.fargate.some((item) => item.taskArn.endsWith('/t4')));
        assert.deepEqual(result.deployments.get('ecs-svc/1'), { running: 0, pending: 1 });
        await store.write((tx) => tx.containerInstances.markAllDisconnected());
        assert.equal((await store.read((tx) => tx.containerInstances.listConnected())).length, 0);
      });

      it('account settings, services, service deployments and revisions', async () => {
        const owner = records.service('rw-s', 'api');
        await store.write(async (tx) => {
          await tx.accountSettings.put({ accountId: records.account, region: records.region, principalArn: 'arn:aws:iam::000000000000:root', isDefault: true, name: 'awsvpcTrunking', value: 'enabled', type: 'user' });
          await tx.services.put(owner);
          await tx.serviceRevisions.put(records.serviceRevision(owner, 'r1'));
          for (const [id, at] of [['d1', 1], ['d2', 2], ['d3', 3]] as const) await tx.serviceDeployments.put(records.serviceDeployment(owner, id, at));
        });
        const read = await store.read(async (tx) => ({
          settings: await tx.accountSettings.list(records.account, records.region),
          live: await tx.services.listLive(),
          revision: await tx.serviceRevisions.get(records.serviceRevision(owner, 'r1').serviceRevisionArn),
          deployments: await tx.serviceDeployments.list({ serviceArn: owner.serviceArn }, page(2)),
        }));
        assert.equal(read.settings[0]?.value, 'enabled');
        assert.ok(read.live.some((item) => item.serviceArn === owner.serviceArn));
        assert.equal(read.revision?.serviceArn, owner.serviceArn);
        assert.deepEqual(read.deployments.items.map((item) => item.serviceDeploymentArn.split('/').pop()), ['d3', 'd2']);
        await store.write((tx) => tx.accountSettings.delete(records.account, records.region, 'arn:aws:iam::000000000000:root', true, 'awsvpcTrunking'));
        assert.deepEqual(await store.read((tx) => tx.accountSettings.list(records.account, records.region)), []);
      });

      it('secrets with their values, repositories, credentials, leases and idempotency', async () => {
        const stored = records.secret('rw-db');
        await store.write(async (tx) => {
          await tx.secrets.put(stored);
          await tx.secrets.putValue(stored.arn, 'v1', { secretString: 'hunter2' });
          await tx.registry.putRepository(records.repository('rw-repo'));
          await tx.credentials.put({ accessKeyId: 'AKIARWTEST', secretAccessKey: 'x', accountId: records.account, principalArn: 'arn:aws:iam::000000000000:root', isRoot: true, createdAt: 1 });
          await tx.leases.put({ name: 'rw-lease', holder: 'a', expiresAt: 10 });
          await tx.idempotency.put('rw-token', 'hash', 'response', 1);
        });
        const read = await store.read(async (tx) => ({
          secret: await tx.secrets.findByName(records.account, records.region, 'rw-db'),
          value: await tx.secrets.getValue(stored.arn, 'v1'),
          repository: await tx.registry.findRepository(records.account, records.region, 'rw-repo'),
          credential: await tx.credentials.get('AKIARWTEST'),
          lease: await tx.leases.get('rw-lease'),
          token: await tx.idempotency.get('rw-token'),
        }));
        assert.equal(read.secret?.arn, stored.arn);
        assert.deepEqual(read.value, { secretString: 'hunter2' });
        assert.equal(read.repository?.name, 'rw-repo');
        assert.equal(read.credential?.secretAccessKey, 'x');
        assert.equal(read.lease?.holder, 'a');
        assert.equal(read.token?.response, 'response');
        await store.write((tx) => tx.secrets.delete(stored.arn));
        assert.equal(await store.read((tx) => tx.secrets.getValue(stored.arn, 'v1')), undefined);
      });
      it('registry: blobs, manifests and tags, a tag moved is a new version, a repository deleted with what it holds', async () => {
        const repository = records.repository('rw-images');
        const config = `sha256:${'c'.repeat(64)}`;
        const manifest = (digest: string) => ({ repositoryArn: repository.arn, digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 2, imageSize: 10, pushedAt: 1, references: [{ digest: config, kind: 'blob' as const }] });
        const first = `sha256:${'1'.repeat(64)}`;
        const second = `sha256:${'2'.repeat(64)}`;
        const seen = collector();
        const subscription = store.changes.watch({ kinds: ['tag'] }, seen.listener);
        await store.write(async (tx) => {
          await tx.registry.putRepository(repository);
          await tx.registry.putBlob(config, 10, 1);
          await tx.registry.linkBlob(repository.arn, config, 1);
          await tx.registry.putManifest(manifest(first), Buffer.from('{}'));
          await tx.registry.putManifest(manifest(second), Buffer.from('[]'));
          await tx.registry.putTag(repository.arn, 'latest', first, 1);
        });
        await store.write((tx) => tx.registry.putTag(repository.arn, 'latest', second, 2));
        const read = await store.read(async (tx) => ({
          tag: await tx.registry.getTag(repository.arn, 'latest'),
          blob: await tx.registry.linkedBlob(repository.arn, config),
          content: (await tx.registry.getManifest(repository.arn, second))?.content.toString(),
        }));
        assert.equal(read.tag, second);
        assert.equal(read.blob?.size, 10);
        assert.equal(read.content, '[]');
        await seen.until(() => seen.changes.length >= 2);
        subscription.close();
        assert.deepEqual(seen.changes.map((change) => [change.op, change.version]), [['created', 1], ['updated', 2]]);
        const stored = await store.read((tx) => tx.registry.getRepository(repository.arn));
        await store.write((tx) => tx.registry.deleteRepository(repository.arn, versionOf(stored)));
        assert.equal(await store.read((tx) => tx.registry.getManifestRecord(repository.arn, first)), undefined);
      });
    });

    describe('paging', () => {
      it('walks a listing page by page in creation order, each item once, with no cursor after the last', async () => {
        await store.write(async (tx) => {
          for (let i = 0; i < 7; i++) await tx.tasks.put(records.task('pg', `t${i}`));
        });
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const result = await store.read((tx) => tx.tasks.list({ clusterArn: records.clusterArn('pg') }, page(3, cursor)));
          assert.ok(result.items.length <= 3);
          seen.push(...result.items.map((item) => item.taskArn.split('/').pop()!));
          cursor = result.next;
          pages += 1;
        } while (cursor !== undefined);
        assert.deepEqual(seen, ['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
        assert.equal(pages, 3);
      });

      it('pages task definitions by family and revision, in either direction', async () => {
        await store.write(async (tx) => {
          for (const family of ['pg-a', 'pg-b']) for (const revision of [1, 2]) await tx.taskDefinitions.put(records.taskDefinition(family, revision));
        });
        const walk = async (descending: boolean) => {
          const arns: string[] = [];
          let cursor: string | undefined;
          do {
            const result = await store.read((tx) => tx.taskDefinitions.list({ accountId: records.account, region: records.region, familyPrefix: 'pg-', descending }, page(3, cursor)));
            arns.push(...result.items.map((item) => `${item.family}:${item.revision}`));
            cursor = result.next;
          } while (cursor !== undefined);
          return arns;
        };
        assert.deepEqual(await walk(false), ['pg-a:1', 'pg-a:2', 'pg-b:1', 'pg-b:2']);
        assert.deepEqual(await walk(true), ['pg-b:2', 'pg-b:1', 'pg-a:2', 'pg-a:1']);
      });

      it('gives a cursor only while more items follow', async () => {
        await store.write(async (tx) => {
          for (const id of ['i1', 'i2']) await tx.containerInstances.put(records.containerInstance('pg-exact', id));
        });
        const list = (limit: number) => store.read((tx) => tx.containerInstances.list(records.clusterArn('pg-exact'), page(limit)));
        assert.equal((await list(2)).next, undefined);
        assert.equal((await list(2)).items.length, 2);
        const first = await list(1);
        assert.equal(first.items.length, 1);
        assert.notEqual(first.next, undefined);
      });
    });

    describe('versions', () => {
      it('a record read carries its version, outside its JSON, and each write sets the next', async () => {
        const created = records.task('ver', 'next');
        await store.write((tx) => tx.tasks.put(created));
        const first = await store.read((tx) => tx.tasks.get(created.taskArn));
        assert.equal(versionOf(first), 1);
        assert.deepEqual(Object.keys(first!).sort(), Object.keys(created).sort(), 'no member besides the record\'s own');
        assert.deepEqual(JSON.parse(JSON.stringify(first)), created);
        await store.write((tx) => tx.tasks.put({ ...first!, lastStatus: 'RUNNING' }));
        const second = await store.read((tx) => tx.tasks.get(created.taskArn));
        assert.equal(versionOf(second), 2);
        assert.equal(second?.version, 1, "the ECS member `version` is the record's own, untouched by the store");
      });

      it('a stale put is a StoreConflict naming the record and the version read', async () => {
        const created = records.cluster('ver-stale');
        await store.write((tx) => tx.clusters.put(created));
        const stale = await store.read((tx) => tx.clusters.get(created.clusterArn));
        await store.write((tx) => tx.clusters.put({ ...stale!, status: 'PROVISIONING' }));
        const error = await store.write((tx) => tx.clusters.put({ ...stale!, status: 'INACTIVE' })).catch((caught: unknown) => caught);
        assert.ok(error instanceof StoreConflict);
        assert.equal(error.kind, 'cluster');
        assert.equal(error.key, created.clusterArn);
        assert.equal(error.expectedVersion, 1);
        assert.equal((await store.read((tx) => tx.clusters.get(created.clusterArn)))?.status, 'PROVISIONING', 'the stale write changed nothing');
      });

      it('inserting a record that exists is a conflict (double insert)', async () => {
        const created = records.task('ver', 'double');
        await store.write((tx) => tx.tasks.put(created));
        await assert.rejects(store.write((tx) => tx.tasks.put({ ...created, lastStatus: 'RUNNING' })), (error: unknown) => error instanceof StoreConflict && error.expectedVersion === undefined);
        const secret = records.secret('ver-double');
        await store.write((tx) => tx.secrets.put(secret));
        await assert.rejects(store.write((tx) => tx.secrets.put(secret)), StoreConflict);
      });

      it('a stale delete is a conflict; a current one deletes', async () => {
        const definition = records.taskDefinition('ver-del', 1);
        await store.write((tx) => tx.taskDefinitions.put(definition));
        const stale = await store.read((tx) => tx.taskDefinitions.get(definition.taskDefinitionArn));
        await store.write((tx) => tx.taskDefinitions.put({ ...stale!, status: 'INACTIVE' }));
        await assert.rejects(store.write((tx) => tx.taskDefinitions.delete(definition.taskDefinitionArn, versionOf(stale))), StoreConflict);
        const current = await store.read((tx) => tx.taskDefinitions.get(definition.taskDefinitionArn));
        await store.write((tx) => tx.taskDefinitions.delete(definition.taskDefinitionArn, versionOf(current)));
        assert.equal(await store.read((tx) => tx.taskDefinitions.get(definition.taskDefinitionArn)), undefined);
      });

      it('a transaction that writes a record twice does not conflict with itself', async () => {
        const created = records.task('ver', 'twice');
        await store.write(async (tx) => {
          await tx.tasks.put(created);
          await tx.tasks.put({ ...created, lastStatus: 'RUNNING' });
        });
        const read = await store.read((tx) => tx.tasks.get(created.taskArn));
        await store.write(async (tx) => {
          await tx.tasks.put({ ...read!, lastStatus: 'STOPPED' });
          await tx.tasks.put({ ...read!, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
        });
        const last = await store.read((tx) => tx.tasks.get(created.taskArn));
        assert.equal(last?.desiredStatus, 'STOPPED');
        assert.equal(versionOf(last), 4);
      });

      it('runs a transaction that conflicted once again, and it succeeds on fresh data', async () => {
        const created = records.cluster('ver-retry');
        await store.write((tx) => tx.clusters.put(created));
        const stale = await store.read((tx) => tx.clusters.get(created.clusterArn));
        await store.write((tx) => tx.clusters.put({ ...stale!, status: 'PROVISIONING' }));
        let attempts = 0;
        await store.write(async (tx) => {
          attempts += 1;
          // First attempt: the record read before, now stale. Then: read inside the transaction.
          const record = attempts === 1 ? stale! : (await tx.clusters.get(created.clusterArn))!;
          await tx.clusters.put({ ...record, status: 'ACTIVE' });
        });
        assert.equal(attempts, 2);
        assert.equal(versionOf(await store.read((tx) => tx.clusters.get(created.clusterArn))), 3);
      });

      it('gives up after a bounded number of attempts with the typed error, leaving nothing behind', async () => {
        const created = records.cluster('ver-always');
        await store.write((tx) => tx.clusters.put(created));
        const stale = await store.read((tx) => tx.clusters.get(created.clusterArn));
        await store.write((tx) => tx.clusters.put({ ...stale!, status: 'PROVISIONING' }));
        let attempts = 0;
        const error = await store
          .write(async (tx) => {
            attempts += 1;
            await tx.tasks.put(records.task('ver-always', `side-${attempts}`));
            await tx.clusters.put({ ...stale!, status: 'ACTIVE' });
          })
          .catch((caught: unknown) => caught);
        assert.ok(error instanceof StoreConflict);
        assert.equal(attempts, writeAttempts);
        const left = await store.read((tx) => tx.tasks.list({ clusterArn: records.clusterArn('ver-always') }, page(10)));
        assert.deepEqual(left.items, []);
      });
    });

    describe('atomicity and the change feed', () => {
      it('a transaction that throws leaves nothing behind and publishes nothing', async () => {
        const seen = collector();
        const subscription = store.changes.watch({}, seen.listener);
        await assert.rejects(
          store.write(async (tx) => {
            await tx.clusters.put(records.cluster('atomic'));
            await tx.tasks.put(records.task('atomic', 't'));
            throw new Error('changed my mind');
          }),
          /changed my mind/,
        );
        await store.write((tx) => tx.clusters.put(records.cluster('atomic-after')));
        await seen.until(() => seen.changes.some((change) => change.key === records.clusterArn('atomic-after')));
        subscription.close();
        assert.equal(await store.read((tx) => tx.clusters.get(records.clusterArn('atomic'))), undefined);
        assert.deepEqual(seen.changes.map((change) => change.key), [records.clusterArn('atomic-after')], 'no phantom from the thrown transaction');
      });

      it('delivers every change in commit order with labels, each transaction whole', async () => {
        const seen = collector();
        const subscription = store.changes.watch({ kinds: ['task', 'cluster'] }, seen.listener);
        const first = records.task('order', 'a', { containerInstanceArn: 'arn:aws:ecs:us-east-1:000000000000:container-instance/order/i' });
        await store.write(async (tx) => {
          await tx.clusters.put(records.cluster('order'));
          await tx.tasks.put(first);
        });
        const read = await store.read((tx) => tx.tasks.get(first.taskArn));
        await store.write((tx) => tx.tasks.put({ ...read!, lastStatus: 'RUNNING' }));
        await seen.until(() => seen.changes.length >= 3);
        subscription.close();
        assert.deepEqual(
          seen.changes.map((change) => [change.kind, change.op, change.version]),
          [['cluster', 'created', 1], ['task', 'created', 1], ['task', 'updated', 2]],
        );
        assert.deepEqual(seen.changes[1]?.labels, { cluster: records.clusterArn('order'), group: 'family:web', agent: first.containerInstanceArn, launchType: 'EC2' });
        assert.ok(seen.changes.every((change, index) => index === 0 || change.seq > seen.changes[index - 1]!.seq));
      });

      it('misses nothing and reorders nothing under many concurrent writers', async () => {
        const seen = collector();
        const subscription = store.changes.watch({ kinds: ['task'] }, seen.listener);
        const writers = 200;
        await Promise.all(
          Array.from({ length: writers }, (_, i) =>
            store.write(async (tx) => {
              await tx.tasks.put(records.task('many', `t${i}`));
              await tx.tasks.put(records.task('many', `u${i}`));
            }),
          ),
        );
        await seen.until(() => seen.changes.length >= writers * 2);
        subscription.close();
        assert.equal(new Set(seen.changes.map((change) => change.key)).size, writers * 2);
        assert.ok(seen.changes.every((change, index) => index === 0 || change.seq > seen.changes[index - 1]!.seq));
        // A transaction's two changes are adjacent: nothing of another transaction falls between them.
        for (let index = 0; index < seen.changes.length; index += 2) {
          assert.equal(seen.changes[index]!.key.replace('/t', '/'), seen.changes[index + 1]!.key.replace('/u', '/'));
        }
      });

      it('readAndWatch: what was read and what is delivered after it together hold every write, once', async () => {
        const total = 300;
        const writes = Promise.all(Array.from({ length: total }, (_, i) => store.write((tx) => tx.tasks.put(records.task('raw', `t${i}`)))));
        // Start the read while the writes are under way.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const seen = collector();
        const { value: snapshot, subscription } = await store.readAndWatch(
          async (tx) => (await tx.tasks.listArns({ clusterArn: records.clusterArn('raw') }, page(10_000))).items,
          { kinds: ['task'] },
          seen.listener,
        );
        await writes;
        const union = () => new Set([...snapshot, ...seen.changes.filter((change) => change.labels.cluster === records.clusterArn('raw')).map((change) => change.key)]);
        await seen.until(() => union().size >= total);
        subscription.close();
        const delivered = seen.changes.map((change) => change.key);
        assert.equal(delivered.filter((key) => snapshot.includes(key)).length, 0, 'nothing read is delivered again as created');
        assert.equal(union().size, total);
      });

      it("a second store object on the same data receives the first one's changes", async () => {
        const other = await location.open({ pollMs: 10 });
        try {
          const seen = collector();
          const subscription = other.changes.watch({ kinds: ['cluster'] }, seen.listener);
          await store.write((tx) => tx.clusters.put(records.cluster('elsewhere')));
          await seen.until(() => seen.changes.some((change) => change.key === records.clusterArn('elsewhere')));
          subscription.close();
          assert.equal((await other.read((tx) => tx.clusters.get(records.clusterArn('elsewhere'))))?.clusterName, 'elsewhere');
        } finally {
          await other.close();
        }
      });

      it('tells a subscriber that fell behind the retained changes that it lost some', async () => {
        const small = await backend.create();
        const pruning = await small.open({ retain: 10 });
        try {
          // Enough commits for the backend to prune, and enough changes that no cache of recent ones still holds the first.
          for (let i = 0; i < 1_100; i++) {
            await pruning.write(async (tx) => {
              for (let j = 0; j < 12; j++) await tx.leases.put({ name: `lost-${i}-${j}`, holder: 'h', expiresAt: i });
            });
          }
          const seen = collector();
          const subscription = pruning.changes.watch({ after: 0 }, seen.listener);
          await seen.until(() => seen.batches.length > 0);
          subscription.close();
          assert.equal(seen.batches[0]?.lost, true);
          // What is still retained follows, in order.
          await seen.until(() => seen.changes.some((change) => change.key === 'lost-1099-11'));
        } finally {
          await pruning.close();
          await small.dispose();
        }
      });
    });

    describe('durability', () => {
      it('keeps every acknowledged write across a restart', async () => {
        const place = await backend.create();
        let first = await place.open();
        const arns: string[] = [];
        for (let i = 0; i < 50; i++) {
          const created = records.task('restart', `t${i}`);
          await first.write((tx) => tx.tasks.put(created));
          arns.push(created.taskArn);
        }
        await first.close();
        first = await place.open();
        try {
          const found = await first.read((tx) => tx.tasks.listArns({ clusterArn: records.clusterArn('restart') }, page(1_000)));
          assert.deepEqual(found.items, arns);
        } finally {
          await first.close();
          await place.dispose();
        }
      });

      it('keeps every acknowledged write when the writing process is killed with SIGKILL', async () => {
        const place = await backend.create();
        try {
          const { command, args } = place.writerProcess(100_000);
          const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
          const acknowledged: string[] = [];
          let buffered = '';
          const killed = new Promise<void>((resolve) => child.on('exit', () => resolve()));
          child.stdout.setEncoding('utf8');
          child.stdout.on('data', (chunk: string) => {
            buffered += chunk;
            const lines = buffered.split('\n');
            buffered = lines.pop() ?? '';
            for (const line of lines) if (line.startsWith('ack ')) acknowledged.push(line.slice(4));
            // Killed mid-stream: it is writing as fast as it can.
            if (acknowledged.length >= 300 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
          });
          await killed;
          assert.equal(child.signalCode, 'SIGKILL');
          assert.ok(acknowledged.length >= 300);
          const reopened = await place.open();
          try {
            const stored = new Set<string>();
            let cursor: string | undefined;
            do {
              const result = await reopened.read((tx) => tx.tasks.listArns({ clusterArn: records.clusterArn('killed') }, page(1_000, cursor)));
              for (const arn of result.items) stored.add(arn);
              cursor = result.next;
            } while (cursor !== undefined);
            const missing = acknowledged.filter((arn) => !stored.has(arn));
            assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged writes lost`);
          } finally {
            await reopened.close();
          }
        } finally {
          await place.dispose();
        }
      });
    });
  });
}

