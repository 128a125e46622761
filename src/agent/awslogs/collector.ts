/**
 * awslogs on Berth's agent: the containers of a task whose definition names the awslogs driver run
 * with Docker's json-file driver, and this collector ships what they write to CloudWatch Logs,
 * one ContainerShipper per container, signing with the task's execution role (the control plane
 * sends a session of it with the task) at the control plane's endpoint.
 *
 * Before a container is created, its log group (with awslogs-create-group) and stream are made, as
 * Docker's awslogs driver makes them when it starts: a failure (no such group, a role that may not
 * create the stream) fails the task with the error Docker would give. Running and stopped containers of
 * known tasks are found by polling the runtime; a stopped container stays (the engine asks
 * `keeps`) until everything it wrote was taken, and its task's STOPPED report waits for that too
 * (the engine asks `unshipped`, and is told `onShipped`).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AwsCredentialIdentity } from '@smithy/types';
import { awslogsStreamName, isAwslogsProblem, parseAwslogsOptions, type AwslogsSettings } from '../../agent-channel-protocol/awslogs.js';
import type { AssignedTask, RoleCredentials } from '../../agent-channel-protocol/messages.js';
import type { Clock } from '../../core/clock.js';
import { reasons } from '../engine/reasons.js';
import type { UnshippedOutput } from '../engine/stopped-hold.js';
import { labels, type ContainerRuntime, type ObservedContainer } from '../runtime/types.js';
import { CheckpointStore } from './checkpoint.js';
import { ContainerShipper } from './shipper.js';
import { awsErrorText, logsWriter, type LogsWriter } from './writer.js';

export interface CollectorOptions {
  runtime: ContainerRuntime;
  owner: () => string;
  dataDir: string;
  /** The control plane's endpoint: CloudWatch Logs is served there. */
  endpoint: string;
  /** The agent's own credentials: used for a task without an execution role (ECS on EC2 uses the instance's role). */
  agentCredentials: AwsCredentialIdentity;
  log: Logger;
  /** How often the runtime is asked for new containers to follow. */
  pollMs?: number;
  /** The agent's clock: the age of a pending multi-line event is read from it. */
  clock?: Clock;
  /** Told when a container of the task has all its output acknowledged (the task's STOPPED report waits for that). */
  onShipped?: (taskArn: string) => void;
}

interface KnownTask {
  taskArn: string;
  /** awslogs settings by container name. */
  containers: Map<string, AwslogsSettings>;
  /** Why a container's options are unusable (Docker's words), by container name: the task fails to start. */
  problems: Map<string, string>;
  credentials?: RoleCredentials;
  /** Its group and prefixed streams exist (made before its first container). */
  ready?: boolean;
  /** Each awslogs container ran and all it wrote was taken: nothing to look for until the task is unlisted. */
  complete?: boolean;
  /**
   * The last look found nothing of it to follow: every container that ran is finished or gone (a
   * container is removed only once finished). Set by each poll, so a task seen running reads false
   * until its output is all acknowledged.
   */
  drained?: boolean;
  listed: boolean;
}

/** The awslogs containers of a task with their settings, and those whose options are unusable. */
export function awslogsContainers(task: AssignedTask): { containers: Map<string, AwslogsSettings>; problems: Map<string, string> } {
  const containers = new Map<string, AwslogsSettings>();
  const problems = new Map<string, string>();
  for (const container of task.definition.containerDefinitions ?? []) {
    if (container.logConfiguration?.logDriver !== 'awslogs' || !container.name) continue;
    const parsed = parseAwslogsOptions(container.logConfiguration.options as Record<string, string> | undefined);
    if (isAwslogsProblem(parsed)) problems.set(container.name, parsed.problem);
    else containers.set(container.name, parsed);
  }
  return { containers, problems };
}

export class AwslogsCollector {
  private readonly tasks = new Map<string, KnownTask>();
  private readonly shippers = new Map<string, ContainerShipper>();
  /** Containers whose output was all taken. */
  private readonly finished = new Set<string>();
  private readonly checkpoints: CheckpointStore;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private stopped = false;

