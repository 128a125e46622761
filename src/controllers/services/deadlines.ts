/**
 * When a service's decision may change with nothing but time passing: the earliest moment after
 * `now` at which one of the scheduler's timed rules flips for this snapshot. The controller
 * requeues the service for then, so a service is only looked at again when something changed or
 * a clock rule says so. Pure.
 *
 * The timed rules (reconcile.ts, daemon.ts, the controller's instance states):
 * - a RUNNING task counts as proven `provenAfterSeconds` after it started (isProven);
 * - an UNHEALTHY task, or one with an unhealthy load balancer target, is replaced once the health
 *   check grace period after its start has passed;
 * - a DEACTIVATING task is told to stop once its targets' deregistration delay is over;
 * - launches held back after repeated failures to start resume when the back-off runs out (isThrottled);
 * - a settled deployment watched by deployment alarms completes when its bake time ends;
 * - a disconnected instance's tasks are written off once its agent has been gone past the grace
 *   period (counted from the later of its disconnection and the controller's start).
 *
 * Worked example, provenAfterSeconds 10, now 100: a task started at 95 is proven at 105; a
 * deployment with 4 failures to start, the last at 98, with base 5 s, waits until 98 + 10 = 108;
 * an instance disconnected at 90 with a 60 s grace is lost after 150. The deadline is 105.
 */
import type { ContainerInstanceRecord, ServiceRecord, TaskRecord } from '../../store/types.js';
import { backoffSeconds } from './reconcile.js';
import type { SchedulerTiming } from './timing.js';

export interface DeadlineInput {
  service: ServiceRecord;
  /** The service's tasks not yet STOPPED. */
  tasks: readonly TaskRecord[];
  /** The cluster's container instances. */
  records: readonly ContainerInstanceRecord[];
  /** Epoch seconds. */
  now: number;
  timing: SchedulerTiming;
  /** How long an agent may be gone before its instance counts as lost. */
  agentLostAfterSeconds: number;
  /** When the controller started (epoch seconds): disconnections before it count from then. */
  startedAt: number;
}

/** The earliest epoch second after `now` at which a timed rule flips, if any. */
export function nextDeadline(input: DeadlineInput): number | undefined {
  const { now } = input;
  let earliest: number | undefined;
  const consider = (at: number) => {
    if (at > now && (earliest === undefined || at < earliest)) earliest = at;
  };
  const grace = input.service.healthCheckGracePeriodSeconds ?? 0;
  for (const task of input.tasks) {
    // A DEACTIVATING task stops once its targets' deregistration delay is over.
    if (task.drainUntil !== undefined) consider(task.drainUntil);
    // An unhealthy target fails its task once the grace period is over (ACTIVATING or RUNNING).
    if (task.targets !== undefined && task.startedAt !== undefined && task.desiredStatus === 'RUNNING') consider(task.startedAt + grace);
    if (task.lastStatus !== 'RUNNING' || task.startedAt === undefined) continue;
    consider(task.startedAt + input.timing.provenAfterSeconds);
    if (task.healthStatus === 'UNHEALTHY') consider(task.startedAt + grace);
  }
  for (const deployment of input.service.deployments) {
    const failures = deployment.startFailures ?? [];
    const wait = backoffSeconds(failures.length, input.timing);
    if (wait > 0) consider((failures[failures.length - 1] ?? 0) + wait);
    if (deployment.bakeUntil !== undefined) consider(deployment.bakeUntil);
  }
  for (const record of input.records) {
    if (record.agentConnected || record.status === 'INACTIVE') continue;
    const since = Math.max(record.agentDisconnectedAt ?? input.startedAt, input.startedAt);
    // "Lost" is strictly past the grace period.
    consider(since + input.agentLostAfterSeconds + 0.001);
  }
  return earliest;
}
