/** The controller runner over a real SQLite store (temp dir), with fake reconcilers keyed by cluster ARN. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { pino } from 'pino';
import { ManualClock } from '../../../src/core/clock.js';
import { done, requeueAfter, type Controller, type Reconciled } from '../../../src/controllers/controller.js';
import { ControllerRunner } from '../../../src/controllers/runner.js';
import { LeaderLease } from '../../../src/store/leader-lease.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { withVersionOf, type Store } from '../../../src/store/types.js';
import { Telemetry } from '../../../src/telemetry/telemetry.js';

const account = '000000000000';
const arnOf = (name: string) => `arn:aws:ecs:us-east-1:${account}:cluster/${name}`;

async function putClusters(store: Store, ...names: string[]): Promise<void> {
  await store.write(async (tx) => {
    for (const name of names) {
      const existing = await tx.clusters.get(arnOf(name));
      // An update carries the version it read (optimistic concurrency); a new record has none.
      const record = { clusterArn: arnOf(name), clusterName: name, status: existing ? 'UPDATED' : 'ACTIVE' };
      await tx.clusters.put((existing ? withVersionOf(record, existing) : record) as never);
    }
  });
}

/** A controller over clusters that counts its reconciles per key and answers what `decide` says. */
function fakeController(options: { decide?: (key: string, count: number) => Promise<Reconciled> | Reconciled; lease?: LeaderLease } = {}) {
  const counts = new Map<string, number>();
  const order: string[] = [];
  const controller: Controller = {
    name: 'fake',
    watch: { kinds: ['cluster'], keysOf: (changes) => changes.map((change) => change.key) },
    listKeys: async (tx) => (await tx.clusters.list(account, 'us-east-1', { limit: 1000 })).items.map((cluster) => cluster.clusterArn),
    reconcile: async (key) => {
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      order.push(key);
      return (await options.decide?.(key, count)) ?? done;
    },
    ...(options.lease ? { lease: options.lease } : {}),
  };
  return { controller, counts, order };
}

