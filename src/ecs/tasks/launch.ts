/**
 * Where RunTask's tasks go: a launch type, or a capacity provider strategy split into one provider per task.
 * Pure functions.
 */
import type { CapacityProviderStrategyItem } from '@aws-sdk/client-ecs';
import { withHelp } from '../../core/errors.js';
import { invalidParameter } from '../validate.js';

export type LaunchTarget = { launchType: 'EC2' | 'EXTERNAL' } | { launchType: 'FARGATE'; capacityProviderName?: string };

/**
 * Splits `count` tasks over a strategy the way ECS does: providers with a base get their base first
 * (in strategy order), the rest are shared in proportion to weight, each next task going to the
 * provider furthest below its share.
 *
 * Example: FARGATE base 2 weight 1, FARGATE_SPOT weight 3, count 6 → 2 on FARGATE for the base,
 * then the 4 left split 1:3 → FARGATE, FARGATE_SPOT ×3 (in interleaved order); total FARGATE 3, SPOT 3.
 */
export function splitByStrategy(count: number, strategy: CapacityProviderStrategyItem[]): string[] {
  const providers = strategy.map((item) => ({ name: item.capacityProvider as string, base: item.base ?? 0, weight: item.weight ?? 0, given: 0 }));
  const result: string[] = [];
  for (const provider of providers) {
    while (provider.given < provider.base && result.length < count) {
      provider.given++;
      result.push(provider.name);
    }
  }
  const weighted = providers.filter((provider) => provider.weight > 0);
  if (weighted.length === 0 && result.length < count) {
    throw invalidParameter('capacityProviderStrategy: at least one capacity provider must have a weight greater than 0 to place tasks beyond the base.');
  }
  const totalWeight = weighted.reduce((sum, provider) => sum + provider.weight, 0);
  const weightedGiven = new Map(weighted.map((provider) => [provider.name, 0]));
  for (let placed = 0; result.length < count; placed++) {
    let best = weighted[0]!;
    let bestDeficit = -Infinity;
    for (const provider of weighted) {
      const deficit = ((placed + 1) * provider.weight) / totalWeight - (weightedGiven.get(provider.name) ?? 0);
      if (deficit > bestDeficit) {
        best = provider;
        bestDeficit = deficit;
      }
    }
    weightedGiven.set(best.name, (weightedGiven.get(best.name) ?? 0) + 1);
    result.push(best.name);
  }
  return result;
}

/**
 * The request's own launch choice, checked before any cluster is read: a launchType ECS knows,
 * and not both a launchType and a capacityProviderStrategy. The strategy's providers and numbers
 * are checked against the cluster in launchTargets.
 */
export function checkLaunchChoice(launchType: string | undefined, strategy: CapacityProviderStrategyItem[] | undefined): void {
  if (launchType !== undefined && launchType !== 'FARGATE' && launchType !== 'EC2' && launchType !== 'EXTERNAL') {
    throw withHelp(invalidParameter(`launchType must be EC2, EXTERNAL or FARGATE; got '${launchType}'.`), { field: 'launchType' });
  }
  if (launchType !== undefined && strategy !== undefined && strategy.length > 0) {
    throw invalidParameter('Specifying both a launchType and capacityProviderStrategy is not supported.');
  }
}

export function launchTargets(
  count: number,
  launchType: string | undefined,
  strategy: CapacityProviderStrategyItem[] | undefined,
  clusterDefault: CapacityProviderStrategyItem[] | undefined,
  clusterProviders: string[],
): LaunchTarget[] {
  checkLaunchChoice(launchType, strategy);
  if (launchType !== undefined) return Array.from({ length: count }, () => ({ launchType }) as LaunchTarget);
  const chosen = strategy && strategy.length > 0 ? strategy : clusterDefault && clusterDefault.length > 0 ? clusterDefault : undefined;
  if (!chosen) return Array.from({ length: count }, () => ({ launchType: 'EC2' as const }));
  chosen.forEach((item, index) => {
    if (!item.capacityProvider || !clusterProviders.includes(item.capacityProvider)) {
      throw invalidParameter(
        `capacityProviderStrategy[${index}]: the capacity provider '${item.capacityProvider ?? ''}' is not associated with the cluster. Add it with PutClusterCapacityProviders first.`,
      );
    }
    if (item.base !== undefined && (!Number.isInteger(item.base) || item.base < 0 || item.base > 100000)) {
      throw invalidParameter(`capacityProviderStrategy[${index}].base must be a whole number from 0 to 100000.`);
    }
    if (item.weight !== undefined && (!Number.isInteger(item.weight) || item.weight < 0 || item.weight > 1000)) {
      throw invalidParameter(`capacityProviderStrategy[${index}].weight must be a whole number from 0 to 1000.`);
    }
  });
  return splitByStrategy(count, chosen).map((capacityProviderName) => ({ launchType: 'FARGATE' as const, capacityProviderName }));
}
