/**
 * Runs one task: observe its containers, ask `decide` for the next step, take it, report what is
 * now true, and repeat until nothing is left to do until something changes (a runtime event, a new
 * assignment, or the engine's periodic tick wakes it again).
 *
 * Errors are classed as in the runtime seam: the runtime being unreachable is temporary (the step
 * is retried on the next wake-up); anything else the runtime refuses is fatal for the task and
 * becomes its stop reason, worded as ECS words it.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AssignedTask, TaskReport } from '../../agent-channel-protocol/messages.js';
import type { Clock } from '../../core/clock.js';
import { containerSpec, dockerNameFor, pauseSpec, type NetworkMode, type ResolvedVolume } from '../runtime/container-spec.js';
import { PullCancelledError, RuntimeUnavailableError, type ContainerRuntime, type ObservedContainer } from '../runtime/types.js';
import { decide, needsPause, report, type Failure, type RunnerMemory, type Step, type TaskView } from './decide.js';
import { effectiveContainers } from './effective.js';
import { reasons } from './reasons.js';
import type { TaskLimitEnforcer } from './task-limits.js';
import { StoppedHold, type UnshippedOutput } from './stopped-hold.js';
import { resolveVolumes } from './volumes.js';

export const metadataTokenLabel = 'dev.berth.metadata-token';

export interface RunnerContext {
  runtime: ContainerRuntime;
  owner: string;
  clock: Clock;
  log: Logger;
  send(report: TaskReport): void;
  observe(taskArn: string): Promise<{ observed: Map<string, ObservedContainer>; pause?: ObservedContainer }>;
  /** awsvpc: the network to put pause containers on, ready. */
  awsvpcNetwork(): Promise<string>;
  pauseImage(): Promise<string>;
  /** Environment giving a container its metadata endpoint, for a given network mode and token. */
  metadataEnvironment(task: AssignedTask, mode: NetworkMode, token: string): Record<string, string>;
  /** When to pull: `default` pulls and falls back to a cached image; `prefer-cached` pulls only when absent. */
  pullBehavior: 'default' | 'always' | 'prefer-cached';
  /** This host's CPU architecture (`x86_64`, `arm64`): a task whose runtimePlatform asks for another does not start here. */
  architecture?: string;
  runtimeAvailable(): boolean;
  limits: TaskLimitEnforcer;
  /**
   * Why the task cannot have its role credentials (ECS could not assume a role, or this host cannot
   * serve the credentials endpoint): the task fails to start rather than run without them.
   */
  roleProblem(task: AssignedTask): Promise<string | undefined>;
  /** The task's containers whose awslogs output is not all acknowledged: its STOPPED report waits for them (stopped-hold.ts). */
  unshippedOutput?(taskArn: string): Promise<UnshippedOutput[]>;
}

const maxStepsPerWake = 64;

export const isTemporary = (error: unknown): boolean => error instanceof RuntimeUnavailableError;

export const networkModeOf = (task: AssignedTask): NetworkMode => {
  const mode = task.definition.networkMode;
  return mode === 'host' || mode === 'none' || mode === 'awsvpc' ? mode : 'bridge';
};

export class TaskRunner {
  private readonly memory: RunnerMemory = { pulled: new Set(), created: new Set() };
  private lastSent = '';
  private wanted = false;
  private running: Promise<void> | undefined;
  private disposed = false;
  /** Aborts the pull in progress, so that a task told to stop does not wait for its image. */
  private pullInProgress: AbortController | undefined;
  private readonly hold: StoppedHold | undefined;
  /** The latest observation and report, for the task metadata endpoint. */
  lastView: TaskView | undefined;
  lastReport: TaskReport | undefined;

  constructor(
    private readonly context: RunnerContext,
    private task: AssignedTask,
  ) {
    if (context.unshippedOutput) this.hold = new StoppedHold(task.taskArn, context.unshippedOutput, context.clock, context.log);
  }

  get arn(): string {
    return this.task.taskArn;
  }

  get assignment(): AssignedTask {
    return this.task;
  }

  update(task: AssignedTask): void {
    this.task = task;
    if (task.desiredStatus === 'STOPPED') this.pullInProgress?.abort();
    this.wake();
  }

  dispose(): void {
    this.disposed = true;
    this.pullInProgress?.abort();
  }

