/**
 * Keeps each running task's role credentials fresh on its agent: one key per task (its ARN). A
 * reconcile asks for the task's credentials (TaskRoleCredentials issues a new session once less
 * than its margin is left), pushes the task to its agent when they are new, and comes back when
 * the credentials it holds next need replacing, on the injected clock. Task changes mark their task
 * dirty; listing reads the tasks of the agents connected to this process, the only ones it pushes to.
 * No lease: each process serves the agents connected to it.
 *
 * A refresh that fails (the role was deleted, or its trust policy no longer lets ECS assume it) is
 * logged as a warning, once per task and reason: ECS records nothing on the task for it, and the
 * task keeps running with what it has until that expires.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Clock } from '../core/clock.js';
import type { AgentHub } from '../ecs/agent-channel/hub.js';
import { taskRoleArnOf, type TaskRoleCredentials } from '../ecs/task-roles/task-role-credentials.js';
import type { Store, StoreTx } from '../store/types.js';
import { done, requeueAfter, type ControllerWatch, type Reconciled } from './controller.js';
import { RunnableController } from './runnable.js';
import type { ControllerTelemetry } from '../telemetry/telemetry.js';

export interface TaskRoleRefreshDeps {
  /** Where the runner reports reconcile times and queue depths. */
  telemetry?: ControllerTelemetry;
  store: Store;
  clock: Clock;
  log: Logger;
  hub: Pick<AgentHub, 'agentKeys' | 'pushTask'>;
  taskRoles: TaskRoleCredentials;
  /** How soon a role that could not be assumed is tried again (60 s by default). */
  retryMs?: number;
}

export class TaskRoleRefresh extends RunnableController {
  readonly watch: ControllerWatch = {
    kinds: ['task'],
    keysOf: (changes) => changes.filter((change) => change.op !== 'deleted').map((change) => change.key),
  };
  readonly resync = { everyMs: 5 * 60_000 };
  /** The refresh failure last logged per task, so that a retry every minute does not repeat it. */
  private readonly reported = new Map<string, string>();

  constructor(private readonly deps: TaskRoleRefreshDeps) {
    super('task-role-credentials', deps);
  }

  async listKeys(tx: StoreTx): Promise<string[]> {
    const keys: string[] = [];
    for (const agent of this.deps.hub.agentKeys()) for (const task of await tx.tasks.forAgent(agent)) keys.push(task.taskArn);
    return keys;
  }

  async reconcile(taskArn: string): Promise<Reconciled> {
    const found = await this.deps.store.read(async (tx) => {
      const task = await tx.tasks.get(taskArn);
      const definition = task ? await tx.taskDefinitions.get(task.taskDefinitionArn) : undefined;
      return task && definition ? { task, roleArn: taskRoleArnOf(task, definition) } : undefined;
    });
    if (!found?.roleArn || found.task.desiredStatus === 'STOPPED' || found.task.lastStatus === 'STOPPED') {
      this.deps.taskRoles.forget(taskArn);
      this.reported.delete(taskArn);
      return done;
    }
    const before = this.deps.taskRoles.held(taskArn);
    const outcome = await this.deps.taskRoles.credentialsFor(taskArn, found.roleArn);
    if ('error' in outcome) {
      // Only a task that had credentials is refreshed here: those it had have expired.
      if (before) this.report(taskArn, found.roleArn, outcome.error, before.expiresAt, 'expired');
      return requeueAfter(this.deps.retryMs ?? 60_000);
    }
    if (outcome.refreshError !== undefined) {
      this.report(taskArn, found.roleArn, outcome.refreshError, outcome.credentials.expiresAt, 'kept');
    } else this.reported.delete(taskArn);
    // New credentials reach the agent now, not at its next full list.
    if (outcome.credentials !== before) this.deps.hub.pushTask(found.task);
    const dueInMs = this.deps.taskRoles.refreshDueAt(outcome.credentials) * 1000 - this.deps.clock.now().getTime();
    // Past due means the refresh failed and the task keeps what it had: try again later.
    return requeueAfter(dueInMs > 0 ? dueInMs : (this.deps.retryMs ?? 60_000));
  }

  /** Logs a failed refresh: while the task still holds credentials (`kept`), and again once they have `expired`. */
  private report(taskArn: string, roleArn: string, reason: string, expiresAt: number, state: 'kept' | 'expired'): void {
    const key = `${state} ${reason}`;
    if (this.reported.get(taskArn) === key) return;
    this.reported.set(taskArn, key);
    const until = new Date(expiresAt * 1000).toISOString();
    const consequence = state === 'kept' ? `the task keeps its credentials until they expire at ${until}` : `the task's credentials expired at ${until}`;
    this.deps.log.warn({ task: taskArn, role: roleArn, reason }, `the task role's credentials could not be refreshed: ${reason}; ${consequence}`);
  }
}
