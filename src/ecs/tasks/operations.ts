/**
 * Tasks: RunTask, StartTask, StopTask, DescribeTasks, ListTasks.
 *
 * Handlers record desired state; they never pretend a task runs or stops. A placed task waits in
 * PROVISIONING/PENDING until an agent reports on it, and StopTask only sets desiredStatus STOPPED
 * for the agent to converge on; the reservation is freed when the task is reported STOPPED.
 */
import { createHash } from 'node:crypto';
import {
  DesiredStatus,
  LaunchType,
  TaskField,
  type DescribeTasksRequest,
  type DescribeTasksResponse,
  type Failure,
  type ListTasksRequest,
  type ListTasksResponse,
  type RunTaskRequest,
  type RunTaskResponse,
  type StartTaskRequest,
  type StartTaskResponse,
  type StopTaskRequest,
  type StopTaskResponse,
  type Task,
} from '@aws-sdk/client-ecs';
import type { Scope } from '../../core/principal.js';
import type { Wire } from '../../core/wire.js';
import type { RequestContext } from '../../core/request-context.js';
import type { StoreTx, TaskRecord } from '../../store/types.js';
import { withHelp } from '../../core/errors.js';
import { activeCluster } from '../clusters.js';
import type { EcsDeps } from '../deps.js';
import { resolveChildArn } from '../names.js';
import { nextTokenOf, pageRequest } from '../pagination.js';
import { checkEnum, checkLength, checkMaxItems, checkRange, invalidParameter, requireList, requireString } from '../validate.js';
import { checkRunInput, launchAndPlace, type RunInput } from './run.js';

export function presentTask(record: TaskRecord, withTags: boolean): Wire<Task> {
  const { reservation: _reservation, fargateHost: _host, serviceAccounted: _accounted, loadBalanced: _balanced, targets: _targets, drainUntil: _drain, tags, ...task } = record;
  return withTags ? { ...task, tags } : task;
}

async function findTask(tx: StoreTx, scope: Scope, clusterArn: string, given: string): Promise<TaskRecord | undefined> {
  const arn = resolveChildArn(scope, clusterArn, given, 'task');
  return arn === undefined ? undefined : tx.tasks.get(arn);
}

const requestHash = (input: unknown) => createHash('sha256').update(JSON.stringify(input)).digest('hex');

