/**
 * The usage samples agents send for their tasks (agent channel `stats` messages), kept in the
 * record store (store/contract/usage.ts): per task and container the last two cumulative samples,
 * which give the rates the ECS metrics need. The control plane an agent is connected to writes
 * them, one transaction per message; the one holding the `ecs-metrics` lease reads them, whichever
 * it is, and deletes the rows of tasks no longer running.
 *
 *   sample at t=0 s: cpu 40 s, sample at t=10 s: cpu 42.5 s → 0.25 vCPU → 256 CPU units
 */
import type { TaskStats } from '../agent-channel-protocol/messages.js';
import type { Store, TaskUsageRecord } from '../store/types.js';
import { cpuUnitsUsed } from './ecs-utilization.js';

export interface MeasuredUsage {
  cpuUnitsUsed: number;
  memoryMiBUsed: number;
  networkRxBytesPerSecond?: number;
  networkTxBytesPerSecond?: number;
  /** The latest sample's time (epoch ms). */
  sampledAt: number;
}

/**
 * A task's record once `task`'s samples from `agentKey` are in. A sample no newer than the one
 * held is ignored (a resent or reordered message); a task that moved to another agent starts afresh.
 */
export function mergeSamples(held: TaskUsageRecord | undefined, agentKey: string, task: TaskStats, receivedAt: number): TaskUsageRecord {
  const containers = new Map(held && held.agentKey === agentKey ? held.containers.map((entry) => [entry.latest.name, entry]) : []);
  for (const sample of task.containers) {
    const entry = containers.get(sample.name);
    if (entry && sample.sampledAt <= entry.latest.sampledAt) continue;
    // A container that restarted counts from zero again: its older sample says nothing of the new one.
    const restarted = entry !== undefined && sample.cpuNanoseconds < entry.latest.cpuNanoseconds;
    containers.set(sample.name, entry && !restarted ? { previous: entry.latest, latest: sample } : { latest: sample });
  }
  return { taskArn: task.taskArn, agentKey, receivedAt, containers: [...containers.values()] };
}

/**
 * A task's usage between its last two samples, as sent by the agent it is assigned to (`agentKey`);
 * undefined until two samples of a container are in, and when none came since `receivedSince`
 * (the control plane's clock, epoch ms): an agent gone silent does not leave its last rate
 * published as if the task still ran that way.
 */
export function measuredUsage(record: TaskUsageRecord | undefined, agentKey: string, receivedSince: number): MeasuredUsage | undefined {
  if (!record || record.agentKey !== agentKey || record.receivedAt < receivedSince) return undefined;
  let measured: MeasuredUsage | undefined;
  for (const { previous, latest } of record.containers) {
    if (!previous) continue;
    const wallMs = latest.sampledAt - previous.sampledAt;
    const seconds = wallMs / 1000;
    const rate = (later: number | undefined, earlier: number | undefined) => (later === undefined || earlier === undefined || seconds <= 0 ? undefined : Math.max(0, later - earlier) / seconds);
    const rx = rate(latest.networkRxBytes, previous.networkRxBytes);
    const tx = rate(latest.networkTxBytes, previous.networkTxBytes);
    measured ??= { cpuUnitsUsed: 0, memoryMiBUsed: 0, sampledAt: 0 };
    measured.cpuUnitsUsed += cpuUnitsUsed(latest.cpuNanoseconds - previous.cpuNanoseconds, wallMs);
    measured.memoryMiBUsed += latest.memoryBytes / (1024 * 1024);
    measured.sampledAt = Math.max(measured.sampledAt, latest.sampledAt);
    if (rx !== undefined) measured.networkRxBytesPerSecond = (measured.networkRxBytesPerSecond ?? 0) + rx;
    if (tx !== undefined) measured.networkTxBytesPerSecond = (measured.networkTxBytesPerSecond ?? 0) + tx;
  }
  return measured;
}

/** Writes the samples agents send into the store: what the agent channel hands them to. */
export class TaskUsageRecorder {
  constructor(private readonly store: Store) {}

  /** One agent message's samples, merged with the rows held, in one transaction. */
  async record(agentKey: string, stats: readonly TaskStats[], receivedAt: number): Promise<void> {
    if (stats.length === 0) return;
    await this.store.write(async (tx) => {
      const held = new Map((await tx.taskUsage.getMany(stats.map((task) => task.taskArn))).map((record) => [record.taskArn, record]));
      for (const task of stats) {
        const record = mergeSamples(held.get(task.taskArn), agentKey, task, receivedAt);
        // A message naming a task twice: the second merges with the first.
        held.set(task.taskArn, record);
        await tx.taskUsage.put(record);
      }
    });
  }
}
