/**
 * `npm run bench:store`: the SQLite store on its own, no server.
 *
 * - change feed: 20,000 task puts in transactions of 100, ten subscribers; the time until every
 *   subscriber has received every change, as changes per second (and deliveries per second);
 * - writes: tasks created one per transaction, then each updated by a read-modify-write in one
 *   transaction (what every controller step does), in writes per second.
 *
 * - usage samples: 500 tasks of one container each, on agents of 50 (and then one agent of all
 *   500), every task sampled in each round, one transaction per agent message as the agent channel
 *   writes them; samples per second against the 50/s that 500 tasks sampled every 10 s need, and
 *   the time to read them all back as the ECS metrics publisher does once per period.
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
import { TaskUsageRecorder } from '../src/metrics/task-usage.js';
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

async function usageThroughput(tasks = 500, perAgent = 50, rounds = 100): Promise<void> {
  await withStore(async (store) => {
    const recorder = new TaskUsageRecorder(store);
    const agents = Math.ceil(tasks / perAgent);
    const message = (agent: number, round: number) =>
      Array.from({ length: Math.min(perAgent, tasks - agent * perAgent) }, (_, index) => ({
        taskArn: `arn:aws:ecs:us-east-1:000000000000:task/bench/a${agent}t${index}`,
        containers: [{ name: 'app', sampledAt: round * 10_000, cpuNanoseconds: round * 2.5e9, memoryBytes: 64 << 20, networkRxBytes: round * 1000, networkTxBytes: round * 500 }],
      }));
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (let round = 1; round <= rounds; round++) {
      for (let agent = 0; agent < agents; agent++) await recorder.record(`ci/${agent}`, message(agent, round), round * 10_000);
    }
    const ms = performance.now() - started;
    const usedCpu = cpuMs(cpu);
    const samples = tasks * rounds;
    const readStarted = performance.now();
    const held = await store.read((tx) => tx.taskUsage.list());
    const readMs = performance.now() - readStarted;
    console.log(`usage samples: ${tasks} tasks, ${perAgent} per agent message, ${rounds} rounds (${(agents * rounds).toLocaleString('en-US')} transactions)`);
    console.log(`  ${rate(samples, ms)} samples/s, ${rate(agents * rounds, ms)} messages/s (${((usedCpu / samples) * 1000).toFixed(0)} µs CPU per sample); 500 tasks every 10 s is 50 samples/s`);
    console.log(`  the publisher's read of all ${held.length} rows: ${readMs.toFixed(1)} ms`);
  });
}

export async function main(runs = 3): Promise<void> {
  for (let run = 1; run <= runs; run++) {
    console.log(`-- run ${run} of ${runs}`);
    await feedThroughput();
    await writeThroughput();
    await usageThroughput();
    await usageThroughput(500, 500);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
