/**
 * SubmitTaskStateChange and SubmitContainerStateChange: how an agent tells the control plane what
 * became of a task. Status only moves forward along the lifecycle
 *
 *   PROVISIONING → PENDING → ACTIVATING → RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED
 *
 * so a late or repeated report never moves a task back. When a task reaches STOPPED its
 * reservation goes back to its container instance.
 */
import type {
  ContainerStateChange,
  SubmitContainerStateChangeRequest,
  SubmitContainerStateChangeResponse,
  SubmitTaskStateChangeRequest,
  SubmitTaskStateChangeResponse,
} from '@aws-sdk/client-ecs';
import type { Wire } from '../../core/wire.js';
import type { RequestContext } from '../../edge/context.js';
import type { StoreTx, TaskRecord } from '../../store/types.js';
import { activeCluster } from '../clusters.js';
import type { EcsDeps } from '../deps.js';
import { resolveChildArn } from '../names.js';
import { release, resourcesOf, totalsOf } from '../resources.js';
import { checkLength, invalidParameter, requireString } from '../validate.js';

export const taskLifecycle = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'];
const containerLifecycle = ['PENDING', 'RUNNING', 'STOPPED'];

const rank = (lifecycle: string[], status: string | undefined) => lifecycle.indexOf(status ?? '');

function checkStatus(lifecycle: string[], status: string | undefined, field: string): string | undefined {
  if (status === undefined) return undefined;
  if (!lifecycle.includes(status)) throw invalidParameter(`${field} must be one of ${lifecycle.join(', ')}; got '${status}'.`);
  return status;
}

const seconds = (value: number | string | undefined): number | undefined =>
  value === undefined ? undefined : typeof value === 'number' ? value : Date.parse(value) / 1000;

function applyContainerChanges(task: TaskRecord, changes: Wire<ContainerStateChange>[]): TaskRecord {
  const containers = (task.containers ?? []).map((container) => {
    const change = changes.find((item) => item.containerName === container.name);
    if (!change) return container;
    const forward = change.status !== undefined && rank(containerLifecycle, change.status) > rank(containerLifecycle, container.lastStatus);
    return {
      ...container,
      ...(forward ? { lastStatus: change.status } : {}),
      ...(change.exitCode !== undefined ? { exitCode: change.exitCode } : {}),
      ...(change.reason !== undefined ? { reason: change.reason } : {}),
      ...(change.runtimeId !== undefined ? { runtimeId: change.runtimeId } : {}),
      ...(change.imageDigest !== undefined ? { imageDigest: change.imageDigest } : {}),
      ...(change.networkBindings !== undefined ? { networkBindings: change.networkBindings } : {}),
    };
  });
  return { ...task, containers };
}

/** Moves a task to `status` if that is forward, with the timestamps and stop details ECS shows. */
function advance(task: TaskRecord, status: string | undefined, reason: string | undefined, now: number): TaskRecord {
  if (status === undefined || rank(taskLifecycle, status) <= rank(taskLifecycle, task.lastStatus)) return task;
  const next: TaskRecord = { ...task, lastStatus: status, version: (task.version ?? 0) + 1 };
  if (status === 'RUNNING') next.startedAt ??= now;
  if (rank(taskLifecycle, status) >= rank(taskLifecycle, 'DEACTIVATING')) {
    next.stoppingAt ??= now;
    if (task.desiredStatus !== 'STOPPED') {
      // The task stopped on its own: ECS says whether it ever started.
      next.desiredStatus = 'STOPPED';
      next.stopCode ??= task.startedAt ? 'EssentialContainerExited' : 'TaskFailedToStart';
    }
    if (reason !== undefined) next.stoppedReason ??= reason;
  }
  if (status === 'STOPPED') {
    next.stoppedAt ??= now;
    next.executionStoppedAt ??= now;
  }
  return next;
}

