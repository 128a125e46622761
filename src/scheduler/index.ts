/**
 * The ECS task placement engine: pure functions over a cluster snapshot.
 *
 *   placeTasks(snapshot, request, rng)  -> placements, ECS-style failures, explanation
 *   formatExplanation(result, request)  -> lines for `berth explain-placement`
 *   parseExpression / validateExpression / evaluate -> the cluster query language
 *                                          (memberOf constraints, ListContainerInstances filter)
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
  evaluate,
  MAX_EXPRESSION_LENGTH,
  parseExpression,
  QueryLanguageError,
  validateExpression,
  type EvaluationContext,
  type Expression,
  type QueryTarget,
} from './query-language/index.js';
