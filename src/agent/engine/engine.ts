/**
 * The task engine: one TaskRunner per task assigned to this agent, woken by new assignments, by
 * runtime events about the task's containers, and by a periodic tick. A full assignment list is the
 * truth: runners of tasks no longer listed end, and containers that belong to no listed task are
 * stopped and, after the clean-up delay, removed (with their task volumes). Nothing is cleaned up
 * before the first full list arrives, so a restarted agent never removes what it should re-adopt.
 */
import type { Logger } from 'pino';
import type { AssignedTask, ControlMessage, TaskReport } from '../../agent-channel-protocol/messages.js';
import type { Clock } from '../../core/clock.js';
import { Mutex } from '../../core/mutex.js';
import type { NetworkMode } from '../runtime/container-spec.js';
import type { TaskCgroups } from '../runtime/task-cgroups.js';
import { labels, type ContainerRuntime, type ObservedContainer } from '../runtime/types.js';
import { isTemporary, metadataTokenLabel, networkModeOf, TaskRunner, type RunnerContext } from './task-runner.js';
import { TaskLimitEnforcer } from './task-limits.js';
import { taskIdOf, taskScopedVolumes } from './volumes.js';

export interface EngineOptions {
  runtime: ContainerRuntime;
  owner: string;
  /**
   * Owner labels this agent's containers carried before (earlier versions of the agent labelled
   * them with the container instance ARN): they are found and adopted as this agent's own.
   */
  formerOwners?: readonly string[];
  clock: Clock;
  log: Logger;
  send(report: TaskReport): void;
  setHealth(status: 'OK' | 'IMPAIRED', reason?: string): void;
  awsvpcNetwork(): Promise<string>;
  pauseImage(): Promise<string>;
  metadataEnvironment(task: AssignedTask, mode: NetworkMode, token: string): Record<string, string>;
  roleProblem: RunnerContext['roleProblem'];
  pullBehavior: RunnerContext['pullBehavior'];
  /** This host's CPU architecture as ECS names it (`ecs.cpu-architecture`), when known. */
  architecture?: RunnerContext['architecture'];
  /** How long stopped containers stay for inspection (docker logs) before removal. */
  cleanupDelayMs: number;
  /** Whether a stopped container must stay a while yet (its output is still being shipped, say). */
  keepsContainer?(container: ObservedContainer): boolean;
  /** The task's containers whose awslogs output is not all acknowledged: its STOPPED report waits for them. */
  unshippedOutput?: RunnerContext['unshippedOutput'];
  tickMs?: number;
  /** This host's task cgroups, when it has them (see TaskLimitEnforcer). */
  taskCgroups?: TaskCgroups;
}

interface Finished {
  task: AssignedTask;
  at: number;
  /** Its task-scoped volumes are gone: they are removed once, after its last container. */
  volumesRemoved?: boolean;
}

export class TaskEngine {
  private readonly runners = new Map<string, TaskRunner>();
  /** Tasks this agent reported STOPPED: never run again, whatever a stale message says. */
  private readonly finished = new Map<string, Finished>();
  private haveFullList = false;
  private available = false;
  /** Whether the runtime has answered once: its first answer, at start, is routine; later ones end an outage. */
  private everAvailable = false;
  private stopEvents: (() => void) | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private eventsRetry: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly context: RunnerContext;
  /** metadata token → task and container, from the labels of observed containers. */
  private readonly tokens = new Map<string, { taskArn: string; containerName: string }>();
  /**
   * Sweeps run one at a time: two at once would both remove the same container, and the second,
   * told the removal is already under way, would try the task's volumes while Docker still holds them.
   */
  private readonly sweeping = new Mutex();

  constructor(private readonly options: EngineOptions) {
    this.context = {
      runtime: options.runtime,
      owner: options.owner,
      clock: options.clock,
      log: options.log,
      send: (report) => {
        options.send(report);
        if (report.status === 'STOPPED') this.onStopped(report.taskArn);
      },
      observe: (taskArn) => this.observe(taskArn),
      awsvpcNetwork: options.awsvpcNetwork,
      pauseImage: options.pauseImage,
      metadataEnvironment: options.metadataEnvironment,
      roleProblem: options.roleProblem,
      ...(options.unshippedOutput ? { unshippedOutput: options.unshippedOutput } : {}),
      pullBehavior: options.pullBehavior,
      ...(options.architecture ? { architecture: options.architecture } : {}),
      runtimeAvailable: () => this.available,
      limits: new TaskLimitEnforcer(options.taskCgroups, options.log),
    };
  }

