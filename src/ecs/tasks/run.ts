/**
 * The shared core of RunTask and StartTask: resolve the definition and launch targets, place
 * EC2/EXTERNAL tasks with the placement engine over a snapshot, and record tasks and reservations
 * in the same transaction.
 */
import { PropagateTags, type RunTaskRequest, type Tag } from '@aws-sdk/client-ecs';
import type { Scope } from '../../core/principal.js';
import type { Wire } from '../../core/wire.js';
import type { RequestContext } from '../../core/request-context.js';
import { placeTasks, validatePlacementRequest } from '../../placement/index.js';
import { dependsOnTasks, parseExpression } from '../../placement/query-language/index.js';
import type { PlacementConstraint, PlacementRequest, PlacementResult, PlacementStrategy } from '../../placement/types.js';
import type { ContainerInstanceRecord, StoreTx, TaskDefinitionRecord, TaskRecord } from '../../store/types.js';
import { activeCluster } from '../clusters.js';
import type { EcsDeps } from '../deps.js';
import { clusterSnapshot } from '../placement-snapshot.js';
import { reserve, resourcesOf, totalsOf } from '../resources.js';
import { checkTags } from '../tags.js';
import { findTaskDefinition } from '../task-definitions/index.js';
import { refuseUnsupportedFields, refuseUnsupportedLaunchInputs } from '../task-definitions/refusals.js';
import { clusterNameOfArn } from '../names.js';
import { checkEnum, checkLength, checkMaxItems, clientError, invalidParameter, requireString } from '../validate.js';
import { buildTask, type NewTask } from './build.js';
import { checkLaunchChoice, launchTargets, type LaunchTarget } from './launch.js';
import { requirementsOf } from './requirements.js';

export type RunInput = Omit<Wire<RunTaskRequest>, 'count' | 'clientToken'> & { taskDefinition: string };

export function checkRunInput(input: Wire<RunTaskRequest>): RunInput {
  const taskDefinition = requireString(input.taskDefinition, 'taskDefinition');
  checkLength(input.group, 'group', 1, 255);
  checkLength(input.startedBy, 'startedBy', 1, 128);
  checkMaxItems(input.placementConstraints, 'placementConstraints', 10);
  checkMaxItems(input.placementStrategy, 'placementStrategy', 5);
  checkTags(input.tags);
  if (checkEnum(input.propagateTags, 'propagateTags', PropagateTags) === 'SERVICE') {
    throw invalidParameter('propagateTags SERVICE is only valid for the tasks of a service; use TASK_DEFINITION or NONE.');
  }
  checkLaunchChoice(input.launchType, input.capacityProviderStrategy);
  refuseUnsupportedLaunchInputs(input);
  return { ...input, taskDefinition };
}

/** The task's tags: the request's, those of its task definition with propagateTags TASK_DEFINITION, and ECS's managed tag. */
function taskTags(input: Pick<RunInput, 'tags' | 'propagateTags' | 'enableECSManagedTags'>, definition: TaskDefinitionRecord, clusterArn: string): Tag[] {
  return [
    ...checkTags(input.tags),
    ...(input.propagateTags === 'TASK_DEFINITION' ? definition.tags : []),
    ...(input.enableECSManagedTags ? [{ key: 'aws:ecs:clusterName', value: clusterNameOfArn(clusterArn) }] : []),
  ];
}

/** awsvpc definitions need an awsvpcConfiguration; other network modes refuse one. Shared with services. */
export function checkNetwork(definition: TaskDefinitionRecord, input: Pick<RunInput, 'networkConfiguration'>): void {
  const awsvpc = definition.networkMode === 'awsvpc';
  const config = input.networkConfiguration?.awsvpcConfiguration;
  if (awsvpc && !config) {
    throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  }
  if (!awsvpc && config) {
    throw invalidParameter(`Network Configuration is not valid for the network mode '${definition.networkMode ?? 'bridge'}' of this task definition.`);
  }
  if (config) {
    const subnets = config.subnets ?? [];
    if (subnets.length < 1 || subnets.length > 16) throw invalidParameter('networkConfiguration.awsvpcConfiguration.subnets must name 1 to 16 subnets.');
    if ((config.securityGroups ?? []).length > 5) throw invalidParameter('networkConfiguration.awsvpcConfiguration.securityGroups can name at most 5 security groups.');
  }
}

