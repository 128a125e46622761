import type { Rng } from '../core/rng.js';
import { makeChooser } from './choosers.js';
import { compileRequest, type CompiledRequest } from './compile.js';
import { explainAttempt, failureFor, markChosen, type AttemptExplanation } from './explain.js';
import { portsFilter } from './filters.js';
import { evaluate } from './query-language/index.js';
import { PlacementState } from './state.js';
import type { ClusterSnapshot, PlacementOptions, PlacementRequest, PlacementResult } from './types.js';

/**
 * Places `request.count` tasks on a snapshot, task by task: filter, rank, pick, book, repeat.
 * Pure: the snapshot is not mutated; randomness comes only from `rng`.
 * Throws PlacementRequestError or QueryLanguageError for an invalid request.
 */
export function placeTasks(
  snapshot: ClusterSnapshot,
  request: PlacementRequest,
  rng: Rng,
  options: PlacementOptions = {},
): PlacementResult {
  return placeOnState(new PlacementState(snapshot), request, rng, options);
}

/** Same as placeTasks, booking the placements into a long-lived state (many requests, one index). */
export function placeOnState(
  state: PlacementState,
  request: PlacementRequest,
  rng: Rng,
  options: PlacementOptions = {},
): PlacementResult {
  const compiled = compileRequest(request);
  const result: PlacementResult = {
    placements: [],
    failures: [],
    explanation: [],
    filterStats: [],
    explainedTask: undefined,
    noContainerInstances: !state.hasActive(request.launchType),
  };
  if (request.count === 0) return result;

  const needsGroup = compiled.distinctInstance || compiled.strategies.some((s) => s.kind === 'spreadInstance');
  const groupVector = needsGroup ? state.groupVector(request.group) : undefined;
  const feasible = feasibility(state, compiled, groupVector);
  const live = feasibleCandidates(state, compiled, groupVector, feasible);
  const chooser = makeChooser(state, compiled, live, groupVector, rng);

  const first: AttemptExplanation | undefined = options.explain ? explainAttempt(state.instances, compiled) : undefined;
  for (let task = 0; task < request.count; task++) {
    const index = chooser.pick();
    if (index < 0) {
      recordFailure(result, explainAttempt(state.instances, compiled), compiled, task);
      return result;
    }
    if (task === 0 && first) markChosen(first.explanation, state.instances[index]!.arn, 0);
    const gpuIds = state.apply(index, request);
    chooser.placed(index, feasible(index));
    result.placements.push({ instanceArn: state.instances[index]!.arn, gpuIds });
  }
  if (first) {
    result.explanation = first.explanation;
    result.filterStats = first.filterStats;
    result.explainedTask = 0;
  }
  return result;
}

/** Every task from `task` on fails the same way: nothing changes once no instance is eligible. */
export function recordFailure(result: PlacementResult, attempt: AttemptExplanation, request: CompiledRequest, task: number): void {
  const failure = failureFor(attempt, request);
  for (let t = task; t < request.request.count; t++) result.failures.push({ ...failure });
  result.explanation = attempt.explanation;
  result.filterStats = attempt.filterStats;
  result.explainedTask = task;
}

/** Static candidates that pass the dynamic filters now (snapshot order). The hot loop of a request. */
function feasibleCandidates(
  state: PlacementState,
  request: CompiledRequest,
  groupVector: Float64Array | undefined,
  feasible: (index: number) => boolean,
): number[] {
  const candidates = state.staticCandidates(request);
  const live: number[] = [];
  if (request.tcpPorts.length + request.udpPorts.length > 0 || request.memberOf.some((m) => m.dynamic)) {
    for (let k = 0; k < candidates.length; k++) if (feasible(candidates[k]!)) live.push(candidates[k]!);
    return live;
  }
  const { cpu, memory, gpus } = request.request;
  const cpuLeft = state.remainingCpu;
  const memoryLeft = state.remainingMemory;
  const gpusLeft = state.freeGpus;
  const distinct = request.distinctInstance ? groupVector! : undefined;
  for (let k = 0; k < candidates.length; k++) {
    const i = candidates[k]!;
    if (cpuLeft[i]! >= cpu && memoryLeft[i]! >= memory && (gpus === 0 || gpusLeft[i]! >= gpus) && (!distinct || distinct[i] === 0)) {
      live.push(i);
    }
  }
  return live;
}

/** The filters whose answer can change through placement, over the state's typed arrays. */
function feasibility(
  state: PlacementState,
  request: CompiledRequest,
  groupVector: Float64Array | undefined,
): (index: number) => boolean {
  const { cpu, memory, gpus } = request.request;
  const cpuLeft = state.remainingCpu;
  const memoryLeft = state.remainingMemory;
  const gpusLeft = state.freeGpus;
  const instances = state.instances;
  const checkPorts = request.tcpPorts.length + request.udpPorts.length > 0;
  const dynamicMemberOf = request.memberOf.filter((m) => m.dynamic);
  const distinct = request.distinctInstance;
  return (index) =>
    cpuLeft[index]! >= cpu &&
    memoryLeft[index]! >= memory &&
    gpusLeft[index]! >= gpus &&
    (!checkPorts || portsFilter.accepts(instances[index]!, request)) &&
    (dynamicMemberOf.length === 0 || dynamicMemberOf.every((m) => evaluate(m.expression, instances[index]!))) &&
    (!distinct || groupVector![index] === 0);
}
