/**
 * Keeps each running task's role credentials fresh on its agent: one key per task (its ARN). A
 * reconcile asks for the task's credentials (TaskRoleCredentials issues a new session once less
 * than its margin is left), pushes the task to its agent when they are new, and comes back when
 * the credentials it holds next need replacing, on the injected clock. Task changes mark their task
 * dirty; listing reads the tasks of the agents connected to this process, the only ones it pushes to.
 * No lease: each process serves the agents connected to it.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Clock } from '../core/clock.js';
import type { AgentHub } from '../ecs/agent-channel/hub.js';
import { taskRoleArnOf, type TaskRoleCredentials } from '../ecs/task-roles/task-role-credentials.js';
import type { Store, StoreTx } from '../store/types.js';
import { done, requeueAfter, type Controller, type ControllerWatch, type Reconciled } from './controller.js';
import { ControllerRunner } from './runner.js';

export interface TaskRoleRefreshDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  hub: Pick<AgentHub, 'agentKeys' | 'pushTask'>;
  taskRoles: TaskRoleCredentials;
  /** How soon a role that could not be assumed is tried again (60 s by default). */
  retryMs?: number;
}

export class TaskRoleRefresh implements Controller {
  readonly name = 'task-role-credentials';
  readonly watch: ControllerWatch = {
    kinds: ['task'],
    keysOf: (changes) => changes.filter((change) => change.op !== 'deleted').map((change) => change.key),
  };
  readonly resync = { everyMs: 5 * 60_000 };
  private readonly runner: ControllerRunner;

  constructor(private readonly deps: TaskRoleRefreshDeps) {
    this.runner = new ControllerRunner(this, deps);
  }

  start(): void {
    this.runner.start();
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** Reconciles what is dirty or due now. For tests. */
  settle(): Promise<void> {
    return this.runner.settle();
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
      return done;
    }
    const before = this.deps.taskRoles.held(taskArn);
    const outcome = await this.deps.taskRoles.credentialsFor(taskArn, found.roleArn);
    if ('error' in outcome) return requeueAfter(this.deps.retryMs ?? 60_000);
    // New credentials reach the agent now, not at its next full list.
    if (outcome.credentials !== before) this.deps.hub.pushTask(found.task);
    const dueInMs = this.deps.taskRoles.refreshDueAt(outcome.credentials) * 1000 - this.deps.clock.now().getTime();
    // Past due means the refresh failed and the task keeps what it had: try again later.
    return requeueAfter(dueInMs > 0 ? dueInMs : (this.deps.retryMs ?? 60_000));
  }
}
