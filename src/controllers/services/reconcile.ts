/**
 * The service scheduler's decision for one REPLICA service, over a snapshot: which stops to count,
 * which tasks to stop, how many to launch for the PRIMARY deployment, and how the deployments
 * stand afterwards. Pure: the controller reads the snapshot and carries the decision out.
 *
 * A rollout keeps two bounds (ECS's rolling update):
 *  - at most maxTotal = ⌊desired × maximumPercent / 100⌋ tasks running or pending, stopping ones included;
 *  - at least minHealthy = ⌈desired × minimumHealthyPercent / 100⌉ healthy tasks, unless fewer exist;
 *    a task counts once it has been healthy for the proving window (timing.ts, 10 s by default).
 * Worked example, desired 4 at 100/200: 4 old tasks run; 4 new ones launch (8 ≤ ⌊4 × 200 / 100⌋);
 * once 2 of them have been healthy for 10 s, 6 proven tasks stand against a floor of 4, so 2 old
 * ones stop; the rest follow as the other new ones prove themselves.
 * Tasks of older deployments, and tasks on DRAINING instances, are "retiring": they count toward
 * both bounds and are stopped as the bounds allow, while the PRIMARY deployment is brought to the
 * desired count. Tasks on instances whose agent has been gone past the grace period are written
 * off and replaced; those whose load balancer targets are still healthy are stopped only as their
 * replacements turn healthy.
 */
import type { DeploymentRecord, ServiceRecord, TaskRecord } from '../../store/types.js';
import { breakerThreshold, deploymentBounds, elbHealthStopReason, failedToStart, healthCheckStopReason, isFailedTask, primaryOf, rolloutLimits } from '../../ecs/services/model.js';
import { isBalanced, rebalanceLaunches, zoneCounts, type ZoneLaunch } from './rebalance.js';
import type { InstanceState } from './instance-state.js';
import { failsLoadBalancerChecks, type TaskBalance } from './load-balancing.js';
import { scaleInVictims, spreadKeysOf } from './scale-in.js';
import { defaultSchedulerTiming, type SchedulerTiming } from './timing.js';

export type { InstanceState } from './instance-state.js';

export interface ServiceSnapshot {
  service: ServiceRecord;
  /** The service's tasks not yet STOPPED. */
  tasks: TaskRecord[];
  /** The service's STOPPED tasks whose stop it has not counted yet. */
  stops: TaskRecord[];
  /** Container instances of the cluster by ARN. */
  instances: ReadonlyMap<string, InstanceState>;
  /** Epoch seconds. */
  now: number;
  /** The proving window and the launch back-off; the defaults when absent. */
  timing?: SchedulerTiming;
  /**
   * The Availability Zones the service can run in, when it is to be kept balanced over them
   * (availabilityZoneRebalancing); absent otherwise.
   */
  rebalanceZones?: readonly string[];
  /** For a service with load balancers: what each registered task's targets say about it (load-balancing.ts). */
  balances?: ReadonlyMap<string, TaskBalance>;
  /** The deployment alarms (deploymentConfiguration.alarms) in ALARM now, by name. */
  firingAlarms?: readonly string[];
  /** With deployment alarms: how long a settled deployment bakes before it completes (deployment-alarms.ts). */
  bakeSeconds?: number;
}

export interface StopOrder {
  taskArn: string;
  reason: string;
  kind: 'scale' | 'health' | 'lost' | 'rebalance';
}

/** What Availability Zone rebalancing did this pass. */
export interface RebalanceStep {
  /** Tasks per zone before this pass's launches. */
  counts: ReadonlyMap<string, number>;
  /** Tasks to start in the emptier zones. */
  launches: ZoneLaunch[];
  /** Rebalancing begins with these launches. */
  began: boolean;
}

/** What the circuit breaker concluded this pass. */
export type BreakerOutcome =
  | { tripped: false }
  | {
      tripped: true;
      rollbackTo?: { revisionArn: string; deploymentId: string };
      /** The deployment alarms that failed the deployment; absent when the circuit breaker did. */
      alarms?: readonly string[];
    };

