/** A task's containers as they will run: the definition with RunTask's overrides applied. Pure. */
import type { ContainerDefinition, ContainerDependency } from '@aws-sdk/client-ecs';
import type { AssignedTask } from '../../agent-channel-protocol/messages.js';
import type { Wire } from '../../core/wire.js';

export interface EffectiveContainer {
  name: string;
  image: string;
  essential: boolean;
  dependsOn: Wire<ContainerDependency>[];
  /** Names of containers this one takes volumes from. */
  volumesFrom: string[];
  hasHealthCheck: boolean;
  /** Seconds between SIGTERM and SIGKILL. */
  stopTimeout: number;
  definition: Wire<ContainerDefinition>;
}

/** ECS's default when neither the container nor the agent sets one. */
export const defaultStopTimeoutSeconds = 30;

const cache = new WeakMap<AssignedTask, EffectiveContainer[]>();

export function effectiveContainers(task: AssignedTask): EffectiveContainer[] {
  const cached = cache.get(task);
  if (cached) return cached;
  const result = (task.definition.containerDefinitions ?? []).map((definition): EffectiveContainer => {
    const name = definition.name ?? '';
    return {
      name,
      image: definition.image ?? '',
      essential: definition.essential !== false,
      dependsOn: definition.dependsOn ?? [],
      volumesFrom: (definition.volumesFrom ?? []).flatMap((from) => (from.sourceContainer ? [from.sourceContainer] : [])),
      hasHealthCheck: definition.healthCheck !== undefined,
      stopTimeout: definition.stopTimeout ?? defaultStopTimeoutSeconds,
      definition,
    };
  });
  cache.set(task, result);
  return result;
}