  constructor(private readonly options: CollectorOptions) {
    this.checkpoints = new CheckpointStore(join(options.dataDir, 'awslogs'));
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.options.pollMs ?? 1_000);
  }

  /** Takes a list of tasks from the control plane: their awslogs containers and execution role sessions. */
  apply(tasks: readonly AssignedTask[], full: boolean): void {
    const listed = new Set<string>();
    for (const task of tasks) {
      listed.add(task.taskArn);
      const { containers, problems } = awslogsContainers(task);
      if (containers.size === 0 && problems.size === 0) continue;
      const known = this.tasks.get(task.taskArn) ?? { taskArn: task.taskArn, containers, problems, listed: true };
      known.listed = true;
      if (task.executionRoleCredentials) known.credentials = task.executionRoleCredentials;
      this.tasks.set(task.taskArn, known);
    }
    if (full) for (const [arn, known] of this.tasks) if (!listed.has(arn)) known.listed = false;
  }

  /**
   * Makes the task's log group (with awslogs-create-group) and its prefixed streams before its
   * containers start; ECS's reason when that fails. Streams named by container id are made when shipping begins.
   */
  async setup(task: AssignedTask): Promise<string | undefined> {
    const known = this.tasks.get(task.taskArn);
    if (!known || known.ready) return undefined;
    for (const problem of known.problems.values()) return reasons.cannotStart(`Error response from daemon: failed to initialize logging driver: ${problem}`);
    for (const [name, settings] of known.containers) {
      const writer = this.writerFor(known, settings.region);
      try {
        if (settings.createGroup) {
          await writer.createGroup(settings.group).catch((error: unknown) => {
            throw new Error(`failed to create Cloudwatch log group: ${awsErrorText(error)}`);
          });
        }
        if (settings.streamPrefix !== undefined) {
          await writer.createStream(settings.group, awslogsStreamName(settings, name, task.taskArn, '')).catch((error: unknown) => {
            throw new Error(`failed to create Cloudwatch log stream: ${awsErrorText(error)}`);
          });
        }
      } catch (error) {
        // Docker's words when its awslogs driver cannot start, as ECS reports them.
        return reasons.cannotStart(`Error response from daemon: failed to initialize logging driver: ${(error as Error).message}`);
      } finally {
        writer.destroy();
      }
    }
    known.ready = true;
    return undefined;
  }

  /** Whether a stopped container must stay: its output is not all taken yet. */
  keeps(container: ObservedContainer): boolean {
    return this.owesOutput(this.tasks.get(container.labels[labels.taskArn] ?? ''), container);
  }

  /** A container of an awslogs task that ran and whose output is not all taken. */
  private owesOutput(known: KnownTask | undefined, container: ObservedContainer): boolean {
    const name = container.labels[labels.containerName] ?? '';
    return Boolean(known?.containers.has(name) && container.labels[labels.role] !== 'pause' && container.startedAt && !this.finished.has(container.id));
  }

  /**
   * The task's awslogs containers that ran and whose output is not all acknowledged, as the
   * runtime shows them now (not as the last poll saw them: a container may have started and
   * exited since).
   */
  async unshipped(taskArn: string): Promise<UnshippedOutput[]> {
    const known = this.tasks.get(taskArn);
    if (!known) return [];
    const containers = await this.options.runtime.listManaged(this.options.owner(), taskArn);
    return containers
      .filter((container) => this.owesOutput(known, container))
      .map((container) => ({ container: container.labels[labels.containerName] ?? '', containerId: container.id, queuedEvents: this.shippers.get(container.id)?.queued ?? 0 }));
  }

  /**
   * Whether every line of the task's awslogs containers has been acknowledged by CloudWatch Logs
   * (or the task is not one this agent ships for): nothing more will be sent for it.
   */
  shipped(taskArn: string): boolean {
    const known = this.tasks.get(taskArn);
    return known === undefined || known.complete === true || known.drained === true;
  }

  /** Stops following; each container resumes from its checkpoint when an agent starts again. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const shipper of this.shippers.values()) shipper.stop();
  }

  private writerFor(known: KnownTask, region: string): LogsWriter {
    const credentials = async (): Promise<AwsCredentialIdentity> => {
      const held = known.credentials;
      if (!held) return this.options.agentCredentials;
      return { accessKeyId: held.accessKeyId, secretAccessKey: held.secretAccessKey, sessionToken: held.sessionToken, expiration: new Date(held.expiresAt * 1000) };
    };
    return logsWriter(this.options.endpoint, region, credentials);
  }

  private async poll(): Promise<void> {
    if (this.polling || this.stopped) return;
    this.polling = true;
    try {
      for (const known of [...this.tasks.values()]) {
        if (known.complete && known.listed) continue;
        const containers = await this.options.runtime.listManaged(this.options.owner(), known.taskArn);
        let following = false;
        for (const container of containers) {
          if (!this.owesOutput(known, container)) continue;
          following = true;
          const name = container.labels[labels.containerName] ?? '';
          if (!this.shippers.has(container.id)) this.follow(known, name, known.containers.get(name)!, container.id);
        }
        known.drained = !following;
        const shipped = new Set(containers.filter((container) => this.finished.has(container.id)).map((container) => container.labels[labels.containerName]));
        known.complete = [...known.containers.keys()].every((name) => shipped.has(name));
        // A task no longer listed, with nothing left to ship, is forgotten (its containers' checkpoints too).
        if (!known.listed && !following) {
          this.tasks.delete(known.taskArn);
          for (const container of containers) {
            this.finished.delete(container.id);
            await this.checkpoints.remove(container.id);
          }
        }
      }
    } catch (error) {
      this.options.log.warn({ err: error }, 'awslogs: could not list containers to follow; trying again');
    } finally {
      this.polling = false;
    }
  }

  private follow(known: KnownTask, name: string, settings: AwslogsSettings, containerId: string): void {
    const shipper = new ContainerShipper({
      runtime: this.options.runtime,
      containerId,
      settings,
      stream: awslogsStreamName(settings, name, known.taskArn, containerId),
      writer: () => this.writerFor(known, settings.region),
      reader: () => logsWriter(this.options.endpoint, settings.region, async () => this.options.agentCredentials),
      checkpoints: this.checkpoints,
      log: this.options.log,
      ...(this.options.clock ? { clock: this.options.clock } : {}),
    });
    this.shippers.set(containerId, shipper);
    shipper
      .run()
      .then(
        (finished) => {
          if (!finished || this.stopped) return;
          this.finished.add(containerId);
          this.options.onShipped?.(known.taskArn);
        },
        (error: unknown) => this.options.log.warn({ err: error, container: containerId }, 'awslogs: following the container output failed; trying again'),
      )
      .finally(() => this.shippers.delete(containerId));
  }
}