export interface Decision {
  service: ServiceRecord;
  /** Tasks to launch for the PRIMARY deployment. */
  launch: number;
  stops: StopOrder[];
  /** Stopped tasks now counted. */
  accounted: string[];
  breaker: BreakerOutcome;
  /** Launches were due but held back by the back-off after repeated failures. */
  throttled: boolean;
  /** The PRIMARY deployment reached COMPLETED this pass. */
  completed: boolean;
  /** The service is steady now and was not before. */
  becameSteady: boolean;
  rebalance?: RebalanceStep;
  /** Rebalancing ended this pass with the service balanced so. */
  rebalanced?: ReadonlyMap<string, number>;
}

/**
 * Seconds to wait before launching again after `failures` consecutive tasks that failed to start:
 * none for the first two, then the base doubling to the cap (by default 5 s doubling to 5 minutes).
 */
export function backoffSeconds(failures: number, timing: SchedulerTiming = defaultSchedulerTiming): number {
  return failures < 3 ? 0 : Math.min(timing.backoffCapSeconds, timing.backoffBaseSeconds * 2 ** (failures - 3));
}

const hasHealthCheck = (task: TaskRecord) => (task.containers ?? []).some((container) => container.healthStatus !== undefined);

/** Healthy, and for long enough to count (the proving window, SchedulerTiming.provenAfterSeconds). */
export function isProven(task: TaskRecord, now: number, provenAfterSeconds = defaultSchedulerTiming.provenAfterSeconds): boolean {
  return isHealthy(task) && now - (task.startedAt ?? now) >= provenAfterSeconds;
}

export function isHealthy(task: TaskRecord): boolean {
  return task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING' && (!hasHealthCheck(task) || task.healthStatus === 'HEALTHY');
}

function failsHealthChecks(task: TaskRecord, now: number, graceSeconds: number): boolean {
  return task.lastStatus === 'RUNNING' && task.healthStatus === 'UNHEALTHY' && now - (task.startedAt ?? now) >= graceSeconds;
}

