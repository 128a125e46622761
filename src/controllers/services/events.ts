/**
 * Service events, worded as ECS words them so that people and tools reading them (the console's
 * habits, `aws ecs wait services-stable`, deployment watchers) understand them. Newest first, bounded.
 */
import type { IdGenerator } from '../../core/ids.js';
import type { ServiceRecord, TaskRecord } from '../../store/types.js';
import { taskIdOf } from '../../ecs/services/model.js';

export const maxEvents = 100;
/** A message that repeats (unable to place, throttled launches) is not recorded again sooner than this. */
const repeatAfterSeconds = 300;

const list = (taskArns: string[], kind: string) => taskArns.map((arn) => `(${kind} ${taskIdOf(arn)})`).join(' ');

export const eventText = {
  steadyState: (service: string) => `(service ${service}) has reached a steady state.`,
  started: (service: string, taskArns: string[]) => `(service ${service}) has started ${taskArns.length} tasks: ${list(taskArns, 'task')}.`,
  stopped: (service: string, taskArns: string[]) => `(service ${service}) has stopped ${taskArns.length} running tasks: ${list(taskArns, 'task')}.`,
  deploymentCompleted: (service: string, deploymentId: string) => `(service ${service}) (deployment ${deploymentId}) deployment completed.`,
  deploymentFailed: (service: string, deploymentId: string, why: string) => `(service ${service}) (deployment ${deploymentId}) deployment failed: ${why}.`,
  rollingBack: (service: string, deploymentId: string) => `(service ${service}) rolling back to deployment ${deploymentId}.`,
  failedHealthChecks: (service: string, taskArn: string) => `(service ${service}) (task ${taskIdOf(taskArn)}) failed container health checks.`,
  unableToStartConsistently: (service: string) =>
    `(service ${service}) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide. Berth retries with a growing delay (up to 5 minutes); the stoppedReason of the service's stopped tasks says why they failed.`,
  unableToPlace: (service: string, explanation: string) =>
    `(service ${service}) was unable to place a task because no container instance met all of its requirements. ${explanation} For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
  unableToPlaceNoInstances: (service: string) =>
    `(service ${service}) was unable to place a task. Reason: No Container Instances were found in your cluster. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide. Register a container instance in the cluster (run \`berth agent\`), or use the FARGATE launch type.`,
  instanceLost: (service: string, taskArns: string[], seconds: number) =>
    `(service ${service}) is replacing ${taskArns.length} tasks whose container instance agent has been disconnected for over ${seconds} seconds: ${list(taskArns, 'task')}.`,
  notBalanced: (service: string, counts: string) => `(service ${service}) is not AZ balanced with ${counts}. AZ Rebalancing in progress.`,
  balanced: (service: string, counts: string) => `(service ${service}) is AZ balanced with ${counts}.`,
  startedToRebalance: (service: string, zone: string, taskArns: string[]) =>
    `(service ${service}) has started ${taskArns.length} tasks in Availability Zone ${zone} to AZ Rebalance: ${list(taskArns, 'task')}.`,
  stoppedToRebalance: (service: string, zone: string, taskArns: string[]) =>
    `(service ${service}) has stopped ${taskArns.length} running tasks in Availability Zone ${zone} due to AZ rebalancing: ${list(taskArns, 'task')}.`,
  unableToPlaceInZone: (service: string, zone: string, explanation: string) =>
    `(service ${service}) is unable to place a task in Availability Zone ${zone} because no container instance met all of its requirements. ${explanation} To address the issue, register instances in the zone that can run the task.`,
  registeredTargets: (service: string, count: number, targetGroupArn: string) => `(service ${service}) registered ${count} targets in (target-group ${targetGroupArn})`,
  deregisteredTargets: (service: string, count: number, targetGroupArn: string) => `(service ${service}) deregistered ${count} targets in (target-group ${targetGroupArn})`,
  drainingTasks: (service: string, count: number) => `(service ${service}) has begun draining connections on ${count} tasks.`,
  /** ECS names the instance of an `instance` target; of an `ip` target (awsvpc, Fargate) only the port. */
  unhealthyTarget: (service: string, target: { id: string; port: number; ip: boolean }, targetGroupArn: string, reason: string) =>
    `(service ${service}) ${target.ip ? '' : `(instance ${target.id}) `}(port ${target.port}) is unhealthy in (target-group ${targetGroupArn}) due to (reason ${reason}).`,
  taskFailed: (service: string, task: TaskRecord) => `(service ${service}) (task ${taskIdOf(task.taskArn)}) failed: ${failureOf(task)}`,
};

/**
 * Why a task failed: its stoppedReason, then the containers that say more (an exit code, their own
 * reason). A container whose reason is the task's (a CannotPullContainerError, say) is only named.
 */
export function failureOf(task: Pick<TaskRecord, 'stoppedReason' | 'containers'>): string {
  const stopped = task.stoppedReason ?? 'stopped';
  const containers = (task.containers ?? [])
    .filter((container) => container.reason || (container.exitCode !== undefined && container.exitCode !== 0))
    .map((container) => (container.reason === stopped ? container.name : `${container.name}: ${container.reason ?? `exit code ${container.exitCode}`}`));
  return containers.length > 0 ? `${stopped} (${containers.join('; ')})` : stopped;
}

/** ECS names at most ten tasks per "has started"/"has stopped" event. */
export function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

/** Adds an event (newest first). A `repeating` message is skipped while an identical one is recent. */
export function addEvent(service: ServiceRecord, message: string, now: number, ids: IdGenerator, options: { repeating?: boolean } = {}): ServiceRecord {
  if (options.repeating) {
    const recent = service.events.find((event) => event.message === message);
    if (recent && now - (recent.createdAt as number) < repeatAfterSeconds) return service;
  }
  const event = { id: ids.uuid(), createdAt: now, message };
  return { ...service, events: [event, ...service.events].slice(0, maxEvents) };
}