  /** Asks for a reconciliation; concurrent requests coalesce into one more pass. */
  wake(): Promise<void> {
    this.wanted = true;
    if (!this.running) {
      this.running = this.loop().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async loop(): Promise<void> {
    while (this.wanted && !this.disposed) {
      this.wanted = false;
      try {
        await this.reconcile();
      } catch (error) {
        if (isTemporary(error)) {
          this.context.log.warn({ task: this.task.taskArn, err: error }, 'container runtime unavailable; will retry');
          return;
        }
        this.context.log.error({ task: this.task.taskArn, err: error }, 'task step failed unexpectedly');
        this.memory.failure ??= { reason: reasons.resourceInitialization(error instanceof Error ? error.message : String(error)), stopCode: 'TaskFailedToStart' };
        this.wanted = true;
      }
    }
  }

  private async view(): Promise<TaskView> {
    const { observed, pause } = await this.context.observe(this.task.taskArn);
    return { task: this.task, observed, ...(pause ? { pause } : {}), memory: this.memory };
  }

  /**
   * Reports the task as observed, when that differs from the last report. Between steps only a
   * change of task status is sent; the details follow once the task is at rest, which keeps a
   * task's start to two or three reports.
   */
  private async sendReport(view: TaskView, atRest: boolean): Promise<void> {
    const now = this.context.clock.now().getTime() / 1000;
    const current = report(view, now);
    // Its containers are down; what they wrote is still being shipped.
    if (current.status === 'STOPPED' && (await this.holdsStopped())) current.status = 'DEPROVISIONING';
    if (!atRest && current.status === this.lastReport?.status && current.pullStartedAt === this.lastReport?.pullStartedAt) return;
    if (needsPause(this.task) && view.pause) {
      const address = view.pause.networks[0];
      if (address?.ipAddress) current.networkInterface = { privateIPv4Address: address.ipAddress, macAddress: address.macAddress, gateway: address.gateway };
    }
    this.lastView = view;
    this.lastReport = current;
    const { executionStoppedAt: _stoppedAt, ...comparable } = current;
    const key = JSON.stringify(comparable);
    if (key === this.lastSent) return;
    this.lastSent = key;
    this.context.send(current);
  }

  private async reconcile(): Promise<void> {
    if (!this.context.runtimeAvailable()) return;
    // STOPPED is final. Once the clean-up has removed the task's exited containers, what is left to
    // observe looks like a task not yet started: acting on it would run the task again.
    if (this.lastReport?.status === 'STOPPED') return;
    for (let step = 0; step < maxStepsPerWake && !this.disposed; step++) {
      const view = await this.view();
      const next = decide(view);
      await this.sendReport(view, next.kind === 'idle');
      if (next.kind === 'idle') return;
      this.context.log.debug({ task: this.task.taskArn, step: next }, 'task step');
      await this.take(next, view);
    }
  }

  /** Whether the STOPPED report waits for the task's awslogs output; a failure to look does not hold it, nor fail the task. */
  private async holdsStopped(): Promise<boolean> {
    if (!this.hold) return false;
    try {
      return await this.hold.holds();
    } catch (error) {
      if (isTemporary(error)) throw error;
      this.context.log.warn({ task: this.task.taskArn, err: error }, 'awslogs: could not learn whether the output is shipped; the task is reported STOPPED');
      return false;
    }
  }

  private fail(failure: Failure): void {
    this.memory.failure ??= failure;
    this.context.log.warn({ task: this.task.taskArn, reason: failure.reason }, 'task failed');
  }

  private async take(step: Exclude<Step, { kind: 'idle' }>, view: TaskView): Promise<void> {
    const { runtime } = this.context;
    switch (step.kind) {
      case 'prepare':
        return this.preparePause(view);
      case 'pull':
        return this.pull(step.container, view);
      case 'create':
        return this.create(step.container, view);
      case 'start': {
        const observed = view.observed.get(step.container);
        if (!observed) return;
        try {
          await runtime.start(observed.id);
          // The engine makes a container's cgroup when it starts it.
          const parent = observed.cgroupParent;
          if (parent) await this.context.limits.confirm(parent, observed.id);
        } catch (error) {
          if (isTemporary(error)) throw error;
          this.fail({ reason: reasons.cannotStart(messageOf(error)), stopCode: 'TaskFailedToStart', container: step.container });
        }
        return;
      }
      case 'stop': {
        const containers = effectiveContainers(this.task);
        await Promise.all(
          step.containers.map(async (name) => {
            const observed = view.observed.get(name);
            const timeout = containers.find((container) => container.name === name)?.stopTimeout ?? 30;
            if (observed) await runtime.stop(observed.id, timeout);
          }),
        );
        return;
      }
      case 'stop-pause':
        if (view.pause) {
          await runtime.stop(view.pause.id, 0);
          // The address goes back to the pool as soon as the task stops.
          await runtime.remove(view.pause.id);
        }
        return;
    }
  }

  private async preparePause(view: TaskView): Promise<void> {
    const { runtime } = this.context;
    try {
      if (view.pause) await runtime.remove(view.pause.id);
      const network = await this.context.awsvpcNetwork();
      const image = await this.context.pauseImage();
      const spec = pauseSpec({
        task: this.task,
        owner: this.context.owner,
        dockerName: dockerNameFor(this.task, 'internalecspause', randomBytes(6).toString('hex')),
        image,
        networkName: network,
      });
      const id = await runtime.create(spec);
      await runtime.start(id);
    } catch (error) {
      if (isTemporary(error)) throw error;
      this.fail({ reason: reasons.resourceInitialization(`could not set up the task's network: ${messageOf(error)}`), stopCode: 'TaskFailedToStart' });
    }
  }

  private async pull(containerName: string, view: TaskView): Promise<void> {
    const { runtime, clock, pullBehavior } = this.context;
    const container = effectiveContainers(this.task).find((entry) => entry.name === containerName);
    if (!container) return;
    const wanted = this.task.definition.runtimePlatform?.cpuArchitecture;
    if (wanted && this.context.architecture && wanted.toLowerCase() !== this.context.architecture) {
      // Placement keeps such tasks off EC2 instances of another architecture; a FARGATE host checks here.
      const problem = `the task definition's runtimePlatform.cpuArchitecture is ${wanted}, and this host's architecture is ${this.context.architecture}`;
      this.fail({ reason: reasons.resourceInitialization(problem), stopCode: 'TaskFailedToStart', container: containerName });
      return;
    }
    const roleProblem = await this.context.roleProblem(this.task);
    if (roleProblem !== undefined) {
      this.fail({ reason: roleProblem, stopCode: 'TaskFailedToStart', container: containerName });
      return;
    }
    const authError = this.task.registryAuthErrors?.[containerName];
    if (authError !== undefined) {
      this.fail({ reason: reasons.resourceInitialization(authError), stopCode: 'TaskFailedToStart', container: containerName });
      return;
    }
    const cached = pullBehavior !== 'always' && (await runtime.hasImage(container.image));
    if (!(cached && pullBehavior === 'prefer-cached')) {
      if (this.memory.pullStartedAt === undefined) {
        this.memory.pullStartedAt = clock.now().getTime() / 1000;
        // A pull can take minutes: say it has begun rather than wait for the next change of status.
        await this.sendReport(view, false);
      }
      const abort = new AbortController();
      this.pullInProgress = abort;
      try {
        if (this.task.desiredStatus === 'STOPPED') abort.abort();
        await runtime.pull(container.image, this.task.registryAuth?.[containerName], abort.signal);
      } catch (error) {
        if (error instanceof PullCancelledError) return;
        if (isTemporary(error)) throw error;
        if (!cached) {
          this.fail({ reason: reasons.cannotPull(messageOf(error)), stopCode: 'TaskFailedToStart', container: containerName });
          return;
        }
        // The image may be stale, or a registry login wrong: something the user must see.
        this.context.log.warn({ image: container.image, task: this.task.taskArn }, `the pull failed, so the cached ${container.image} runs: ${messageOf(error)}`);
      } finally {
        if (this.pullInProgress === abort) this.pullInProgress = undefined;
      }
    }
    this.memory.pulled.add(containerName);
    const containers = effectiveContainers(this.task);
    if (this.memory.pullStartedAt !== undefined && containers.every((entry) => this.memory.pulled.has(entry.name))) {
      this.memory.pullStoppedAt ??= clock.now().getTime() / 1000;
    }
  }

  private async create(containerName: string, view: TaskView): Promise<void> {
    const { runtime } = this.context;
    const mode = networkModeOf(this.task);
    let volumes: Map<string, ResolvedVolume>;
    try {
      volumes = await resolveVolumes(runtime, this.task, this.context.owner);
    } catch (error) {
      if (isTemporary(error)) throw error;
      this.fail({ reason: reasons.resourceInitialization(messageOf(error)), stopCode: 'TaskFailedToStart', container: containerName });
      return;
    }
    const cgroupParent = await this.context.limits.parentFor(this.task);
    const token = randomBytes(16).toString('hex');
    const containerIds = new Map([...view.observed].map(([name, observed]) => [name, observed.id]));
    try {
      const spec = containerSpec({
        task: this.task,
        containerName,
        owner: this.context.owner,
        dockerName: dockerNameFor(this.task, containerName, randomBytes(6).toString('hex')),
        network: { mode, ...(view.pause ? { pauseContainerId: view.pause.id } : {}) },
        extraEnvironment: this.context.metadataEnvironment(this.task, mode, token),
        volumes,
        containerIds,
        ...(cgroupParent ? { cgroupParent } : {}),
      });
      spec.labels = { ...spec.labels, [metadataTokenLabel]: token };
      this.memory.created.add(containerName);
      await runtime.create(spec);
    } catch (error) {
      if (isTemporary(error)) {
        this.memory.created.delete(containerName);
        throw error;
      }
      this.fail({ reason: reasons.cannotCreate(messageOf(error)), stopCode: 'TaskFailedToStart', container: containerName });
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