export function reconcileReplica(snapshot: ServiceSnapshot): Decision {
  const { now } = snapshot;
  const timing = snapshot.timing ?? defaultSchedulerTiming;
  const service = workingCopy(snapshot.service);
  const primary = primaryOf(service);
  const draining = service.status === 'DRAINING';
  const desired = draining ? 0 : service.desiredCount;
  const stops: StopOrder[] = [];
  const stopping = new Set<string>();
  const stop = (task: TaskRecord, reason: string, kind: StopOrder['kind']) => {
    stops.push({ taskArn: task.taskArn, reason, kind });
    stopping.add(task.taskArn);
  };

  countStops(service, snapshot.stops, now);

  const instanceOf = (task: TaskRecord) => (task.containerInstanceArn ? snapshot.instances.get(task.containerInstanceArn) : undefined);
  const lost = (task: TaskRecord) => instanceOf(task)?.lost === true;
  const live = snapshot.tasks.filter((task) => !lost(task));
  const lostTasks = snapshot.tasks.filter((task) => lost(task) && task.desiredStatus === 'RUNNING');
  const lostReason = 'Task stopped because its container instance agent was disconnected for too long; a replacement was started elsewhere.';
  // A lost task whose targets the load balancer still finds healthy (its agent died, its containers
  // did not) keeps serving until healthy replacements stand in for it: stopping it at once would
  // deregister what may be the service's only live targets.
  const stillServing = lostTasks.filter((task) => snapshot.balances?.get(task.taskArn)?.state === 'healthy');
  for (const task of lostTasks) if (!stillServing.includes(task)) stop(task, lostReason, 'lost');

  const grace = service.healthCheckGracePeriodSeconds ?? 0;
  const wanted = live.filter((task) => task.desiredStatus === 'RUNNING');
  for (const task of wanted) {
    const balance = snapshot.balances?.get(task.taskArn);
    if (failsLoadBalancerChecks(task, balance, now, grace)) stop(task, elbHealthStopReason(balance.target.targetGroupArn), 'health');
    else if (failsHealthChecks(task, now, grace)) stop(task, healthCheckStopReason, 'health');
  }
  const standing = () => wanted.filter((task) => !stopping.has(task.taskArn));

  let keep = standing().filter((task) => primary && task.startedBy === primary.id && instanceOf(task)?.status !== 'DRAINING');
  if (keep.length > desired) {
    for (const { task, reason, kind } of scaleIn(service, keep, desired, snapshot)) stop(task, reason, kind);
    keep = keep.filter((task) => !stopping.has(task.taskArn));
  }

  if (primary) clearFailuresBefore(primary, keep, now, timing.provenAfterSeconds);

  // Lost tasks still serving stop one for each healthy task beyond the desired count they cover.
  let covered = keep.filter(isHealthy).length + stillServing.length - desired;
  for (const task of stillServing) {
    if (covered <= 0) break;
    stop(task, lostReason, 'lost');
    covered--;
  }

  const breaker = checkBreaker(service, desired, now, snapshot.firingAlarms);
  // A failed deployment stops launching; with a rollback on its way, the next pass launches for it.
  const halted = primary === undefined || primary.rolloutState === 'FAILED';

  const bounds = deploymentBounds(service);
  const { maxTotal, minHealthy } = rolloutLimits(desired, bounds);
  let launch = 0;
  let throttled = false;
  const need = desired - keep.length;
  if (!halted && need > 0) {
    const room = maxTotal - live.length;
    launch = Math.max(0, Math.min(need, room));
    if (launch > 0 && isThrottled(primary, now, timing)) {
      launch = 0;
      throttled = true;
    }
  }

  // Retire older deployments' tasks and tasks on draining instances, keeping minHealthy tasks
  // healthy, and counting only those that have proven it: a new task that might crash in a moment
  // does not yet stand in for an old one.
  if (!halted || draining) {
    const retiring = standing().filter((task) => !keep.includes(task));
    for (const task of retiring) if (!isHealthy(task)) stop(task, `Scaling activity initiated by (deployment ${primary?.id ?? 'none'})`, 'scale');
    let allowance = standing().filter((task) => isProven(task, now, timing.provenAfterSeconds)).length - minHealthy;
    const order = [...service.deployments].reverse().map((deployment) => deployment.id);
    const healthyRetiring = standing()
      .filter((task) => !keep.includes(task) && isHealthy(task))
      .sort((a, b) => order.indexOf(a.startedBy ?? '') - order.indexOf(b.startedBy ?? ''));
    for (const task of healthyRetiring) {
      if (allowance <= 0) break;
      stop(task, `Scaling activity initiated by (deployment ${primary?.id ?? 'none'})`, 'scale');
      allowance--;
    }
  }

  // Deployments: older ones follow their remaining tasks and end when none is left.
  const liveOf = (id: string) => live.filter((task) => task.startedBy === id);
  service.deployments = service.deployments.flatMap((deployment) => {
    if (deployment.status === 'PRIMARY') return [{ ...deployment, desiredCount: desired }];
    const remaining = liveOf(deployment.id);
    if (remaining.length === 0) return [];
    const stillWanted = remaining.filter((task) => task.desiredStatus === 'RUNNING' && !stopping.has(task.taskArn)).length;
    return [{ ...deployment, desiredCount: stillWanted }];
  });
  const current = primaryOf(service);
  const primaryHealthy = keep.filter((task) => isProven(task, now, timing.provenAfterSeconds)).length;
  const onlyPrimaryLeft = service.deployments.length === 1 && live.every((task) => task.startedBy === current?.id && instanceOf(task)?.status !== 'DRAINING');
  const settled = current !== undefined && keep.length === desired && primaryHealthy === desired && onlyPrimaryLeft && launch === 0 && stops.length === 0;
  const outcome = settle(service, settled, draining && live.length === 0, now, snapshot.bakeSeconds);
  const rebalancing = rebalanceStep(outcome.service, keep, snapshot.rebalanceZones, {
    // As in ECS, a service is watched for balance once it has been found steady.
    settled: settled && snapshot.service.steadyState === true,
    desired,
    room: maxTotal - live.length,
    // Tasks started to rebalance that keep failing back off like any others.
    held: current !== undefined && isThrottled(current, now, timing),
  });
  return { ...outcome, ...rebalancing, launch, stops, accounted: snapshot.stops.map((task) => task.taskArn), breaker, throttled };
}

/**
 * The PRIMARY deployment's tasks to stop beyond the desired count, keeping the service's spread
 * (scale-in.ts). While rebalancing, a task in the fullest zone goes only once one started in an
 * emptier zone has proven itself.
 */