function checkOverrides(definition: TaskDefinitionRecord, input: RunInput): void {
  const names = new Set((definition.containerDefinitions ?? []).map((container) => container.name));
  (input.overrides?.containerOverrides ?? []).forEach((override, index) => {
    if (!override.name || !names.has(override.name)) {
      throw invalidParameter(`overrides.containerOverrides[${index}]: Override for container named ${override.name ?? '(none)'} is not a container in the TaskDefinition.`);
    }
  });
}

export function checkCompatible(definition: TaskDefinitionRecord, launchType: LaunchTarget['launchType']): void {
  if (!(definition.compatibilities ?? ['EC2']).includes(launchType)) {
    throw invalidParameter(`Task definition does not support launch_type ${launchType}. Its compatibilities are ${(definition.compatibilities ?? []).join(', ') || 'none'}.`);
  }
}

/** The ACTIVE task definition a name, name:revision or ARN refers to, or ClientException. */
export async function activeTaskDefinition(tx: StoreTx, scope: Scope, given: string, allowInactive = false): Promise<TaskDefinitionRecord> {
  const definition = await findTaskDefinition(tx, scope, given);
  if (!definition) throw clientError(`Unable to find task definition '${given}'. Register it first, or check the family and revision.`);
  if (definition.status !== 'ACTIVE' && !allowInactive) {
    throw clientError(`TaskDefinition ${definition.family}:${definition.revision} is ${definition.status}; only ACTIVE revisions can start tasks.`);
  }
  return definition;
}

export interface RunResult {
  tasks: TaskRecord[];
  failures: { arn?: string; reason: string; detail?: string }[];
}

/** What a RunTask would do, decided over a snapshot; nothing is written until `commitRun`. */
export interface RunPlan {
  common: Omit<NewTask, 'target' | 'placement'>;
  fargate: LaunchTarget[];
  placed?: {
    launchType: 'EC2' | 'EXTERNAL';
    request: PlacementRequest;
    records: ContainerInstanceRecord[];
    result: PlacementResult;
  };
}