  async start(): Promise<void> {
    await this.checkRuntime();
    this.subscribe();
    this.tickTimer = setInterval(() => void this.tick(), this.options.tickMs ?? 10_000);
    this.tickTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.eventsRetry) clearTimeout(this.eventsRetry);
    this.stopEvents?.();
    for (const runner of this.runners.values()) runner.dispose();
    await this.context.limits.close();
  }

  get taskCount(): number {
    return this.runners.size;
  }

  /** Every task's running app containers as last observed, by container name: what the stats reporter samples. */
  runningContainers(): { taskArn: string; containers: { name: string; id: string }[] }[] {
    const tasks = [];
    for (const [taskArn, runner] of this.runners) {
      const observed = runner.lastView?.observed;
      if (!observed) continue;
      const containers = [...observed].filter(([, container]) => container.state === 'running').map(([name, container]) => ({ name, id: container.id }));
      if (containers.length > 0) tasks.push({ taskArn, containers });
    }
    return tasks;
  }

  runner(taskArn: string): TaskRunner | undefined {
    return this.runners.get(taskArn);
  }

  tokenOwner(token: string): { taskArn: string; containerName: string } | undefined {
    return this.tokens.get(token);
  }

  /**
   * The addresses a task's containers send from, read afresh (a container may ask the moment it
   * starts); undefined for a host network mode task, whose containers send from the host's own.
   */
  async sourcesOf(taskArn: string): Promise<readonly string[] | undefined> {
    const runner = this.runners.get(taskArn);
    if (!runner) return [];
    if (networkModeOf(runner.assignment) === 'host') return undefined;
    const { observed, pause } = await this.observe(taskArn);
    return [...observed.values(), ...(pause ? [pause] : [])].flatMap((container) => container.networks.map((network) => network.ipAddress));
  }

  private owns(owner: string | undefined): boolean {
    return owner !== undefined && (owner === this.options.owner || (this.options.formerOwners ?? []).includes(owner));
  }

  /** This agent's containers (of one task, when given), whichever of its owner labels they carry. */
  private async listOwned(taskArn?: string): Promise<ObservedContainer[]> {
    const owners = [this.options.owner, ...(this.options.formerOwners ?? []).filter((owner) => owner !== this.options.owner)];
    const lists = await Promise.all(owners.map((owner) => this.options.runtime.listManaged(owner, taskArn)));
    return lists.flat();
  }

  private subscribe(): void {
    if (this.stopped) return;
    this.stopEvents = this.options.runtime.events(
      (event) => {
        const taskArn = event.labels[labels.taskArn];
        if (!this.owns(event.labels[labels.owner]) || !taskArn) return;
        void this.runners.get(taskArn)?.wake();
      },
      (error) => {
        this.options.log.warn({ err: error }, 'runtime event stream broke; resubscribing');
        this.eventsRetry = setTimeout(() => this.subscribe(), 2_000);
        this.eventsRetry.unref();
      },
    );
  }

  private async checkRuntime(): Promise<void> {
    try {
      await this.options.runtime.info();
      if (!this.available) this.options.log[this.everAvailable ? 'info' : 'debug']('container runtime reachable');
      this.available = true;
      this.everAvailable = true;
      this.options.setHealth('OK');
    } catch (error) {
      // Warn once when the runtime goes away, not on every retry.
      if (this.available) this.options.log.warn({ err: error }, 'container runtime unreachable; retrying');
      else this.options.log.debug({ err: error }, 'container runtime still unreachable');
      this.available = false;
      this.options.setHealth('IMPAIRED', error instanceof Error ? error.message : String(error));
    }
  }

  private async tick(): Promise<void> {
    const wasAvailable = this.available;
    await this.checkRuntime();
    if (!this.available) return;
    if (!wasAvailable) {
      this.stopEvents?.();
      this.subscribe();
    }
    await Promise.all([...this.runners.values()].map((runner) => runner.wake()));
    await this.sweep().catch((error: unknown) => {
      if (!isTemporary(error)) this.options.log.error({ err: error }, 'clean-up sweep failed');
    });
  }

  /** Applies a `tasks` message from the control plane. */
  apply(message: Extract<ControlMessage, { type: 'tasks' }>): void {
    const listed = new Set<string>();
    for (const task of message.tasks) {
      listed.add(task.taskArn);
      if (this.finished.has(task.taskArn)) continue;
      const runner = this.runners.get(task.taskArn);
      if (runner) runner.update(task);
      else {
        const created = new TaskRunner(this.context, task);
        this.runners.set(task.taskArn, created);
        void created.wake();
      }
    }
    if (!message.full) return;
    this.haveFullList = true;
    for (const [arn, runner] of this.runners) {
      if (listed.has(arn)) continue;
      // The control plane no longer lists it: it saw the task STOPPED (or the task is gone).
      runner.dispose();
      this.runners.delete(arn);
      if (!this.finished.has(arn)) this.finished.set(arn, { task: runner.assignment, at: this.options.clock.now().getTime() });
    }
    void this.sweep().catch((error: unknown) => this.options.log.warn({ err: error }, 'clean-up sweep failed'));
  }

  private onStopped(taskArn: string): void {
    const runner = this.runners.get(taskArn);
    if (runner) this.finished.set(taskArn, { task: runner.assignment, at: this.options.clock.now().getTime() });
  }

  private async observe(taskArn: string): Promise<{ observed: Map<string, ObservedContainer>; pause?: ObservedContainer }> {
    const all = await this.listOwned(taskArn);
    const observed = new Map<string, ObservedContainer>();
    let pause: ObservedContainer | undefined;
    for (const container of all) {
      const token = container.labels[metadataTokenLabel];
      const containerName = container.labels[labels.containerName];
      const arn = container.labels[labels.taskArn];
      if (token && containerName && arn) this.tokens.set(token, { taskArn: arn, containerName });
      if (arn !== taskArn) continue;
      if (container.labels[labels.role] === 'pause') {
        // Keep the newest namespace holder; an older one is left over from an interrupted set-up.
        if (!pause || container.state === 'running') pause = container;
      } else if (containerName) {
        const seen = observed.get(containerName);
        if (!seen || container.state === 'running') observed.set(containerName, container);
      }
    }
    return { observed, ...(pause ? { pause } : {}) };
  }

  /**
   * Stops containers of tasks this agent does not run and removes those stopped longer than the
   * clean-up delay, with their task volumes.
   */
  sweep(): Promise<void> {
    return this.sweeping.run(() => this.sweepOnce());
  }

  private async sweepOnce(): Promise<void> {
    if (!this.haveFullList || !this.available) return;
    const now = this.options.clock.now().getTime();
    const containers = await this.listOwned();
    const remaining = new Set<string>();
    for (const container of containers) {
      const arn = container.labels[labels.taskArn] ?? '';
      if (this.runners.has(arn) && !this.finished.has(arn)) continue;
      if (container.state === 'running' || container.state === 'restarting' || container.state === 'paused') {
        this.options.log.warn({ container: container.name, task: arn }, 'stopping a container of a task this agent does not run');
        await this.options.runtime.stop(container.id, 10);
        remaining.add(arn);
        continue;
      }
      const finishedAt = container.finishedAt?.getTime() ?? 0;
      const since = Math.max(finishedAt, this.finished.get(arn)?.at ?? 0);
      if (now - since >= this.options.cleanupDelayMs && !this.options.keepsContainer?.(container)) {
        await this.options.runtime.remove(container.id);
        const token = container.labels[metadataTokenLabel];
        if (token) this.tokens.delete(token);
      } else remaining.add(arn);
    }
    for (const [arn, finished] of this.finished) {
      if (remaining.has(arn)) continue;
      if (!finished.volumesRemoved) {
        let removed = true;
        for (const volume of taskScopedVolumes(finished.task)) {
          // A volume still held by a container on its way out is tried again at the next sweep.
          const gone = await this.options.runtime.removeVolume(volume).catch((error: unknown) => {
            if (isTemporary(error)) throw error;
            this.options.log.warn({ volume, task: arn, err: error }, 'could not remove a task volume; leaving it');
            return true;
          });
          removed &&= gone;
        }
        finished.volumesRemoved = removed;
      }
      if (now - finished.at > 24 * 3600_000 && !this.runners.has(arn)) this.finished.delete(arn);
    }
    const busy = new Set([...remaining, ...[...this.runners.keys()].filter((arn) => !this.finished.has(arn))].map(taskIdOf));
    await this.context.limits.sweep(busy);
  }
}