function scaleIn(
  service: ServiceRecord,
  keep: readonly TaskRecord[],
  desired: number,
  snapshot: ServiceSnapshot,
): { task: TaskRecord; reason: string; kind: StopOrder['kind'] }[] {
  const primary = primaryOf(service);
  const onFargate = service.launchType === 'FARGATE' || (service.capacityProviderStrategy ?? []).length > 0;
  const keys = spreadKeysOf(service.placementStrategy ?? [], onFargate, snapshot.instances);
  const reason = `Scaling activity initiated by (deployment ${primary?.id ?? 'none'})`;
  if (!service.rebalancing) return scaleInVictims(keep, keep.length - desired, keys).map((task) => ({ task, reason, kind: 'scale' }));
  const proven = keep.filter((task) => isProven(task, snapshot.now, snapshot.timing?.provenAfterSeconds));
  const victims = scaleInVictims(proven, Math.min(keep.length - desired, proven.length - desired), keys);
  return victims.map((task) => ({ task, reason: `${reason} to rebalance Availability Zones`, kind: 'rebalance' }));
}

/**
 * Availability Zone rebalancing (rebalance.ts): it begins when a steady service's tasks are not
 * balanced over its zones, and ends once the moves are done and they are; a new deployment, a
 * deletion or the setting turned off ends it too. Updates the service's `rebalancing` mark.
 */
function rebalanceStep(
  service: ServiceRecord,
  keep: readonly TaskRecord[],
  zones: readonly string[] | undefined,
  state: { settled: boolean; desired: number; room: number; held: boolean },
): { service: ServiceRecord; rebalance?: RebalanceStep; rebalanced?: ReadonlyMap<string, number> } {
  const current = primaryOf(service);
  const applies =
    zones !== undefined &&
    service.availabilityZoneRebalancing === 'ENABLED' &&
    service.status === 'ACTIVE' &&
    service.deployments.length === 1 &&
    current?.rolloutState === 'COMPLETED';
  const was = service.rebalancing === true;
  const mark = (rebalancing: boolean): ServiceRecord => {
    const { rebalancing: _previous, ...rest } = service;
    return rebalancing ? { ...rest, rebalancing } : rest;
  };
  if (!applies) return { service: was ? mark(false) : service };
  const counts = zoneCounts(keep, zones);
  if (keep.length === state.desired && isBalanced(counts)) return was ? { service: mark(false), rebalanced: counts } : { service };
  if (!state.settled || state.held) return { service };
  const launches = rebalanceLaunches(counts, state.desired, state.room);
  if (launches.length === 0) return { service };
  return { service: mark(true), rebalance: { counts, launches, began: !was } };
}

/**
 * Counts each stop once: a failure counts against its deployment and feeds the circuit breaker; a
 * task that failed before it ever ran feeds the launch back-off too. Mutates the service's
 * deployment copies.
 */
export function countStops(service: ServiceRecord, stops: readonly TaskRecord[], now: number): void {
  for (const task of stops) {
    const deployment = service.deployments.find((candidate) => candidate.id === task.startedBy);
    if (!deployment) continue;
    // A task that ran ends the run of failures to start before it, however it ended.
    const ranFrom = task.startedAt;
    if (ranFrom !== undefined && deployment.startFailures) deployment.startFailures = deployment.startFailures.filter((at) => at > ranFrom);
    if (!isFailedTask(task)) continue;
    deployment.failedTasks++;
    deployment.breakerFailures = [...deployment.breakerFailures, task.stoppedAt ?? now].slice(-200);
    if (failedToStart(task)) deployment.startFailures = [...(deployment.startFailures ?? []), task.stoppedAt ?? now].slice(-200);
  }
}

/**
 * Clears failures that a later task has outlived: the breaker's, once a task has proven itself;
 * the back-off's, once a task has reached RUNNING at all (ECS throttles only tasks that never run).
 */
export function clearFailuresBefore(deployment: DeploymentRecord, tasks: readonly TaskRecord[], now: number, provenAfterSeconds = defaultSchedulerTiming.provenAfterSeconds): void {
  const lastStart = (candidates: readonly TaskRecord[]) => Math.max(-Infinity, ...candidates.map((task) => task.startedAt ?? -Infinity));
  const proven = lastStart(tasks.filter((task) => isProven(task, now, provenAfterSeconds)));
  deployment.breakerFailures = deployment.breakerFailures.filter((at) => at > proven);
  if (deployment.startFailures) {
    const ran = lastStart(tasks.filter((task) => task.lastStatus === 'RUNNING'));
    deployment.startFailures = deployment.startFailures.filter((at) => at > ran);
  }
}

