/**
 * The ECS task placement engine: pure functions over a cluster snapshot.
 *
 *   placeTasks(snapshot, request, rng)  -> placements, ECS-style failures, explanation
 *   formatExplanation(result, request)  -> lines for `berth explain-placement`
 *   parseExpression / validateExpression / evaluate -> the cluster query language
 *                                          (memberOf constraints, ListContainerInstances filter)
 *
 * Where Berth departs from, or has to guess at, what ECS does:
 * - Failures: one entry per task that could not be placed, each with the reason and ARN of the
 *   "closest matching" instance (the one that got furthest through the filters; ECS service events
 *   use that phrase). ECS does not document how many entries RunTask returns or whose ARN they name.
 * - Which reason wins when several apply is Berth's order: AGENT, ATTRIBUTE, RESOURCE:CPU,
 *   RESOURCE:MEMORY, RESOURCE:PORTS, RESOURCE:GPU, memberOf, distinctInstance. RESOURCE:ENI is not
 *   modelled (no awsvpc trunking).
 * - No ACTIVE instance of the launch type: ECS raises InvalidParameterException "No Container
 *   Instances were found in your cluster."; the engine sets `noContainerInstances` (and reports
 *   failures with that reason and no ARN) and leaves raising to the API layer. DRAINING or other
 *   non-ACTIVE instances never appear in failures.
 * - Ties left after every strategy go to the instance listed first in the snapshot (ECS leaves
 *   this unspecified); `random` draws from the Rng only when there is more than one choice.
 * - spread(attribute:x) counts the group's tasks on every instance with that value, whatever its
 *   status; instances without x (or with x but no value) share one bucket.
 * - `ec2InstanceType` in expressions is a Berth shorthand for attribute:ecs.instance-type.
 */
export type {
  ClusterSnapshot,
  ConstraintType,
  FilterName,
  FilterStat,
  HostPort,
  InstanceExplanation,
  InstanceSnapshot,
  InstanceStatus,
  LaunchKind,
  Placement,
  PlacementConstraint,
  PlacementFailure,
  PlacementOptions,
  PlacementRequest,
  PlacementResult,
  PlacementStrategy,
  RequiredAttribute,
  SnapshotTask,
  StrategyType,
} from './types.js';
export {
  FailureReason,
  MAX_CONSTRAINTS,
  MAX_STRATEGIES,
  RUN_TASK_DEFAULT_STRATEGIES,
  SERVICE_DEFAULT_STRATEGIES,
} from './constants.js';
export { PlacementRequestError, validatePlacementRequest } from './compile.js';
export { placeOnState, placeTasks } from './pipeline.js';
export { placeTasksReference } from './reference.js';
export { PlacementState } from './state.js';
export { formatExplanation } from './explain.js';
export {
  dependsOnTasks,
  evaluate,
  MAX_EXPRESSION_LENGTH,
  parseExpression,
  QueryLanguageError,
  validateExpression,
  type EvaluationContext,
  type Expression,
  type QueryTarget,
} from './query-language/index.js';
