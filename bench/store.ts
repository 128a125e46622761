/**
 * `npm run bench:store`: the SQLite store on its own, no server.
 *
 * - change feed: 20,000 task puts in transactions of 100, ten subscribers; the time until every
 *   subscriber has received every change, as changes per second (and deliveries per second);
 * - writes: tasks created one per transaction, then each updated by a read-modify-write in one
 *   transaction (what every controller step does), in writes per second.
 *
 * Each runs three times on a fresh store (the machine is shared; the best run is the least
 * disturbed one). Prints figures; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { ChangeBatch } from '../src/store/changes.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { TaskRecord } from '../src/store/types.js';

const clusterArn = 'arn:aws:ecs:us-east-1:000000000000:cluster/bench';

function task(id: string): TaskRecord {
  return {
    taskArn: `arn:aws:ecs:us-east-1:000000000000:task/bench/${id}`,
    clusterArn,
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1',
    lastStatus: 'PENDING',
    desiredStatus: 'RUNNING',
    launchType: 'EC2',
    group: 'service:web',
    version: 1,
    tags: [],
  };
}

async function withStore<T>(fn: (store: SqliteStore) => Promise<T>): Promise<T> {
  const root = mkdtempSync(join(tmpdir(), 'berth-bench-store-'));
  const store = new SqliteStore(join(root, 'data'), { keyFile: join(root, 'key'), changes: { pollMs: 0 } });
  try {
    return await fn(store);
  } finally {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000).toLocaleString('en-US');

/** CPU time this process used since `since` (user + system, ms): steadier than wall time on a shared machine. */
const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

async function feedThroughput(total = 20_000, batch = 100, subscribers = 10): Promise<void> {
  await withStore(async (store) => {
    const received = new Array<number>(subscribers).fill(0);
    let resolveAll!: () => void;
    const all = new Promise<void>((resolve) => (resolveAll = resolve));
    const subscriptions = received.map((_, index) =>
      store.changes.watch({ kinds: ['task'] }, (delivered: ChangeBatch) => {
        received[index]! += delivered.changes.length;
        if (received.every((count) => count >= total)) resolveAll();
      }),
    );
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (let first = 0; first < total; first += batch) {
      await store.write(async (tx) => {
        for (let i = first; i < first + batch; i++) await tx.tasks.put(task(`feed-${i}`));
      });
    }
    const written = performance.now() - started;
    const writtenCpu = cpuMs(cpu);
    await all;
    const ms = performance.now() - started;
    for (const subscription of subscriptions) subscription.close();
    console.log(`change feed: ${total.toLocaleString('en-US')} task puts in transactions of ${batch}, ${subscribers} subscribers`);
    console.log(`  written in ${written.toFixed(0)} ms (${writtenCpu.toFixed(0)} ms CPU); all subscribers had every change after ${ms.toFixed(0)} ms (${cpuMs(cpu).toFixed(0)} ms CPU)`);
    console.log(`  ${rate(total, ms)} changes/s end to end, ${rate(total * subscribers, ms)} deliveries/s`);
  });
}

async function writeThroughput(total = 5_000): Promise<void> {
  await withStore(async (store) => {
    let started = performance.now();
    let cpu = process.cpuUsage();
    for (let i = 0; i < total; i++) await store.write((tx) => tx.tasks.put(task(`w-${i}`)));
    const created = performance.now() - started;
    const createdCpu = cpuMs(cpu);
    started = performance.now();
    cpu = process.cpuUsage();
    for (let i = 0; i < total; i++) {
      await store.write(async (tx) => {
        const current = await tx.tasks.get(task(`w-${i}`).taskArn);
        await tx.tasks.put({ ...current!, lastStatus: 'RUNNING' });
      });
    }
    const updated = performance.now() - started;
    const updatedCpu = cpuMs(cpu);
    console.log(`writes: ${total.toLocaleString('en-US')} tasks, one transaction each`);
    console.log(`  create: ${rate(total, created)} writes/s (${((createdCpu / total) * 1000).toFixed(0)} µs CPU each)`);
    console.log(`  read-modify-write update: ${rate(total, updated)} writes/s (${((updatedCpu / total) * 1000).toFixed(0)} µs CPU each)`);
  });
}

export async function main(runs = 3): Promise<void> {
  for (let run = 1; run <= runs; run++) {
    console.log(`-- run ${run} of ${runs}`);
    await feedThroughput();
    await writeThroughput();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