async function releaseReservation(tx: StoreTx, task: TaskRecord): Promise<TaskRecord> {
  if (!task.reservation) return task;
  const { reservation, ...released } = task;
  const instance = task.containerInstanceArn ? await tx.containerInstances.get(task.containerInstanceArn) : undefined;
  if (instance) {
    await tx.containerInstances.put({
      ...instance,
      remainingResources: resourcesOf(release(totalsOf(instance.remainingResources), reservation)),
      version: (instance.version ?? 0) + 1,
    });
  }
  return released;
}

async function findTask(tx: StoreTx, ctx: RequestContext, cluster: string | undefined, given: string): Promise<TaskRecord> {
  const record = await activeCluster(tx, ctx.scope, cluster);
  const arn = resolveChildArn(ctx.scope, record.clusterArn, given, 'task');
  const task = arn === undefined ? undefined : await tx.tasks.get(arn);
  if (!task) throw invalidParameter(`The referenced task was not found: '${given}'.`);
  return task;
}

async function save(tx: StoreTx, before: TaskRecord, after: TaskRecord): Promise<void> {
  const stoppedNow = after.lastStatus === 'STOPPED' && before.lastStatus !== 'STOPPED';
  await tx.tasks.put(stoppedNow ? await releaseReservation(tx, after) : after);
}

export function stateChangeOperations(deps: EcsDeps) {
  const { store } = deps;
  return {
    async SubmitTaskStateChange(input: Wire<SubmitTaskStateChangeRequest>, ctx: RequestContext): Promise<Wire<SubmitTaskStateChangeResponse>> {
      const given = requireString(input.task, 'task');
      const status = checkStatus(taskLifecycle, input.status, 'status');
      checkLength(input.reason, 'reason', 0, 1024);
      (input.containers ?? []).forEach((change, index) => {
        requireString(change.containerName, `containers[${index}].containerName`);
        checkStatus(containerLifecycle, change.status, `containers[${index}].status`);
      });
      await store.write(async (tx) => {
        const task = await findTask(tx, ctx, input.cluster, given);
        const now = ctx.now.getTime() / 1000;
        let next = applyContainerChanges(task, input.containers ?? []);
        const pullStartedAt = seconds(input.pullStartedAt);
        const pullStoppedAt = seconds(input.pullStoppedAt);
        const executionStoppedAt = seconds(input.executionStoppedAt);
        if (pullStartedAt !== undefined) next.pullStartedAt ??= pullStartedAt;
        if (pullStoppedAt !== undefined) next.pullStoppedAt ??= pullStoppedAt;
        if (executionStoppedAt !== undefined) next.executionStoppedAt ??= executionStoppedAt;
        next = advance(next, status, input.reason, now);
        await save(tx, task, next);
      });
      return { acknowledgment: 'ACK' };
    },

    async SubmitContainerStateChange(
      input: Wire<SubmitContainerStateChangeRequest>,
      ctx: RequestContext,
    ): Promise<Wire<SubmitContainerStateChangeResponse>> {
      const given = requireString(input.task, 'task');
      const containerName = requireString(input.containerName, 'containerName');
      checkStatus(containerLifecycle, input.status, 'status');
      await store.write(async (tx) => {
        const task = await findTask(tx, ctx, input.cluster, given);
        if (!(task.containers ?? []).some((container) => container.name === containerName)) {
          throw invalidParameter(`containerName '${containerName}' is not a container of task ${task.taskArn}.`);
        }
        const change: Wire<ContainerStateChange> = {
          containerName,
          ...(input.status !== undefined ? { status: input.status } : {}),
          ...(input.exitCode !== undefined ? { exitCode: input.exitCode } : {}),
          ...(input.reason !== undefined ? { reason: input.reason } : {}),
          ...(input.runtimeId !== undefined ? { runtimeId: input.runtimeId } : {}),
          ...(input.networkBindings !== undefined ? { networkBindings: input.networkBindings } : {}),
        };
        await save(tx, task, applyContainerChanges(task, [change]));
      });
      return { acknowledgment: 'ACK' };
    },
  };
}
