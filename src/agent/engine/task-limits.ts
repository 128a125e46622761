/**
 * Where a task's containers get their task-level limits: a task cgroup when this host has one to
 * offer, confirmed on the first container created in one (the engine might not share this host's
 * cgroup tree after all). Every container is also capped at the task's size on its own, so a
 * task whose cgroup could not be used still cannot grow one container past the task.
 */
import type { Logger } from 'pino';
import type { AssignedTask } from '../../agent-channel-protocol/messages.js';
import { taskLimits } from '../runtime/container-spec.js';
import type { TaskCgroups } from '../runtime/task-cgroups.js';
import { taskIdOf } from './volumes.js';

export class TaskLimitEnforcer {
  private confirmed = false;

  constructor(
    private cgroups: TaskCgroups | undefined,
    private readonly log: Logger,
  ) {}

  private disable(why: string, error?: unknown): void {
    this.cgroups = undefined;
    this.log.error({ err: error }, `task cgroups are off: ${why}; each container is capped at its task's size instead`);
  }

  /** The CgroupParent for a task's containers, when the task has limits and this host enforces them in a cgroup. */
  async parentFor(task: AssignedTask): Promise<string | undefined> {
    const cgroups = this.cgroups;
    const limits = taskLimits(task);
    if (!cgroups || (limits.cpu === undefined && limits.memory === undefined)) return undefined;
    try {
      return await cgroups.ensure(taskIdOf(task.taskArn), limits);
    } catch (error) {
      this.disable('the task cgroup could not be created', error);
      return undefined;
    }
  }

  /** After the first container started under a task cgroup: is it really there? */
  async confirm(parent: string, containerId: string): Promise<void> {
    if (this.confirmed || !this.cgroups) return;
    if (await this.cgroups.holds(parent, containerId)) this.confirmed = true;
    else this.disable(`container ${containerId} is not in the cgroup tree this agent sees, so the engine runs elsewhere`);
  }

  /** On the way out: the agent's own cgroup directory goes if no task cgroup is left in it. */
  async close(): Promise<void> {
    await this.cgroups?.close();
  }

  /**
   * Removes the cgroups of tasks that have no container left (`busy`: task ids that still do).
   * A cgroup still in use stays for the next sweep.
   */
  async sweep(busy: ReadonlySet<string>): Promise<void> {
    const cgroups = this.cgroups;
    if (!cgroups) return;
    for (const taskId of await cgroups.list()) {
      if (busy.has(taskId)) continue;
      await cgroups.remove(taskId).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EBUSY') this.log.warn({ err: error, taskId }, 'could not remove a task cgroup');
      });
    }
  }
}
