/**
 * The decision for a DAEMON service: exactly one task of the PRIMARY deployment on every eligible
 * instance (ACTIVE, agent not lost, of the right launch type, meeting the service's constraints),
 * none anywhere else. A new deployment replaces each instance's task in place: the old task is
 * stopped (as minimumHealthyPercent allows), then the new one starts. Pure.
 */
import { failsLoadBalancerChecks } from './load-balancing.js';
import type { TaskRecord } from '../../store/types.js';
import { deploymentBounds, elbHealthStopReason, healthCheckStopReason, primaryOf, rolloutLimits } from '../../ecs/services/model.js';
import {
  checkBreaker,
  clearFailuresBefore,
  countStops,
  isHealthy,
  isProven,
  isThrottled,
  settle,
  workingCopy,
  type Decision,
  type ServiceSnapshot,
  type StopOrder,
} from './reconcile.js';
import { defaultSchedulerTiming } from './timing.js';

export interface DaemonSnapshot extends ServiceSnapshot {
  /** Instances that should each run one task of the service. */
  eligible: ReadonlySet<string>;
}

export interface DaemonDecision extends Omit<Decision, 'launch'> {
  /** Instances to start one PRIMARY task on. */
  launchOn: string[];
}

export function reconcileDaemon(snapshot: DaemonSnapshot): DaemonDecision {
  const { now, eligible } = snapshot;
  const timing = snapshot.timing ?? defaultSchedulerTiming;
  const service = workingCopy(snapshot.service);
  countStops(service, snapshot.stops, now);
  const primary = primaryOf(service);
  const draining = service.status === 'DRAINING';
  const desired = draining ? 0 : eligible.size;
  const stops: StopOrder[] = [];
  const stopping = new Set<string>();
  const stop = (task: TaskRecord, reason: string, kind: StopOrder['kind']) => {
    if (stopping.has(task.taskArn)) return;
    stops.push({ taskArn: task.taskArn, reason, kind });
    stopping.add(task.taskArn);
  };
  const scaleReason = `Scaling activity initiated by (deployment ${primary?.id ?? 'none'})`;

  const byInstance = new Map<string, TaskRecord[]>();
  for (const task of snapshot.tasks) {
    const key = task.containerInstanceArn ?? '';
    byInstance.set(key, [...(byInstance.get(key) ?? []), task]);
  }
  const grace = service.healthCheckGracePeriodSeconds ?? 0;
  for (const [instanceArn, tasks] of byInstance) {
    const instance = snapshot.instances.get(instanceArn);
    const wanted = tasks.filter((task) => task.desiredStatus === 'RUNNING');
    if (draining || !eligible.has(instanceArn)) {
      for (const task of wanted) stop(task, instance?.lost ? 'Task stopped because its container instance agent was disconnected for too long.' : scaleReason, instance?.lost ? 'lost' : 'scale');
      continue;
    }
    for (const task of wanted) {
      const balance = snapshot.balances?.get(task.taskArn);
      if (failsLoadBalancerChecks(task, balance, now, grace)) stop(task, elbHealthStopReason(balance.target.targetGroupArn), 'health');
      else if (task.lastStatus === 'RUNNING' && task.healthStatus === 'UNHEALTHY' && now - (task.startedAt ?? now) >= grace) stop(task, healthCheckStopReason, 'health');
    }
    const own = wanted.filter((task) => task.startedBy === primary?.id && !stopping.has(task.taskArn));
    for (const extra of own.slice(1)) stop(extra, scaleReason, 'scale');
  }

  if (primary) clearFailuresBefore(primary, snapshot.tasks.filter((task) => task.startedBy === primary.id), now, timing.provenAfterSeconds);
  const breaker = checkBreaker(service, Math.max(desired, 1), now, snapshot.firingAlarms);
  const halted = !primary || primary.rolloutState === 'FAILED';

  // Older deployments' tasks give way, keeping minHealthy healthy tasks across the service.
  const { minHealthy } = rolloutLimits(desired, deploymentBounds(service));
  const standing = () => snapshot.tasks.filter((task) => task.desiredStatus === 'RUNNING' && !stopping.has(task.taskArn));
  let allowance = standing().filter((task) => isProven(task, now, timing.provenAfterSeconds)).length - minHealthy;
  if (!halted) {
    for (const task of standing()) {
      if (task.startedBy === primary.id) continue;
      if (!isHealthy(task)) stop(task, scaleReason, 'scale');
      else if (allowance > 0) {
        stop(task, scaleReason, 'scale');
        allowance--;
      }
    }
  }

  const launchOn: string[] = [];
  let throttled = false;
  if (!halted && !draining) {
    for (const instanceArn of eligible) {
      const tasks = byInstance.get(instanceArn) ?? [];
      const hasOwn = tasks.some((task) => task.startedBy === primary.id && task.desiredStatus === 'RUNNING' && !stopping.has(task.taskArn));
      // The old task must be gone before its replacement starts: both may need the same ports.
      const occupied = tasks.some((task) => task.startedBy !== primary.id && task.lastStatus !== 'STOPPED');
      if (!hasOwn && !occupied) launchOn.push(instanceArn);
    }
    if (launchOn.length > 0 && isThrottled(primary, now, timing)) {
      launchOn.length = 0;
      throttled = true;
    }
  }

  const live = snapshot.tasks.filter((task) => !snapshot.instances.get(task.containerInstanceArn ?? '')?.lost);
  service.deployments = service.deployments.flatMap((deployment) => {
    if (deployment.status === 'PRIMARY') return [{ ...deployment, desiredCount: desired }];
    const remaining = live.filter((task) => task.startedBy === deployment.id);
    if (remaining.length === 0) return [];
    return [{ ...deployment, desiredCount: remaining.filter((task) => task.desiredStatus === 'RUNNING' && !stopping.has(task.taskArn)).length }];
  });
  service.desiredCount = desired;
  const current = primaryOf(service);
  const healthyOwn = standing().filter((task) => task.startedBy === current?.id && isProven(task, now, timing.provenAfterSeconds) && eligible.has(task.containerInstanceArn ?? ''));
  const settled =
    current !== undefined &&
    healthyOwn.length === desired &&
    new Set(healthyOwn.map((task) => task.containerInstanceArn)).size === desired &&
    service.deployments.length === 1 &&
    live.every((task) => task.startedBy === current.id) &&
    launchOn.length === 0 &&
    stops.length === 0;
  const outcome = settle(service, settled, draining && live.length === 0, now, snapshot.bakeSeconds);
  return { ...outcome, launchOn, stops, accounted: snapshot.stops.map((task) => task.taskArn), breaker, throttled };
}
