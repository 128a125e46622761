import type { PlacementStrategy } from './types.js';

/**
 * Failure reasons as ECS spells them in RunTask/StartTask `failures` (Developer Guide, "API failure
 * reasons"; the two constraint messages are the ones ECS returns and puts in service events).
 */
export const FailureReason = {
  CPU: 'RESOURCE:CPU',
  MEMORY: 'RESOURCE:MEMORY',
  PORTS: 'RESOURCE:PORTS',
  GPU: 'RESOURCE:GPU',
  AGENT: 'AGENT',
  ATTRIBUTE: 'ATTRIBUTE',
  MEMBER_OF: 'MemberOf placement constraint unsatisfied.',
  DISTINCT_INSTANCE: 'DistinctInstance placement constraint unsatisfied.',
  /** ECS raises this as an InvalidParameterException message rather than a failure. */
  NO_CONTAINER_INSTANCES: 'No Container Instances were found in your cluster.',
  /** Berth-only: used in explanations, never in failures. */
  LAUNCH_TYPE: 'LAUNCH_TYPE',
  /** Berth-only prefix, e.g. `STATUS:DRAINING`; used in explanations, never in failures. */
  STATUS_PREFIX: 'STATUS:',
} as const;

/** RunTask places tasks randomly when no strategy is given. */
export const RUN_TASK_DEFAULT_STRATEGIES: readonly PlacementStrategy[] = Object.freeze([{ type: 'random' }]);

/**
 * The service scheduler's default: balance across Availability Zones, then favour the instances
 * running the fewest tasks of the service (CreateService API reference).
 */
export const SERVICE_DEFAULT_STRATEGIES: readonly PlacementStrategy[] = Object.freeze([
  { type: 'spread', field: 'attribute:ecs.availability-zone' },
  { type: 'spread', field: 'instanceId' },
]);

/** AWS limits: 10 constraints and 5 strategy rules per task. */
export const MAX_CONSTRAINTS = 10;
export const MAX_STRATEGIES = 5;