export async function planRun(
  tx: StoreTx,
  deps: Pick<EcsDeps, 'ids' | 'rng'>,
  ctx: Pick<RequestContext, 'scope' | 'now'>,
  input: RunInput,
  options: { count: number; onlyInstance?: string; explain?: boolean; allowInactiveDefinition?: boolean; refuseUnsupported?: boolean },
): Promise<RunPlan> {
  const cluster = await activeCluster(tx, ctx.scope, input.cluster);
  // A service keeps running (and scaling) a revision deregistered after it was deployed, as in ECS.
  const definition = await activeTaskDefinition(tx, ctx.scope, input.taskDefinition, options.allowInactiveDefinition);
  checkOverrides(definition, input);
  // Before placement, so a field Berth does not honour is named rather than left to a missing attribute.
  if (options.refuseUnsupported) refuseUnsupportedFields(definition, input.overrides);
  checkNetwork(definition, input);
  const targets = launchTargets(options.count, input.launchType, input.capacityProviderStrategy, cluster.defaultCapacityProviderStrategy, cluster.capacityProviders ?? []);
  for (const launchType of new Set(targets.map((target) => target.launchType))) checkCompatible(definition, launchType);
  const requirements = requirementsOf(definition, input.overrides);
  const group = input.group ?? `family:${definition.family}`;
  const common: RunPlan['common'] = {
    scope: ctx.scope,
    ids: deps.ids,
    now: ctx.now,
    clusterArn: cluster.clusterArn,
    definition,
    overrides: input.overrides ?? {},
    requirements,
    group,
    tags: taskTags(input, definition, cluster.clusterArn),
    ...(input.startedBy !== undefined ? { startedBy: input.startedBy } : {}),
    ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
    ...(input.platformVersion !== undefined ? { platformVersion: input.platformVersion } : {}),
    ...(input.enableExecuteCommand !== undefined ? { enableExecuteCommand: input.enableExecuteCommand } : {}),
  };
  const fargate = targets.filter((target) => target.launchType === 'FARGATE');
  const placedTargets = targets.filter((target) => target.launchType !== 'FARGATE');
  if (placedTargets.length === 0) return { common, fargate };

  const launchType = placedTargets[0]!.launchType as 'EC2' | 'EXTERNAL';
  const constraints: PlacementConstraint[] = [
    ...(definition.placementConstraints ?? []).map((constraint) => ({ type: 'memberOf' as const, ...(constraint.expression ? { expression: constraint.expression } : {}) })),
    ...(input.placementConstraints ?? []).map((constraint) => ({
      type: constraint.type as PlacementConstraint['type'],
      ...(constraint.expression !== undefined ? { expression: constraint.expression } : {}),
    })),
  ];
  const strategies: PlacementStrategy[] = (input.placementStrategy ?? []).map((strategy) => ({
    type: strategy.type as PlacementStrategy['type'],
    ...(strategy.field !== undefined ? { field: strategy.field } : {}),
  }));
  const request: PlacementRequest = { count: placedTargets.length, launchType, group, family: definition.family, ...requirements, constraints, strategies };
  const problem = validatePlacementRequest(request);
  if (problem) throw invalidParameter(`placement: ${problem}`);
  // Task groups matter only to spread, distinctInstance and task:group expressions; random and binpack never read them.
  const needsAllGroups = constraints.some((constraint) => constraint.expression && dependsOnTasks(parseExpression(constraint.expression)));
  const needsOwnGroup = strategies.some((strategy) => strategy.type === 'spread') || constraints.some((constraint) => constraint.type === 'distinctInstance');
  const records = (await tx.containerInstances.all(cluster.clusterArn)).filter(
    (record) => record.status !== 'INACTIVE' && (!options.onlyInstance || record.containerInstanceArn === options.onlyInstance),
  );
  const groups = needsAllGroups
    ? await tx.tasks.activeGroups(cluster.clusterArn)
    : needsOwnGroup
      ? await tx.tasks.activeGroups(cluster.clusterArn, group)
      : [];
  const result = placeTasks({ instances: clusterSnapshot(records, groups) }, request, deps.rng, { explain: options.explain ?? false });
  return { common, fargate, placed: { launchType, request, records, result } };
}

/** Records the planned tasks and takes their reservations from their instances, in the caller's transaction. */
export async function commitRun(tx: StoreTx, plan: RunPlan, options: { onlyInstance?: string } = {}): Promise<RunResult> {
  const tasks: TaskRecord[] = plan.fargate.map((target) => buildTask({ ...plan.common, target }));
  const failures: RunResult['failures'] = [];
  if (plan.placed) {
    const { launchType, records, result } = plan.placed;
    if (result.noContainerInstances && !options.onlyInstance) throw invalidParameter('No Container Instances were found in your cluster.');
    const byArn = new Map<string, ContainerInstanceRecord>(records.map((record) => [record.containerInstanceArn, record]));
    const changed = new Set<string>();
    for (const placement of result.placements) {
      const instance = byArn.get(placement.instanceArn)!;
      const availabilityZone = instance.attributes?.find((attribute) => attribute.name === 'ecs.availability-zone')?.value;
      const task = buildTask({
        ...plan.common,
        target: { launchType },
        placement: { containerInstanceArn: instance.containerInstanceArn, gpuIds: placement.gpuIds, ...(availabilityZone ? { availabilityZone } : {}) },
      });
      byArn.set(instance.containerInstanceArn, {
        ...instance,
        remainingResources: resourcesOf(reserve(totalsOf(instance.remainingResources), task.reservation!)),
        version: (instance.version ?? 0) + 1,
      });
      changed.add(instance.containerInstanceArn);
      tasks.push(task);
    }
    for (const arn of changed) await tx.containerInstances.put(byArn.get(arn)!);
    failures.push(...result.failures);
  }
  for (const task of tasks) await tx.tasks.put(task);
  return { tasks, failures };
}

export async function launchAndPlace(
  tx: StoreTx,
  deps: EcsDeps,
  ctx: RequestContext,
  input: RunInput,
  options: { count: number; onlyInstance?: string },
): Promise<RunResult> {
  return commitRun(tx, await planRun(tx, deps, ctx, input, { ...options, refuseUnsupported: true }), options);
}
