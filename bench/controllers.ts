/**
 * Service controller benchmark (prints figures, asserts nothing): with N services in the store
 * (written straight through it, desiredCount 0, spread over 4 clusters, no containers), how long
 * the controller works when ONE service changes:
 *  - before: what the controller did up to the change feed, a full pass (every live service
 *    reconciled, one transaction each) after any change;
 *  - after: the change reaches the runner through the feed and only that service is reconciled
 *    (`settle()` after one write, and the one reconcile on its own).
 * Medians of several runs, at N = 500 and N = 5,000. Target: after well under 5 ms, the same at both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { systemClock } from '../src/core/clock.js';
import { randomIds } from '../src/core/ids.js';
import { seededRng } from '../src/core/rng.js';
import { ServiceController } from '../src/controllers/services/controller.js';
import { recordDeployment } from '../src/ecs/services/deployments.js';
import { withDefaults } from '../src/ecs/services/model.js';
import { LeaderLease } from '../src/store/leader-lease.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { ServiceRecord, TaskDefinitionRecord } from '../src/store/types.js';
import { fmt } from './support.js';

const prefix = 'arn:aws:ecs:us-east-1:000000000000';
const clusters = 4;
const runs = 9;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function writeServices(store: SqliteStore, count: number): Promise<string[]> {
  const now = Date.now() / 1000;
  const definition = {
    taskDefinitionArn: `${prefix}:task-definition/bench:1`,
    family: 'bench',
    revision: 1,
    status: 'ACTIVE',
    containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }],
    requiresCompatibilities: ['EC2'],
    compatibilities: ['EC2'],
    networkMode: 'bridge',
    registeredAt: now,
    tags: [],
  } as unknown as TaskDefinitionRecord;
  const arns: string[] = [];
  await store.write(async (tx) => {
    await tx.taskDefinitions.put(definition);
    for (let index = 0; index < clusters; index++) {
      await tx.clusters.put({ clusterArn: `${prefix}:cluster/bench-${index}`, clusterName: `bench-${index}`, status: 'ACTIVE' } as never);
    }
    for (let index = 0; index < count; index++) {
      const cluster = `bench-${index % clusters}`;
      const service: ServiceRecord = {
        serviceArn: `${prefix}:service/${cluster}/svc-${index}`,
        serviceName: `svc-${index}`,
        clusterArn: `${prefix}:cluster/${cluster}`,
        status: 'ACTIVE',
        desiredCount: 0,
        schedulingStrategy: 'REPLICA',
        launchType: 'EC2',
        createdAt: now,
        deployments: [],
        events: [],
        tags: [],
        deploymentConfiguration: withDefaults(undefined, 'REPLICA'),
        version: 1,
      };
      await recordDeployment(tx, service, { taskDefinition: definition.taskDefinitionArn, launchType: 'EC2' }, definition, { now, ids: randomIds });
      arns.push(service.serviceArn);
    }
  });
  return arns;
}

/** One service changed the way UpdateService changes it: a new version of its record. */
async function touch(store: SqliteStore, arn: string, run: number): Promise<void> {
  await store.write(async (tx) => {
    const service = await tx.services.get(arn);
    if (!service) throw new Error(`no service ${arn}`);
    await tx.services.put({ ...service, tags: [{ key: 'run', value: String(run) }], version: service.version + 1 });
  });
}

async function measure(count: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-controllers-'));
  const store = new SqliteStore(dataDir);
  const controller = new ServiceController({
    store,
    clock: systemClock,
    ids: randomIds,
    rng: seededRng(1),
    log: pino({ level: 'silent' }),
    lease: new LeaderLease(store, systemClock, 'bench', 'service-scheduler', 60),
  });
  try {
    const arns = await writeServices(store, count);
    // Counts the services the runner reconciles, to show that one change costs one reconcile.
    let reconciled = 0;
    const reconcile = controller.reconcile.bind(controller);
    controller.reconcile = (key) => {
      reconciled++;
      return reconcile(key);
    };
    controller.start();
    // The first pass reconciles every service once; not measured.
    await controller.settle();

    const fullPass: number[] = [];
    const settleOne: number[] = [];
    const reconcileOne: number[] = [];
    for (let run = 0; run < runs; run++) {
      const arn = arns[(run * 7919) % arns.length]!;

      // Before: one change, then every live service reconciled.
      await touch(store, arn, run);
      let started = performance.now();
      for (const { serviceArn } of await store.read((tx) => tx.services.listLive())) await controller.reconcile(serviceArn);
      fullPass.push(performance.now() - started);
      // The change itself is still queued for the runner: let it go before the next measurement.
      await controller.settle();

      // After: one change, the runner reconciles that service alone.
      await touch(store, arn, run);
      reconciled = 0;
      started = performance.now();
      await controller.settle();
      settleOne.push(performance.now() - started);
      if (reconciled !== 1) throw new Error(`one change made the runner reconcile ${reconciled} services`);

      started = performance.now();
      await controller.reconcile(arn);
      reconcileOne.push(performance.now() - started);
    }
    // A container instance change (every task placed or stopped changes its instance's
    // reservations) concerns the services with tasks on it and those waiting for room: none here.
    const instanceArn = `${prefix}:container-instance/bench-0/${'0'.repeat(32)}`;
    const instanceWrites: number[] = [];
    for (let run = 0; run < runs; run++) {
      await store.write(async (tx) => {
        const existing = await tx.containerInstances.get(instanceArn);
        await tx.containerInstances.put({
          ...(existing ?? { containerInstanceArn: instanceArn, clusterArn: `${prefix}:cluster/bench-0`, status: 'ACTIVE', tags: [] }),
          attributes: [{ name: 'run', value: String(run) }],
        } as never);
      });
      reconciled = 0;
      const started = performance.now();
      await controller.settle();
      instanceWrites.push(performance.now() - started);
      if (reconciled !== 0) throw new Error(`a container instance change with no task on it made the runner reconcile ${reconciled} services`);
    }
    console.log(
      `${String(count).padStart(5)} services: before (full pass after one change) ${fmt(median(fullPass), 1).padStart(8)} ms;` +
        ` after: settle() ${fmt(median(settleOne), 2)} ms, the one reconcile ${fmt(median(reconcileOne), 2)} ms;` +
        ` a container instance change: settle() ${fmt(median(instanceWrites), 2)} ms, 0 services reconciled (medians of ${runs})`,
    );
  } finally {
    await controller.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function main(): Promise<void> {
  for (const count of [500, 5_000]) await measure(count);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
