/**
 * Two control-plane processes on one store: only the lease holder reconciles, the other takes over
 * when the holder goes, and no service ever gets more tasks launched than it asked for.
 *
 * The second controller runs in this process on its own SQLite connections to the same database
 * file, as a second `berth server` would; SQLite's file lock is what serializes the two. Tasks the
 * second one launches reach the agents connected to the first through the first's change feed,
 * which notices the other connection's commits (nothing forwards them).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { CreateClusterCommand, ListTasksCommand, RegisterTaskDefinitionCommand, StopTaskCommand, UpdateServiceCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { randomIds } from '../../src/core/ids.js';
import { AdvancingClock } from '../../src/core/clock.js';
import { seededRng } from '../../src/core/rng.js';
import { ServiceController } from '../../src/controllers/services/controller.js';
import { LeaderLease } from '../../src/store/leader-lease.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { withVersionOf } from '../../src/store/types.js';
import { eventually, simulatedAgent, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { clusterCounts, createServiceInStore } from '../helpers/services.js';

describe('service scheduler leadership', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  let otherStore: SqliteStore;
  let other: ServiceController;
  let otherLease: LeaderLease;
  const agents: TestAgent[] = [];
  // Both controllers, and the lease they race for, run on this clock.
  const clock = new AdvancingClock();

  before(async () => {
    berth = await startBerth({}, { clock });
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    for (let index = 0; index < 4; index++) {
      agents.push(
        await startTestAgent(berth, simulatedAgent({ name: `lease-${index}`, clock, ...(agents[0] ? { dataDir: agents[0].dataDir } : {}) })),
      );
    }
    otherStore = new SqliteStore(berth.dataDir);
    otherLease = new LeaderLease(otherStore, clock, 'second-process', 'service-scheduler', 3);
    other = new ServiceController({
      store: otherStore,
      clock,
      ids: randomIds,
      rng: seededRng(7),
      log: pino({ level: 'silent' }),
      lease: otherLease,
    });
  });
  after(async () => {
    await other?.stop();
    await otherStore?.close();
    for (const agent of agents.reverse()) await agent.close();
    await berth?.close();
  });

  const allTasks = async (status: 'RUNNING' | 'STOPPED') => (await ecs.send(new ListTasksCommand({ serviceName: 'web', desiredStatus: status }))).taskArns ?? [];

  test('with two controllers running, the service gets exactly its desired count; the follower takes over when the leader goes', async () => {
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'app', image: 'simulated/app:1', memory: 64, cpu: 16 }] }));
    // A third process holds the lease for the next 3 seconds: nobody else may act meanwhile.
    await otherStore.write(async (tx) =>
      tx.leases.put(withVersionOf({ name: 'service-scheduler', holder: 'third-process', expiresAt: clock.now().getTime() / 1000 + 3 }, await tx.leases.get('service-scheduler'))),
    );
    other.start();
    await createServiceInStore(berth, { serviceName: 'web', taskDefinition: 'web:1', desiredCount: 12 });
    const passes = async (count: number) => {
      for (let index = 0; index < count; index++) await Promise.all([berth.server.services.settle(), other.settle()]);
    };
    await passes(3);
    assert.equal((await allTasks('RUNNING')).length, 0, 'no task launched while another process leads');
    // The third process's lease runs out; both controllers race for it from here on.
    clock.advance(3_000);
    await eventually(async () => ((await clusterCounts(ecs)).runningTasksCount === 12 ? true : undefined), 30_000, '12 running tasks');
    // Both controllers make several more passes: neither may add a task.
    await passes(5);
    assert.equal((await allTasks('RUNNING')).length, 12);
    assert.equal((await allTasks('STOPPED')).length, 0, 'no task was launched twice and then scaled away');

    const holder = await otherStore.read((tx) => tx.leases.get('service-scheduler'));
    assert.ok(holder, 'a lease was taken');
    const follower = holder.holder === otherLease.holder ? berth.server.services : other;
    const leader = follower === other ? berth.server.services : other;
    await leader.stop();
    const [victim] = await allTasks('RUNNING');
    await ecs.send(new StopTaskCommand({ task: victim!, reason: 'test' }));
    await eventually(
      async () => {
        const running = await allTasks('RUNNING');
        return running.length === 12 && !running.includes(victim!) ? true : undefined;
      },
      20_000,
      'the follower to replace the stopped task',
    );
    const lease = await otherStore.read((tx) => tx.leases.get('service-scheduler'));
    assert.notEqual(lease?.holder, holder.holder, 'the lease changed hands');
  });

  test('tasks the other process launches reach the agents connected to this one through its change feed, not a full resync', async () => {
    // Only the second controller runs from here on; the agents stay connected to the first process,
    // whose hub sends full lists only on connect and every minute.
    await berth.server.services.stop();
    other.start();
    await ecs.send(new UpdateServiceCommand({ service: 'web', desiredCount: 14 }));
    const started = Date.now();
    await eventually(async () => ((await clusterCounts(ecs)).runningTasksCount === 14 ? true : undefined), 15_000, '14 running tasks');
    assert.ok(Date.now() - started < 15_000);
  });
});
