/**
 * The latest usage samples agents sent for their tasks (agent channel `stats` messages), in memory:
 * per task and container the last two cumulative samples, which give the rates the ECS metrics
 * need. A task no longer running is forgotten when the publisher says which still run; a lost
 * sample only means a missing point, so nothing here is stored durably.
 *
 *   sample at t=0 s: cpu 40 s, sample at t=10 s: cpu 42.5 s → 0.25 vCPU → 256 CPU units
 */
import type { ContainerStats, TaskStats } from '../agent-channel-protocol/messages.js';
import { cpuUnitsUsed } from './ecs-utilization.js';

export interface MeasuredUsage {
  cpuUnitsUsed: number;
  memoryMiBUsed: number;
  networkRxBytesPerSecond?: number;
  networkTxBytesPerSecond?: number;
  /** The latest sample's time (epoch ms). */
  sampledAt: number;
}

/** A task whose samples stopped arriving this long ago is forgotten even where no publisher prunes (a process not holding the lease). */
const forgetAfterMs = 10 * 60_000;

interface ContainerSamples {
  previous?: ContainerStats;
  latest: ContainerStats;
}

export class TaskUsageBook {
  private readonly tasks = new Map<string, { agentKey: string; receivedAt: number; containers: Map<string, ContainerSamples> }>();
  private prunedAt = Number.NEGATIVE_INFINITY;

  /**
   * Takes one agent's samples. A sample no newer than the one held is ignored (a resent or
   * reordered message); a task that moved to another agent starts afresh.
   */
  record(agentKey: string, stats: readonly TaskStats[], receivedAt: number): void {
    if (receivedAt - this.prunedAt >= 60_000) {
      this.prunedAt = receivedAt;
      for (const [taskArn, entry] of this.tasks) if (entry.receivedAt < receivedAt - forgetAfterMs) this.tasks.delete(taskArn);
    }
    for (const task of stats) {
      let entry = this.tasks.get(task.taskArn);
      if (!entry || entry.agentKey !== agentKey) this.tasks.set(task.taskArn, (entry = { agentKey, receivedAt, containers: new Map() }));
      entry.receivedAt = receivedAt;
      const containers = entry.containers;
      for (const sample of task.containers) {
        const held = containers.get(sample.name);
        if (held && sample.sampledAt <= held.latest.sampledAt) continue;
        // A container that restarted counts from zero again: its older sample says nothing of the new one.
        const restarted = held !== undefined && sample.cpuNanoseconds < held.latest.cpuNanoseconds;
        containers.set(sample.name, held && !restarted ? { previous: held.latest, latest: sample } : { latest: sample });
      }
    }
  }

  /**
   * A task's usage between its last two samples, as sent by the agent it is assigned to (`agentKey`);
   * undefined until two samples of a container are in, and when none came since `receivedSince`
   * (the control plane's clock, epoch ms): an agent gone silent does not leave its last rate
   * published as if the task still ran that way.
   */
  usageOf(taskArn: string, agentKey: string, receivedSince: number): MeasuredUsage | undefined {
    const entry = this.tasks.get(taskArn);
    if (!entry || entry.agentKey !== agentKey || entry.receivedAt < receivedSince) return undefined;
    let measured: MeasuredUsage | undefined;
    for (const { previous, latest } of entry.containers.values()) {
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

  /** The tasks samples are held for. */
  taskArns(): string[] {
    return [...this.tasks.keys()];
  }

  /** Forgets every task but these (the ones still running). */
  retainOnly(taskArns: ReadonlySet<string>): void {
    for (const taskArn of this.tasks.keys()) if (!taskArns.has(taskArn)) this.tasks.delete(taskArn);
  }

  /** Forgets everything (a reset). */
  clear(): void {
    this.tasks.clear();
  }
}
