import type { CompiledRequest } from './compile.js';
import { FailureReason } from './constants.js';
import { FILTERS, FIRST_PLACEMENT_FILTER, firstRejection } from './filters.js';
import type { FilterStat, InstanceExplanation, PlacementFailure, PlacementRequest, PlacementResult } from './types.js';
import type { WorkingInstance } from './working.js';

export interface AttemptExplanation {
  explanation: InstanceExplanation[];
  filterStats: FilterStat[];
  /**
   * The "closest matching" instance: among instances of the right launch type that are ACTIVE,
   * the one rejected by the latest filter in the pipeline (first in the snapshot on a tie).
   * Undefined when some instance is eligible, or when there is no such instance.
   */
  closest: { instance: WorkingInstance; filter: number } | undefined;
}

/** Runs every filter on every instance, in the state of one attempt. */
export function explainAttempt(instances: readonly WorkingInstance[], request: CompiledRequest): AttemptExplanation {
  const counts = FILTERS.map(() => 0);
  const explanation: InstanceExplanation[] = [];
  let closest: AttemptExplanation['closest'];
  let anyEligible = false;
  for (const instance of instances) {
    const f = firstRejection(instance, request);
    if (f < 0) {
      anyEligible = true;
      explanation.push({
        instanceArn: instance.arn,
        ec2InstanceId: instance.ec2InstanceId,
        outcome: 'eligible',
        message: 'passes every filter',
      });
      continue;
    }
    const filter = FILTERS[f]!;
    counts[f]!++;
    explanation.push({
      instanceArn: instance.arn,
      ec2InstanceId: instance.ec2InstanceId,
      outcome: 'rejected',
      filter: filter.name,
      reason: filter.reason(instance, request),
      message: filter.explain(instance, request),
    });
    if (f >= FIRST_PLACEMENT_FILTER && (!closest || f > closest.filter)) closest = { instance, filter: f };
  }
  return {
    explanation,
    filterStats: FILTERS.map((filter, f) => ({ filter: filter.name, rejected: counts[f]! })),
    closest: anyEligible ? undefined : closest,
  };
}

/** Marks the instance picked in the explained attempt. */
export function markChosen(explanation: InstanceExplanation[], instanceArn: string, task: number): void {
  const entry = explanation.find((e) => e.instanceArn === instanceArn && e.outcome === 'eligible');
  if (entry) {
    entry.outcome = 'chosen';
    entry.message = `passes every filter; chosen for task ${task + 1}`;
  }
}

/**
 * The failure reported for one task that could not be placed: the reason of the closest matching
 * instance, with its ARN, as ECS does in RunTask failures and in service events ("The closest
 * matching container-instance X encountered error Y").
 */
export function failureFor(attempt: AttemptExplanation, request: CompiledRequest): PlacementFailure {
  const closest = attempt.closest;
  if (!closest) return { reason: FailureReason.NO_CONTAINER_INSTANCES };
  const filter = FILTERS[closest.filter]!;
  return {
    arn: closest.instance.arn,
    reason: filter.reason(closest.instance, request),
    detail: `closest matching instance ${closest.instance.ec2InstanceId}: ${filter.explain(closest.instance, request)}`,
  };
}

/** Text for `berth explain-placement`: the explained attempt, filter counts, every instance, failures. */
export function formatExplanation(result: PlacementResult, request?: PlacementRequest): string[] {
  const lines: string[] = [];
  const total = request ? ` of ${request.count}` : '';
  const group = request ? ` (group ${request.group})` : '';
  lines.push(`Placed ${result.placements.length}${total} tasks${group}; ${result.failures.length} could not be placed.`);
  if (result.noContainerInstances) lines.push(`${FailureReason.NO_CONTAINER_INSTANCES}`);
  if (result.explainedTask === undefined) return lines;
  const eligible = result.explanation.filter((e) => e.outcome !== 'rejected').length;
  lines.push(`Task ${result.explainedTask + 1}: ${eligible} of ${result.explanation.length} instances eligible.`);
  lines.push('Filters (each instance counted by the first filter that rejects it):');
  const width = Math.max(...result.filterStats.map((s) => s.filter.length));
  for (const stat of result.filterStats) lines.push(`  ${stat.filter.padEnd(width)}  rejected ${stat.rejected}`);
  lines.push('Instances:');
  for (const entry of result.explanation) {
    const who = entry.ec2InstanceId !== '' ? `${entry.ec2InstanceId} (${entry.instanceArn})` : entry.instanceArn;
    if (entry.outcome === 'rejected') {
      lines.push(`  ${who}: rejected by ${entry.filter} [${entry.reason}]: ${entry.message}`);
    } else {
      lines.push(`  ${who}: ${entry.outcome}: ${entry.message}`);
    }
  }
  if (result.failures.length > 0) {
    lines.push('Failures:');
    for (const failure of result.failures) {
      lines.push(`  ${failure.reason}${failure.arn ? ` ${failure.arn}` : ''}${failure.detail ? `: ${failure.detail}` : ''}`);
    }
  }
  return lines;
}