/** Launches wait after repeated failures to start, counted from the last one. */
export function isThrottled(deployment: DeploymentRecord, now: number, timing: SchedulerTiming = defaultSchedulerTiming): boolean {
  const failures = deployment.startFailures ?? [];
  const wait = backoffSeconds(failures.length, timing);
  return wait > 0 && now < (failures[failures.length - 1] ?? 0) + wait;
}

/**
 * Fails an IN_PROGRESS PRIMARY deployment when one of its deployment alarms is in ALARM, or when the
 * circuit breaker counted enough failures; says where to roll back to when the one that failed it
 * asks for rollback.
 */
export function checkBreaker(service: ServiceRecord, desired: number, now: number, firingAlarms: readonly string[] = []): BreakerOutcome {
  const primary = primaryOf(service);
  const alarms = service.deploymentConfiguration?.alarms;
  if (primary && alarms?.enable && primary.rolloutState === 'IN_PROGRESS' && firingAlarms.length > 0) {
    primary.rolloutState = 'FAILED';
    primary.rolloutStateReason = `ECS deployment ${primary.id} failed: alarm(s) ${firingAlarms.join(', ')} in ALARM state.`;
    primary.updatedAt = now;
    return { tripped: true, alarms: [...firingAlarms], ...rollbackTarget(service, primary.serviceRevisionArn, alarms.rollback === true) };
  }
  const config = service.deploymentConfiguration?.deploymentCircuitBreaker;
  if (!primary || !config?.enable || primary.rolloutState !== 'IN_PROGRESS' || primary.breakerFailures.length < breakerThreshold(desired)) return { tripped: false };
  primary.rolloutState = 'FAILED';
  primary.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
  primary.updatedAt = now;
  return { tripped: true, ...rollbackTarget(service, primary.serviceRevisionArn, config.rollback === true) };
}

/** The last completed deployment to roll back to, when rollback is asked for and there is one to go back to. */
function rollbackTarget(service: ServiceRecord, failedRevisionArn: string, rollback: boolean): { rollbackTo?: { revisionArn: string; deploymentId: string } } {
  const target = service.lastCompletedRevisionArn;
  return rollback && target && target !== failedRevisionArn && service.lastCompletedDeploymentId
    ? { rollbackTo: { revisionArn: target, deploymentId: service.lastCompletedDeploymentId } }
    : {};
}

/**
 * Marks the PRIMARY deployment COMPLETED once settled (and, with deployment alarms, once settled
 * for the bake time: leaving the settled state starts the bake again), notes steady state, and
 * retires a drained deleted service.
 */
export function settle(service: ServiceRecord, settled: boolean, drained: boolean, now: number, bakeSeconds = 0): { service: ServiceRecord; completed: boolean; becameSteady: boolean } {
  const current = primaryOf(service);
  let completed = false;
  let next = service;
  let baked = true;
  if (current && current.rolloutState === 'IN_PROGRESS') {
    if (!settled || bakeSeconds <= 0) delete current.bakeUntil;
    else {
      current.bakeUntil ??= now + bakeSeconds;
      baked = now >= current.bakeUntil;
    }
  }
  if (current && current.rolloutState === 'IN_PROGRESS' && settled && baked) {
    delete current.bakeUntil;
    current.rolloutState = 'COMPLETED';
    current.rolloutStateReason = `ECS deployment ${current.id} completed.`;
    current.updatedAt = now;
    next = { ...next, lastCompletedRevisionArn: current.serviceRevisionArn, lastCompletedDeploymentId: current.id };
    completed = true;
  }
  const steady = settled && current?.rolloutState === 'COMPLETED' && next.status === 'ACTIVE';
  const becameSteady = steady && next.steadyState !== true;
  next = { ...next, steadyState: steady };
  if (next.status === 'DRAINING' && drained) next = { ...next, status: 'INACTIVE', deletedAt: now, deployments: [] };
  return { service: next, completed, becameSteady };
}

/** A working copy whose deployments the phases above may change. */
export function workingCopy(service: ServiceRecord): ServiceRecord {
  return {
    ...service,
    deployments: service.deployments.map((deployment) => ({
      ...deployment,
      breakerFailures: [...deployment.breakerFailures],
      ...(deployment.startFailures ? { startFailures: [...deployment.startFailures] } : {}),
    })),
  };
}