export function taskOperations(deps: EcsDeps) {
  const { store } = deps;
  return {
    async RunTask(input: Wire<RunTaskRequest>, ctx: RequestContext): Promise<Wire<RunTaskResponse>> {
      const checked: RunInput = checkRunInput(input);
      checkRange(input.count, 'count', 1, 10);
      checkLength(input.clientToken, 'clientToken', 1, 64);
      let placed: TaskRecord[] = [];
      const response = await store.write(async (tx) => {
        const tokenKey = input.clientToken && `${ctx.scope.accountId}/${ctx.scope.region}/RunTask/${input.clientToken}`;
        if (tokenKey) {
          const earlier = await tx.idempotency.get(tokenKey);
          if (earlier) {
            if (earlier.requestHash !== requestHash(input)) {
              throw invalidParameter('clientToken was already used for a RunTask request with different parameters.');
            }
            return JSON.parse(earlier.response) as Wire<RunTaskResponse>;
          }
        }
        const result = await launchAndPlace(tx, deps, ctx, checked, { count: input.count ?? 1 });
        placed = result.tasks;
        const response: Wire<RunTaskResponse> = { tasks: result.tasks.map((task) => presentTask(task, true)), failures: result.failures };
        if (tokenKey) await tx.idempotency.put(tokenKey, requestHash(input), JSON.stringify(response), ctx.now.getTime() / 1000);
        return response;
      });
      return response;
    },

    async StartTask(input: Wire<StartTaskRequest>, ctx: RequestContext): Promise<Wire<StartTaskResponse>> {
      const instances = requireList(input.containerInstances, 'containerInstances');
      if (instances.length < 1) throw invalidParameter('containerInstances must name at least one container instance.');
      checkMaxItems(instances, 'containerInstances', 10);
      const checked = checkRunInput({ ...input, launchType: 'EC2' });
      const { tasks, failures } = await store.write(async (tx) => {
        const cluster = await activeCluster(tx, ctx.scope, input.cluster);
        const tasks: TaskRecord[] = [];
        const failures: Wire<Failure>[] = [];
        for (const given of instances) {
          const arn = resolveChildArn(ctx.scope, cluster.clusterArn, given, 'container-instance');
          const record = arn === undefined ? undefined : await tx.containerInstances.get(arn);
          if (!record || record.status === 'INACTIVE') {
            failures.push({ arn: arn ?? given, reason: 'MISSING' });
            continue;
          }
          const launch = record.ec2InstanceId?.startsWith('mi-') ? 'EXTERNAL' : 'EC2';
          const result = await launchAndPlace(tx, deps, ctx, { ...checked, launchType: launch }, { count: 1, onlyInstance: record.containerInstanceArn });
          tasks.push(...result.tasks);
          failures.push(...result.failures);
        }
        return { tasks, failures };
      });
      return { tasks: tasks.map((task) => presentTask(task, true)), failures };
    },

    async StopTask(input: Wire<StopTaskRequest>, ctx: RequestContext): Promise<Wire<StopTaskResponse>> {
      const given = requireString(input.task, 'task');
      checkLength(input.reason, 'reason', 0, 255);
      const stopped = await store.write(async (tx) => {
        const cluster = await activeCluster(tx, ctx.scope, input.cluster);
        const task = await findTask(tx, ctx.scope, cluster.clusterArn, given);
        if (!task) throw invalidParameter(`The referenced task was not found: '${given}'.`);
        if (task.desiredStatus === 'STOPPED') return task;
        const stopped: TaskRecord = {
          ...task,
          desiredStatus: 'STOPPED',
          stopCode: 'UserInitiated',
          stoppedReason: input.reason || 'Task stopped by user',
          stoppingAt: ctx.now.getTime() / 1000,
          version: (task.version ?? 0) + 1,
        };
        await tx.tasks.put(stopped);
        return stopped;
      });
      return { task: presentTask(stopped, false) };
    },

    async DescribeTasks(input: Wire<DescribeTasksRequest>, ctx: RequestContext): Promise<Wire<DescribeTasksResponse>> {
      const wanted = requireList(input.tasks, 'tasks');
      if (wanted.length === 0) throw withHelp(invalidParameter('Tasks cannot be empty.'), { field: 'tasks' });
      checkMaxItems(wanted, 'tasks', 100);
      const include = (input.include ?? []).map((field, index) => checkEnum(field, `include[${index}]`, TaskField));
      return store.read(async (tx) => {
        const cluster = await activeCluster(tx, ctx.scope, input.cluster);
        const tasks: Wire<Task>[] = [];
        const failures: Wire<Failure>[] = [];
        for (const given of wanted) {
          const task = await findTask(tx, ctx.scope, cluster.clusterArn, given);
          if (task) tasks.push(presentTask(task, include.includes('TAGS')));
          else failures.push({ arn: resolveChildArn(ctx.scope, cluster.clusterArn, given, 'task') ?? given, reason: 'MISSING' });
        }
        return { tasks, failures };
      });
    },

    async ListTasks(input: Wire<ListTasksRequest>, ctx: RequestContext): Promise<Wire<ListTasksResponse>> {
      const desiredStatus = checkEnum(input.desiredStatus, 'desiredStatus', DesiredStatus) ?? 'RUNNING';
      const launchType = checkEnum(input.launchType, 'launchType', LaunchType);
      const page = pageRequest(input);
      return store.read(async (tx) => {
        const cluster = await activeCluster(tx, ctx.scope, input.cluster);
        let containerInstanceArn: string | undefined;
        if (input.containerInstance !== undefined) {
          containerInstanceArn = resolveChildArn(ctx.scope, cluster.clusterArn, input.containerInstance, 'container-instance');
          if (!containerInstanceArn) throw invalidParameter(`containerInstance '${input.containerInstance}' is not a container instance id or ARN.`);
        }
        const result = await tx.tasks.listArns(
          {
            clusterArn: cluster.clusterArn,
            desiredStatus,
            ...(input.family !== undefined ? { family: input.family } : {}),
            ...(input.startedBy !== undefined ? { startedBy: input.startedBy } : {}),
            ...(input.serviceName !== undefined ? { serviceName: input.serviceName } : {}),
            ...(containerInstanceArn !== undefined ? { containerInstanceArn } : {}),
            ...(launchType !== undefined ? { launchType } : {}),
          },
          page,
        );
        return { taskArns: result.items, ...nextTokenOf(result) };
      });
    },
  };
}
