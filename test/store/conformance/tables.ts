/** Conformance: each table kind's reads and writes, and paging. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { versionOf, type Store } from '../../../src/store/types.js';
import * as records from '../records.js';
import { collector, page, type ConformanceSuite } from './support.js';

export function tableCases(suite: ConformanceSuite): void {
  describe('reads and writes', () => {
    let store: Store;
    before(() => {
      store = suite.store();
    });

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

    it('tasks: counts by lastStatus and launch type, across clusters', async () => {
      const count = async (lastStatus: string, launchType: string) =>
        (await store.read((tx) => tx.tasks.statusCounts())).find((row) => row.lastStatus === lastStatus && row.launchType === launchType)?.count ?? 0;
      const before = { running: await count('RUNNING', 'FARGATE'), pending: await count('PENDING', 'EC2'), unset: await count('PENDING', 'unset') };
      await store.write(async (tx) => {
        await tx.tasks.put(records.task('sc-a', 't1', { launchType: 'FARGATE', lastStatus: 'RUNNING' }));
        await tx.tasks.put(records.task('sc-b', 't2', { launchType: 'FARGATE', lastStatus: 'RUNNING' }));
        await tx.tasks.put(records.task('sc-b', 't3'));
        const { launchType: _none, ...withoutLaunchType } = records.task('sc-b', 't4');
        await tx.tasks.put(withoutLaunchType);
      });
      assert.equal((await count('RUNNING', 'FARGATE')) - before.running, 2);
      assert.equal((await count('PENDING', 'EC2')) - before.pending, 1);
      assert.equal((await count('PENDING', 'unset')) - before.unset, 1);
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
    it("credentials: each account's root key, and the temporary keys apart from long-term ones", async () => {
      const session = { type: 'SessionToken' as const, issuedAt: 1, expiresAt: 2, issuedTo: 'arn:aws:iam::333344445555:root' };
      await store.write(async (tx) => {
        await tx.credentials.put({ accessKeyId: 'AKIAROOTS1', secretAccessKey: 'x', accountId: '333344445555', principalArn: 'arn:aws:iam::333344445555:root', isRoot: true, createdAt: 1 });
        // Root's session credentials are root's, but not its key.
        await tx.credentials.put({ accessKeyId: 'ASIAROOTS2', secretAccessKey: 'x', accountId: '333344445555', principalArn: 'arn:aws:iam::333344445555:root', isRoot: true, createdAt: 2, sessionToken: 't', session });
        await tx.credentials.put({ accessKeyId: 'AKIAROOTS3', secretAccessKey: 'x', accountId: '333344445555', principalArn: 'arn:aws:iam::333344445555:user/u', isRoot: false, createdAt: 3 });
      });
      const [roots, temporary] = await store.read(async (tx) => [await tx.credentials.roots(), await tx.credentials.temporary()] as const);
      assert.deepEqual(
        roots.filter((root) => root.accountId === '333344445555').map((root) => root.accessKeyId),
        ['AKIAROOTS1'],
      );
      assert.ok(roots.every((root) => root.isRoot && root.sessionToken === undefined));
      assert.deepEqual(
        temporary.filter((record) => record.accountId === '333344445555').map((record) => record.accessKeyId),
        ['ASIAROOTS2'],
      );
    });
    it('certificates with their private keys, listed page by page, and the listeners that serve them', async () => {
      const first = records.certificate('c1');
      const second = records.certificate('c2');
      const key = '-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n';
      const listener = {
        arn: `arn:aws:elasticloadbalancing:${records.region}:${records.account}:listener/app/web/0123456789abcdef/fedcba9876543210`,
        accountId: records.account,
        region: records.region,
        loadBalancerArn: `arn:aws:elasticloadbalancing:${records.region}:${records.account}:loadbalancer/app/web/0123456789abcdef`,
        id: 'fedcba9876543210',
        port: 443,
        protocol: 'HTTPS',
        defaultActions: [],
        certificates: [{ certificateArn: first.arn, isDefault: true }, { certificateArn: second.arn, isDefault: false }],
        sslPolicy: 'ELBSecurityPolicy-2016-08',
        tags: [],
        createdAt: 1,
      };
      await store.write(async (tx) => {
        await tx.certificates.put(first);
        await tx.certificates.putPrivateKey(first.arn, key);
        await tx.certificates.put(second);
        await tx.listeners.put(listener);
      });
      const read = await store.read(async (tx) => ({
        first: await tx.certificates.get(first.arn),
        key: await tx.certificates.getPrivateKey(first.arn),
        page1: await tx.certificates.list(records.account, records.region, { limit: 1 }),
        users: await tx.listeners.usingCertificate(second.arn),
        otherRegion: await tx.certificates.list(records.account, 'eu-west-1', { limit: 10 }),
      }));
      assert.equal(read.first?.domainName, 'c1.example.test');
      assert.equal(read.key, key);
      assert.deepEqual(read.page1.items.map((item) => item.arn), [first.arn]);
      const page2 = await store.read((tx) => tx.certificates.list(records.account, records.region, { limit: 1, after: read.page1.next! }));
      assert.deepEqual(page2.items.map((item) => item.arn), [second.arn]);
      assert.equal(page2.next, undefined);
      assert.deepEqual(read.users.map((user) => user.arn), [listener.arn]);
      assert.deepEqual(read.otherRegion.items, []);
      await store.write(async (tx) => {
        await tx.listeners.delete(listener.arn);
        await tx.certificates.delete(first.arn);
      });
      assert.equal(await store.read((tx) => tx.certificates.getPrivateKey(first.arn)), undefined);
      assert.deepEqual(await store.read((tx) => tx.listeners.usingCertificate(second.arn)), []);
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

  describe('task usage samples', () => {
    let store: Store;
    before(() => {
      store = suite.store();
    });
    const usage = (id: string, receivedAt: number, agentKey = 'ci/1') => ({
      taskArn: records.task('us-c', id).taskArn,
      agentKey,
      receivedAt,
      containers: [{ previous: { name: 'app', sampledAt: receivedAt - 1000, cpuNanoseconds: 1, memoryBytes: 2 }, latest: { name: 'app', sampledAt: receivedAt, cpuNanoseconds: 3, memoryBytes: 4, networkRxBytes: 5 } }],
    });

    it('put replaces a task’s samples; get many, list; delete spares a row written again since it was read', async () => {
      await store.write(async (tx) => {
        for (const id of ['u1', 'u2', 'u3']) await tx.taskUsage.put(usage(id, 1000));
        await tx.taskUsage.put(usage('u1', 2000, 'ci/2'));
      });
      const read = await store.read(async (tx) => ({
        some: await tx.taskUsage.getMany([usage('u1', 0).taskArn, usage('u3', 0).taskArn, usage('none', 0).taskArn]),
        none: await tx.taskUsage.getMany([]),
        all: await tx.taskUsage.list(),
      }));
      assert.deepEqual(
        read.some.sort((a, b) => a.taskArn.localeCompare(b.taskArn)),
        [usage('u1', 2000, 'ci/2'), usage('u3', 1000)],
      );
      assert.deepEqual(read.none, []);
      assert.deepEqual(
        read.all.filter((record) => record.taskArn.includes('/us-c/')).map((record) => [record.taskArn.split('/').pop(), record.receivedAt]),
        [['u1', 2000], ['u2', 1000], ['u3', 1000]],
      );
      // u2 was written again after the read below was taken: its delete leaves it.
      await store.write((tx) => tx.taskUsage.put(usage('u2', 3000)));
      await store.write((tx) => tx.taskUsage.delete([usage('u1', 2000), usage('u2', 1000), usage('none', 1)]));
      const left = await store.read((tx) => tx.taskUsage.getMany(['u1', 'u2', 'u3'].map((id) => usage(id, 0).taskArn)));
      assert.deepEqual(left.map((record) => [record.taskArn.split('/').pop(), record.receivedAt]).sort(), [['u2', 3000], ['u3', 1000]]);
    });

    it('writes of samples are not in the change feed', async () => {
      const seen = collector();
      const subscription = store.changes.watch({}, seen.listener);
      await store.write((tx) => tx.taskUsage.put(usage('u4', 1000)));
      await store.write((tx) => tx.taskUsage.delete([usage('u4', 1000)]));
      await store.write((tx) => tx.clusters.put(records.cluster('us-after')));
      await seen.until(() => seen.changes.some((change) => change.kind === 'cluster' && change.key === records.clusterArn('us-after')));
      subscription.close();
      assert.deepEqual(seen.changes.map((change) => change.kind), ['cluster']);
    });

    it("a reset of an account deletes its tasks' samples and no other account's", async () => {
      const other = { ...usage('u5', 1000), taskArn: usage('u5', 0).taskArn.replace(`:${records.account}:`, ':111122223333:') };
      await store.write(async (tx) => {
        await tx.taskUsage.put(other);
        await tx.taskUsage.put(usage('u6', 1000));
      });
      await store.reset({ kind: 'account', accountId: '111122223333' });
      const left = await store.read((tx) => tx.taskUsage.getMany([other.taskArn, usage('u6', 0).taskArn]));
      assert.deepEqual(left.map((record) => record.taskArn), [usage('u6', 0).taskArn]);
    });
  });

  describe('paging', () => {
    let store: Store;
    before(() => {
      store = suite.store();
    });

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

}
