/** Conformance: atomicity and the change feed (order, completeness, no phantom, readAndWatch, other store objects, `lost`). */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Store } from '../../../src/store/types.js';
import type { StoreLocation } from '../conformance.js';
import * as records from '../records.js';
import { collector, page, type ConformanceSuite } from './support.js';

export function feedCases(suite: ConformanceSuite): void {
  describe('atomicity and the change feed', () => {
    let store: Store;
    let location: StoreLocation;
    before(() => {
      store = suite.store();
      location = suite.location();
    });

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

    it('backlog: the changes published that a subscriber has yet to receive, none once delivered', async () => {
      const seen = collector();
      const subscription = store.changes.watch({ kinds: ['cluster'] }, seen.listener);
      assert.equal(store.changes.backlog(), 0);
      await store.write(async (tx) => {
        for (const name of ['backlog-a', 'backlog-b', 'backlog-c']) await tx.clusters.put(records.cluster(name));
      });
      // Delivered whole or not yet at all: a transaction's changes arrive together.
      assert.ok([0, 3].includes(store.changes.backlog()), `backlog ${store.changes.backlog()}`);
      await seen.until(() => seen.changes.length >= 3);
      assert.equal(store.changes.backlog(), 0);
      subscription.close();
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
      const small = await suite.backend.create();
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

}
