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
  HealthStatus,
  TaskStopCode,
  SubmitContainerStateChangeRequest,
  SubmitContainerStateChangeResponse,
  SubmitTaskStateChangeRequest,
  SubmitTaskStateChangeResponse,
} from '@aws-sdk/client-ecs';
import type { TaskReport } from '../../agent-channel-protocol/messages.js';
import type { Wire } from '../../core/wire.js';
import type { RequestContext } from '../../core/request-context.js';
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

type ContainerChange = Wire<ContainerStateChange> & { healthStatus?: HealthStatus };

function applyContainerChanges(task: TaskRecord, changes: ContainerChange[]): TaskRecord {
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
      ...(change.healthStatus !== undefined ? { healthStatus: change.healthStatus } : {}),
    };
  });
  return { ...task, containers };
}

/** The task's network interface gets the address its agent reports, and goes when the task stops. */
function applyNetworkInterface(task: TaskRecord, reported: TaskReport['networkInterface']): TaskRecord {
  const eni = task.attachments?.find((attachment) => attachment.type === 'ElasticNetworkInterface');
  if (!eni) return task;
  let next = eni;
  if (reported && eni.status === 'PRECREATED') {
    next = {
      ...eni,
      status: 'ATTACHED',
      details: [
        ...(eni.details ?? []).filter((detail) => !['macAddress', 'privateIPv4Address', 'privateDnsName'].includes(detail.name ?? '')),
        { name: 'macAddress', value: reported.macAddress },
        { name: 'privateDnsName', value: `ip-${reported.privateIPv4Address.replaceAll('.', '-')}.ec2.internal` },
        { name: 'privateIPv4Address', value: reported.privateIPv4Address },
      ],
    };
  }
  if (task.lastStatus === 'STOPPED') next = { ...next, status: 'DELETED' };
  if (next === eni) return task;
  const attachmentId = eni.id;
  const address = next.details?.find((detail) => detail.name === 'privateIPv4Address')?.value;
  return {
    ...task,
    attachments: (task.attachments ?? []).map((attachment) => (attachment === eni ? next : attachment)),
    containers: (task.containers ?? []).map((container) =>
      address && attachmentId ? { ...container, networkInterfaces: [{ attachmentId, privateIpv4Address: address }] } : container,
    ),
  };
}

/**
 * A service task with load balancers whose containers run is ACTIVATING, not RUNNING: the service
 * scheduler registers its targets and moves it to RUNNING once they are healthy.
 */
const statusFor = (task: TaskRecord, status: string | undefined) =>
  status === 'RUNNING' && task.loadBalanced && task.lastStatus !== 'RUNNING' ? 'ACTIVATING' : status;

/** Moves a task to `status` if that is forward, with the timestamps and stop details ECS shows. */
function advance(task: TaskRecord, reported: string | undefined, reason: string | undefined, now: number, stopCode?: TaskStopCode): TaskRecord {
  const status = statusFor(task, reported);
  if (status === undefined || rank(taskLifecycle, status) <= rank(taskLifecycle, task.lastStatus)) return task;
  const next: TaskRecord = { ...task, lastStatus: status, version: (task.version ?? 0) + 1 };
  if (reported === 'RUNNING') next.startedAt ??= now;
  if (rank(taskLifecycle, status) >= rank(taskLifecycle, 'DEACTIVATING')) {
    next.stoppingAt ??= now;
    if (task.desiredStatus !== 'STOPPED') {
      // The task stopped on its own: ECS says whether it ever started.
      next.desiredStatus = 'STOPPED';
      next.stopCode ??= stopCode ?? (task.startedAt ? 'EssentialContainerExited' : 'TaskFailedToStart');
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

async function save(tx: StoreTx, before: TaskRecord, after: TaskRecord): Promise<TaskRecord> {
  const stoppedNow = after.lastStatus === 'STOPPED' && before.lastStatus !== 'STOPPED';
  const saved = stoppedNow ? await releaseReservation(tx, after) : after;
  await tx.tasks.put(saved);
  return saved;
}

/**
 * Applies what an agent observed of one of its tasks (see agent-channel-protocol/messages.ts), with the
 * same forward-only rules as SubmitTaskStateChange, in the caller's transaction.
 */
export async function applyTaskReport(tx: StoreTx, task: TaskRecord, report: TaskReport, now: number): Promise<TaskRecord> {
  const status = checkStatus(taskLifecycle, report.status, 'status');
  const changes: ContainerChange[] = (report.containers ?? []).map((container) => ({
    containerName: container.name,
    ...(container.status !== undefined ? { status: container.status } : {}),
    ...(container.exitCode !== undefined ? { exitCode: container.exitCode } : {}),
    ...(container.reason !== undefined ? { reason: container.reason.slice(0, 1024) } : {}),
    ...(container.runtimeId !== undefined ? { runtimeId: container.runtimeId } : {}),
    ...(container.imageDigest !== undefined ? { imageDigest: container.imageDigest } : {}),
    ...(container.networkBindings !== undefined ? { networkBindings: container.networkBindings } : {}),
    ...(container.healthStatus !== undefined ? { healthStatus: container.healthStatus } : {}),
  }));
  let next = applyContainerChanges(task, changes);
  if (report.pullStartedAt !== undefined) next.pullStartedAt ??= report.pullStartedAt;
  if (report.pullStoppedAt !== undefined) next.pullStoppedAt ??= report.pullStoppedAt;
  if (report.executionStoppedAt !== undefined) next.executionStoppedAt ??= report.executionStoppedAt;
  if (report.healthStatus !== undefined && next.lastStatus !== 'STOPPED') next.healthStatus = report.healthStatus;
  next = advance(next, status, report.reason?.slice(0, 1024), now, report.stopCode as TaskStopCode | undefined);
  next = applyNetworkInterface(next, report.networkInterface);
  if (next.version === task.version) next = { ...next, version: (task.version ?? 0) + 1 };
  return save(tx, task, next);
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
