/** Conformance: optimistic concurrency (stale put, double insert, stale delete, writing twice) and the bounded retry. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { StoreConflict, versionOf, withVersionOf, writeAttempts, type Store } from '../../../src/store/types.js';
import type { StoreLocation } from '../conformance.js';
import * as records from '../records.js';
import { page, type ConformanceSuite } from './support.js';

export function versionCases(suite: ConformanceSuite): void {
  describe('versions', () => {
    let store: Store;
    let location: StoreLocation;
    before(() => {
      store = suite.store();
      location = suite.location();
    });

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

    it('sees a write by another store object on the same data (another control plane) as a conflict', async () => {
      const other = await location.open();
      try {
        const created = records.service('ver-other', 'api');
        await store.write((tx) => tx.services.put(created));
        const read = await store.read((tx) => tx.services.get(created.serviceArn));
        const theirs = await other.read((tx) => tx.services.get(created.serviceArn));
        await other.write((tx) => tx.services.put({ ...theirs!, desiredCount: 5 }));
        await assert.rejects(store.write((tx) => tx.services.put({ ...read!, desiredCount: 2 })), StoreConflict);
        // Read inside the write, the same change goes through on top of theirs.
        await store.write(async (tx) => {
          const current = await tx.services.get(created.serviceArn);
          await tx.services.put({ ...current!, desiredCount: current!.desiredCount + 1 });
        });
        assert.equal((await other.read((tx) => tx.services.get(created.serviceArn)))?.desiredCount, 6);
      } finally {
        await other.close();
      }
    });

    it('replaces a record built afresh when it carries the version of the one read (withVersionOf)', async () => {
      const lease = { name: 'ver-fresh', holder: 'a', expiresAt: 1 };
      await store.write((tx) => tx.leases.put(lease));
      await assert.rejects(store.write((tx) => tx.leases.put({ name: 'ver-fresh', holder: 'b', expiresAt: 2 })), StoreConflict);
      await store.write(async (tx) => tx.leases.put(withVersionOf({ name: 'ver-fresh', holder: 'b', expiresAt: 2 }, await tx.leases.get('ver-fresh'))));
      assert.equal((await store.read((tx) => tx.leases.get('ver-fresh')))?.holder, 'b');
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

}
