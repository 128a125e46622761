/**
 * The storage contract of task usage samples: per task, the last two cumulative samples of each of
 * its containers that its agent sent (the agent channel's `stats`), which give the rates the ECS
 * metrics need (metrics/task-usage.ts). The control plane an agent is connected to writes them;
 * whichever control plane sharing the store publishes the metrics reads them.
 *
 * Not a versioned record and not in the change feed: samples arrive every few seconds for every
 * running task, nobody reacts to one, and a lost sample is only a missing point. A write replaces
 * the task's row whole (the writer merges inside its transaction). Times are epoch milliseconds.
 */
import type { ContainerStats } from '../../agent-channel-protocol/messages.js';

/** One container's usage as its agent sent it (cumulative, so two samples give a rate), stored as is. */
export type UsageSample = ContainerStats;

export interface TaskUsageRecord {
  taskArn: string;
  /** The agent that sent the samples: only the agent a task is assigned to is believed about it. */
  agentKey: string;
  /** When the control plane received the latest samples (its clock). */
  receivedAt: number;
  /** Per container, its latest sample and the one before (absent until a second came). */
  containers: { previous?: UsageSample; latest: UsageSample }[];
}

export interface TaskUsageTable {
  /** The records held for these tasks (those that have one). */
  getMany(taskArns: readonly string[]): Promise<TaskUsageRecord[]>;
  /** Every record held. */
  list(): Promise<TaskUsageRecord[]>;
  /** Inserts or replaces the task's record. */
  put(record: TaskUsageRecord): Promise<void>;
  /**
   * Deletes each task's record unless it was written again since it was read (its `receivedAt`
   * differs), so a sample that arrived meanwhile is not lost with it.
   */
  delete(records: readonly Pick<TaskUsageRecord, 'taskArn' | 'receivedAt'>[]): Promise<void>;
}

export interface UsageTables {
  taskUsage: TaskUsageTable;
}