describe('controller runner', () => {
  let dir: string;
  let store: SqliteStore;
  let clock: ManualClock;
  const runners: ControllerRunner[] = [];
  const logged: { msg: string; key?: string; retryInMs?: number }[] = [];
  const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  const run = (controller: Controller) => {
    const runner = new ControllerRunner(controller, { store, clock, log, retryBaseMs: 1_000, retryCapMs: 4_000 });
    runners.push(runner);
    runner.start();
    return runner;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-runner-'));
    store = new SqliteStore(dir, { changes: { pollMs: 0 } });
    clock = new ManualClock();
    logged.length = 0;
  });
  afterEach(async () => {
    for (const runner of runners.splice(0)) await runner.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  after(() => undefined);

  test('the first pass reconciles every key; after that only the keys a change concerns, once per batch', async () => {
    await putClusters(store, 'a', 'b', 'c');
    const fake = fakeController();
    const runner = run(fake.controller);
    await runner.settle();
    assert.deepEqual([...fake.counts.values()], [1, 1, 1]);

    // Three writes of b in one transaction, and one of a new cluster: b once, d once, a and c untouched.
    await store.write(async (tx) => {
      for (let index = 0; index < 3; index++) {
        const b = await tx.clusters.get(arnOf('b'));
        await tx.clusters.put({ ...b!, status: `ACTIVE-${index}` } as never);
      }
    });
    await putClusters(store, 'd');
    await runner.settle();
    assert.deepEqual(Object.fromEntries(fake.counts), { [arnOf('a')]: 1, [arnOf('b')]: 2, [arnOf('c')]: 1, [arnOf('d')]: 1 });
    assert.deepEqual(runner.queued(), { dirty: 0, delayed: 0 });
  });

  test('a key that asks to be requeued is reconciled again once the clock has moved on, not before', async () => {
    await putClusters(store, 'a', 'b');
    const fake = fakeController({ decide: (key, count) => (key === arnOf('a') && count === 1 ? requeueAfter(10_000) : done) });
    const runner = run(fake.controller);
    await runner.settle();
    assert.equal(fake.counts.get(arnOf('a')), 1);
    assert.deepEqual(runner.queued(), { dirty: 0, delayed: 1 });

    clock.advance(9_999);
    await runner.settle();
    assert.equal(fake.counts.get(arnOf('a')), 1, 'not due yet');
    clock.advance(1);
    await runner.settle();
    assert.equal(fake.counts.get(arnOf('a')), 2);
    assert.equal(fake.counts.get(arnOf('b')), 1, 'the other key is left alone');
    assert.deepEqual(runner.queued(), { dirty: 0, delayed: 0 });
  });

  test('a change to a delayed key reconciles it at once, and its delay is replaced by what that reconcile answers', async () => {
    await putClusters(store, 'a');
    const fake = fakeController({ decide: (_key, count) => (count === 1 ? requeueAfter(60_000) : done) });
    const runner = run(fake.controller);
    await runner.settle();
    await putClusters(store, 'a');
    await runner.settle();
    assert.equal(fake.counts.get(arnOf('a')), 2);
    assert.deepEqual(runner.queued(), { dirty: 0, delayed: 0 });
  });

  test('a failing reconcile is logged and retried after a back-off that doubles, up to its cap', async () => {
    await putClusters(store, 'a');
    const fake = fakeController({
      decide: (_key, count) => {
        if (count <= 4) throw new Error(`failure ${count}`);
        return done;
      },
    });
    const runner = run(fake.controller);
    await runner.settle();
    assert.equal(fake.counts.get(arnOf('a')), 1);
    // Back-offs: 1 s, 2 s, 4 s, 4 s (capped).
    for (const [wait, attempts] of [
      [999, 1],
      [1, 2],
      [1_999, 2],
      [1, 3],
      [4_000, 4],
      [4_000, 5],
    ] as const) {
      clock.advance(wait);
      await runner.settle();
      assert.equal(fake.counts.get(arnOf('a')), attempts, `after ${wait} ms more`);
    }
    assert.deepEqual(
      logged.map((entry) => entry.retryInMs),
      [1_000, 2_000, 4_000, 4_000],
    );
    assert.ok(logged.every((entry) => entry.key === arnOf('a') && /reconcile failed/.test(entry.msg)));
    assert.deepEqual(runner.queued(), { dirty: 0, delayed: 0 });
  });

  test('a key changed while it is being reconciled is reconciled again after', async () => {
    await putClusters(store, 'a');
    const fake = fakeController({
      decide: async (key, count) => {
        // The reconcile itself changes its record (as a controller that launches tasks does).
        if (count === 1) await putClusters(store, 'a');
        assert.ok(key);
        return done;
      },
    });
    const runner = run(fake.controller);
    await runner.settle();
    assert.equal(fake.counts.get(arnOf('a')), 2);
  });

  test('with a lease, only the holder reconciles; when it stops, the other takes over and lists every key', async () => {
    await putClusters(store, 'a', 'b');
    const otherStore = new SqliteStore(dir, { changes: { pollMs: 0 } });
    try {
      const first = fakeController({ lease: new LeaderLease(store, clock, 'first', 'fake', 15) });
      const second = fakeController({ lease: new LeaderLease(otherStore, clock, 'second', 'fake', 15) });
      const leader = run(first.controller);
      await leader.settle();
      const follower = new ControllerRunner(second.controller, { store: otherStore, clock, log });
      follower.start();
      try {
        await follower.settle();
        assert.equal(first.order.length, 2);
        assert.equal(second.order.length, 0, 'the follower reconciles nothing while the other leads');

        await putClusters(store, 'c');
        await leader.settle();
        await follower.settle();
        assert.equal(first.counts.get(arnOf('c')), 1);
        assert.equal(second.order.length, 0);

        await leader.stop();
        await putClusters(store, 'd');
        await follower.settle();
        assert.deepEqual(second.order.sort(), [arnOf('a'), arnOf('b'), arnOf('c'), arnOf('d')], 'the new leader lists every key');
      } finally {
        await follower.stop();
      }
    } finally {
      await otherStore.close();
    }
  });

  test('after stop nothing is reconciled; a new start lists every key again', async () => {
    await putClusters(store, 'a');
    const fake = fakeController();
    const runner = run(fake.controller);
    await runner.settle();
    await runner.stop();
    await putClusters(store, 'a', 'b');
    await new Promise((resolve) => setImmediate(resolve));
    await runner.settle();
    assert.deepEqual(Object.fromEntries(fake.counts), { [arnOf('a')]: 1 });
    runner.start();
    await runner.settle();
    assert.deepEqual(Object.fromEntries(fake.counts), { [arnOf('a')]: 2, [arnOf('b')]: 1 });
  });

  test('reports each reconcile by outcome, and its queue, to the telemetry', async () => {
    await putClusters(store, 'ok', 'broken');
    const telemetry = new Telemetry();
    const fake = fakeController({
      decide: (key) => {
        if (key === arnOf('broken')) throw new Error('reconcile failed on purpose');
        return done;
      },
    });
    const runner = new ControllerRunner(fake.controller, { store, clock, log, retryBaseMs: 1_000, retryCapMs: 4_000, telemetry });
    runners.push(runner);
    runner.start();
    await runner.settle();
    const text = (await telemetry.exposition()).body;
    assert.match(text, /berth_controller_reconcile_duration_seconds_count\{controller="fake",outcome="ok"\} 1\n/);
    assert.match(text, /berth_controller_reconcile_duration_seconds_count\{controller="fake",outcome="error"\} 1\n/);
    // The broken key waits out its back-off.
    assert.match(text, /berth_controller_queue_keys\{controller="fake",state="delayed"\} 1\n/);
    assert.match(text, /berth_controller_queue_keys\{controller="fake",state="dirty"\} 0\n/);
  });
});
