import type { Rng } from '../core/rng.js';
import type { CompiledStrategy } from './compile.js';
import { groupCount, type WorkingInstance } from './working.js';

/**
 * Strategies, in their plain form: each keeps the candidates that score best and hands the rest
 * of the ties to the next one; `random` picks one of what is left with the Rng; a tie that
 * survives every strategy goes to the instance listed first in the snapshot.
 *
 * - spread(instanceId|host): fewest tasks of the request's group on the instance.
 * - spread(attribute:x): fewest tasks of the group on all instances sharing the candidate's value
 *   of x (AWS: service tasks spread by the service's tasks, standalone tasks by their task group).
 *   Instances without the attribute (or with no value) form one bucket of their own.
 * - binpack(cpu|memory): least remaining of that resource.
 *
 * The fast pipeline computes the same order incrementally; this module is the definition.
 */

/** The spread bucket an instance falls in for an attribute (undefined: no value). */
export function bucketValue(instance: WorkingInstance, attribute: string): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(instance.attributes, attribute)) return undefined;
  return instance.attributes[attribute] ?? undefined;
}

function keepMinimum(candidates: WorkingInstance[], score: (i: WorkingInstance) => number): WorkingInstance[] {
  let best = Infinity;
  for (const c of candidates) best = Math.min(best, score(c));
  return candidates.filter((c) => score(c) === best);
}

/** One strategy's narrowing of the (non-empty) candidate list; `all` is every instance in the cluster. */
export function narrow(
  candidates: WorkingInstance[],
  strategy: Exclude<CompiledStrategy, { kind: 'random' }>,
  all: readonly WorkingInstance[],
  group: string,
): WorkingInstance[] {
  switch (strategy.kind) {
    case 'spreadInstance':
      return keepMinimum(candidates, (c) => groupCount(c, group));
    case 'spreadAttribute': {
      const perValue = new Map<string | undefined, number>();
      for (const instance of all) {
        const value = bucketValue(instance, strategy.attribute);
        perValue.set(value, (perValue.get(value) ?? 0) + groupCount(instance, group));
      }
      return keepMinimum(candidates, (c) => perValue.get(bucketValue(c, strategy.attribute)) ?? 0);
    }
    case 'binpack':
      return keepMinimum(candidates, (c) => (strategy.resource === 'cpu' ? c.remainingCpu : c.remainingMemory));
  }
}

/** Picks the instance for one task among candidates (in snapshot order, non-empty). */
export function choose(
  candidates: WorkingInstance[],
  strategies: readonly CompiledStrategy[],
  all: readonly WorkingInstance[],
  group: string,
  rng: Rng,
): WorkingInstance {
  let remaining = candidates;
  for (const strategy of strategies) {
    if (strategy.kind === 'random') return pickRandom(remaining, rng);
    remaining = narrow(remaining, strategy, all, group);
  }
  return remaining[0]!;
}

/** Uniform pick; the Rng is drawn only when there is a choice to make. */
export function pickRandom<T>(items: readonly T[], rng: Rng): T {
  return items.length === 1 ? items[0]! : items[rng.int(items.length)]!;
}
