/**
 * Committed task changes, announced to whoever delivers tasks to agents. Operations publish only
 * after their transaction commits, so a listener that re-reads the store sees the change.
 * Listeners must not rely on seeing every change: the agent channel also resends everything
 * periodically, so a missed announcement only delays delivery.
 */
import type { TaskRecord } from '../store/types.js';

export type TaskChangeListener = (tasks: readonly TaskRecord[]) => void;

export class TaskChangeFeed {
  private readonly listeners = new Set<TaskChangeListener>();

  subscribe(listener: TaskChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(tasks: readonly TaskRecord[]): void {
    if (tasks.length === 0) return;
    for (const listener of this.listeners) listener(tasks);
  }
}
