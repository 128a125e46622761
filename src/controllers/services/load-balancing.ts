/**
 * A service's load balancers, as the scheduler sees them: which target each task is registered as,
 * and what its targets' health says about the task. Pure: the controller reads the records and
 * writes the registrations.
 *
 * A service task with load balancers goes
 *
 *   PENDING → ACTIVATING → RUNNING → DEACTIVATING → STOPPING → STOPPED
 *
 * ACTIVATING from when its containers run (its network bindings known, its targets registered)
 * until every target is healthy; DEACTIVATING while its targets drain for the target group's
 * deregistration delay, before its agent is told to stop it. A target that is unhealthy after the
 * health check grace period (counted from the task's start) fails the task.
 *
 * Where a task is reached, by the target group's target type:
 *   instance  the container instance's EC2 instance id, and the host port bound to the container
 *             port (bridge: the dynamic port from networkBindings; host: the container port)
 *   ip        the task's private IPv4 address (awsvpc) and the container port
 */
import type { LoadBalancer } from '@aws-sdk/client-ecs';
import type { Wire } from '../../core/wire.js';
import type { TargetHealthState } from '../../store/contract/elbv2.js';
import type { TaskRecord, TaskTarget } from '../../store/types.js';

/** What a task's targets say about it. */
export type TaskBalance =
  | { state: 'healthy' }
  | { state: 'pending' }
  | { state: 'unhealthy'; target: TaskTarget; reason: string; description?: string };

export interface TargetHealthFact {
  state: TargetHealthState;
  reason?: string;
  /** ELB's words for the reason ("Health checks failed with these codes: [404]"), which ECS's events quote. */
  description?: string;
}

export const targetFactKey = (target: TaskTarget) => `${target.targetGroupArn} ${target.id}:${target.port}`;

/**
 * The targets a task is registered as, one per load balancer entry; undefined while one of them
 * is not known yet (no network binding or address reported), or a target group is gone.
 */
export function targetsOfTask(
  task: TaskRecord,
  loadBalancers: readonly Wire<LoadBalancer>[],
  facts: { targetTypeOf: (targetGroupArn: string) => string | undefined; instanceIdOf: (containerInstanceArn: string) => string | undefined; networkMode?: string },
): TaskTarget[] | undefined {
  const targets: TaskTarget[] = [];
  for (const entry of loadBalancers) {
    const targetGroupArn = entry.targetGroupArn;
    if (targetGroupArn === undefined || entry.containerPort === undefined) continue;
    const container = (task.containers ?? []).find((candidate) => candidate.name === entry.containerName);
    if (!container) return undefined;
    const targetType = facts.targetTypeOf(targetGroupArn);
    if (targetType === 'ip') {
      const address = container.networkInterfaces?.[0]?.privateIpv4Address;
      if (!address) return undefined;
      targets.push({ targetGroupArn, id: address, port: entry.containerPort });
    } else if (targetType === 'instance') {
      const instanceId = task.containerInstanceArn ? facts.instanceIdOf(task.containerInstanceArn) : undefined;
      const binding = (container.networkBindings ?? []).find(
        (candidate) => candidate.containerPort === entry.containerPort && (candidate.protocol ?? 'tcp') === 'tcp' && candidate.hostPort !== undefined,
      );
      const port = binding?.hostPort ?? (facts.networkMode === 'host' ? entry.containerPort : undefined);
      if (!instanceId || port === undefined) return undefined;
      targets.push({ targetGroupArn, id: instanceId, port });
    } else {
      return undefined;
    }
  }
  return targets;
}

/** Unhealthy if any target is; healthy once every target is; pending otherwise (initial, unused, not yet checked). */
export function balanceOf(targets: readonly TaskTarget[], health: ReadonlyMap<string, TargetHealthFact>): TaskBalance {
  let healthy = true;
  for (const target of targets) {
    const fact = health.get(targetFactKey(target));
    if (fact?.state === 'unhealthy') {
      return { state: 'unhealthy', target, reason: fact.reason ?? 'Target.FailedHealthChecks', ...(fact.description ? { description: fact.description } : {}) };
    }
    if (fact?.state !== 'healthy') healthy = false;
  }
  return healthy ? { state: 'healthy' } : { state: 'pending' };
}

/** ACTIVATING tasks the service still wants whose targets are all healthy: they are RUNNING now. */
export function tasksToActivate(tasks: readonly TaskRecord[], balances: ReadonlyMap<string, TaskBalance>): string[] {
  return tasks
    .filter((task) => task.lastStatus === 'ACTIVATING' && task.desiredStatus === 'RUNNING' && balances.get(task.taskArn)?.state === 'healthy')
    .map((task) => task.taskArn);
}

/** Whether a task's targets fail it: unhealthy once the grace period after its start has passed. */
export function failsLoadBalancerChecks(task: TaskRecord, balance: TaskBalance | undefined, now: number, graceSeconds: number): balance is Extract<TaskBalance, { state: 'unhealthy' }> {
  const serving = task.lastStatus === 'ACTIVATING' || task.lastStatus === 'RUNNING';
  return serving && balance?.state === 'unhealthy' && now - (task.startedAt ?? now) >= graceSeconds;
}

/**
 * Whether a DEACTIVATING task's drain is over: its delay has run out, or none of its targets is
 * still registered (the data plane ended the drain early, or nothing was in flight).
 */
export function drainIsOver(task: TaskRecord, stillRegistered: (target: TaskTarget) => boolean, now: number): boolean {
  if (task.drainUntil === undefined) return false;
  return task.drainUntil <= now || !(task.targets ?? []).some(stillRegistered);
}
