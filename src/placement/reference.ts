import type { Rng } from '../core/rng.js';
import { compileRequest } from './compile.js';
import { explainAttempt, markChosen } from './explain.js';
import { firstRejection } from './filters.js';
import { recordFailure } from './pipeline.js';
import { choose } from './rankers.js';
import type { ClusterSnapshot, PlacementOptions, PlacementRequest, PlacementResult } from './types.js';
import { applyTask, toWorking } from './working.js';

/**
 * The placement algorithm written the obvious way: for every task, run every filter on every
 * instance, narrow the candidates strategy by strategy, pick, book. O(instances) per task and
 * slow; it is the definition the fast pipeline (pipeline.ts) is tested against, and must return
 * exactly the same result for the same inputs and Rng seed.
 */
export function placeTasksReference(
  snapshot: ClusterSnapshot,
  request: PlacementRequest,
  rng: Rng,
  options: PlacementOptions = {},
): PlacementResult {
  const compiled = compileRequest(request);
  const instances = snapshot.instances.map((instance, index) => toWorking(instance, index));
  const result: PlacementResult = {
    placements: [],
    failures: [],
    explanation: [],
    filterStats: [],
    explainedTask: undefined,
    noContainerInstances: !instances.some((i) => i.launchKind === request.launchType && i.status === 'ACTIVE'),
  };
  for (let task = 0; task < request.count; task++) {
    const attempt = task === 0 && options.explain ? explainAttempt(instances, compiled) : undefined;
    const candidates = instances.filter((instance) => firstRejection(instance, compiled) < 0);
    if (candidates.length === 0) {
      recordFailure(result, attempt ?? explainAttempt(instances, compiled), compiled, task);
      return result;
    }
    const chosen = choose(candidates, compiled.strategies, instances, request.group, rng);
    if (attempt) {
      markChosen(attempt.explanation, chosen.arn, 0);
      result.explanation = attempt.explanation;
      result.filterStats = attempt.filterStats;
      result.explainedTask = 0;
    }
    const gpuIds = applyTask(chosen, request);
    result.placements.push({ instanceArn: chosen.arn, gpuIds });
  }
  return result;
}
