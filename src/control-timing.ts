/**
 * The control plane's own delays, in one place: the service scheduler's proving window and launch
 * back-off, how often it lists every service again and the registry's periodic jobs run, and how long each leader
 * lease lasts. `startServer` takes them (tests shorten or drive them with a clock they move); the
 * defaults are Berth's behaviour.
 */
import { defaultLifecycleIntervalMs } from './controllers/ecr-lifecycle.js';
import { defaultGcIntervalMs } from './registry/registry.js';
import { defaultSchedulerTiming, type SchedulerTiming } from './controllers/services/timing.js';

export interface ControlTiming extends SchedulerTiming {
  /**
   * How often the service controller lists every service again, a safety net under the change
   * feed and the timed requeues that normally drive it.
   */
  serviceResyncIntervalMs: number;
  /** The service scheduler's leader lease; a pass renews it. */
  serviceLeaseSeconds: number;
  /** How often ECR lifecycle policies are applied. */
  lifecycleIntervalMs: number;
  lifecycleLeaseSeconds: number;
  /** How often the registry collects garbage. */
  gcIntervalMs: number;
  gcLeaseSeconds: number;
  /**
   * How often the load balancer controller reads its data plane's target health (the data plane
   * runs each target group's checks on their own interval; this is how soon a result is recorded).
   */
  loadBalancerHealthPollMs: number;
  /** How long the load balancer controller re-applies an unchanged configuration after (a data plane restarted by hand converges). */
  loadBalancerReapplyMs: number;
  loadBalancerLeaseSeconds: number;
}

export const defaultControlTiming: ControlTiming = {
  ...defaultSchedulerTiming,
  serviceResyncIntervalMs: 60_000,
  serviceLeaseSeconds: 15,
  lifecycleIntervalMs: defaultLifecycleIntervalMs,
  lifecycleLeaseSeconds: 30 * 60,
  gcIntervalMs: defaultGcIntervalMs,
  gcLeaseSeconds: 3 * 60 * 60,
  loadBalancerHealthPollMs: 1_000,
  loadBalancerReapplyMs: 30_000,
  loadBalancerLeaseSeconds: 15,
};

/** The defaults, with what `overrides` sets; a value that is not a positive number is refused. */
export function controlTiming(overrides: Partial<ControlTiming> = {}): ControlTiming {
  const timing = { ...defaultControlTiming, ...overrides };
  for (const [name, value] of Object.entries(timing)) {
    if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) throw new Error(`control timing ${name} must be a positive number, not ${String(value)}`);
  }
  return timing;
}
