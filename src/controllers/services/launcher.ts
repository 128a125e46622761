/**
 * Launching a service's tasks: the RunTask a deployment makes (its task definition, launch type,
 * network, the service's placement and tags), and the events that tell what came of it.
 */
import type { Tag } from '@aws-sdk/client-ecs';
import { clusterNameOfArn } from '../../ecs/names.js';
import { commitRun, planRun, type RunInput } from '../../ecs/tasks/run.js';
import type { DeploymentRecord, ServiceRecord, StoreTx, TaskRecord } from '../../store/types.js';
import { chunks, eventText } from './events.js';
import { scopeOf, serviceGroup, type PlanDeps } from '../../ecs/services/model.js';
import { inZone } from './rebalance.js';

/**
 * Places and records `count` tasks of the deployment (on `instanceArn` for a daemon, in `zone` to
 * rebalance); placement failures become events.
 */
export async function launchTasks(
  tx: StoreTx,
  deps: PlanDeps,
  service: ServiceRecord,
  deployment: DeploymentRecord,
  count: number,
  where: { instanceArn?: string; zone?: string },
  now: number,
  event: (message: string, repeating: boolean) => void,
): Promise<TaskRecord[]> {
  const { instanceArn, zone } = where;
  const placementConstraints = [...(service.placementConstraints ?? []), ...(zone ? [{ type: 'memberOf' as const, expression: inZone(zone) }] : [])];
  const input: RunInput = {
    cluster: service.clusterArn,
    taskDefinition: deployment.taskDefinition,
    group: serviceGroup(service.serviceName),
    startedBy: deployment.id,
    ...(deployment.launchType !== undefined && !(deployment.capacityProviderStrategy ?? []).length ? { launchType: deployment.launchType } : {}),
    ...(deployment.capacityProviderStrategy?.length ? { capacityProviderStrategy: deployment.capacityProviderStrategy } : {}),
    ...(deployment.platformVersion !== undefined ? { platformVersion: deployment.platformVersion } : {}),
    ...(deployment.networkConfiguration ? { networkConfiguration: deployment.networkConfiguration } : {}),
    ...(placementConstraints.length > 0 ? { placementConstraints } : {}),
    ...(service.placementStrategy && !instanceArn ? { placementStrategy: service.placementStrategy } : {}),
    ...(service.enableExecuteCommand !== undefined ? { enableExecuteCommand: service.enableExecuteCommand } : {}),
  };
  try {
    const plan = await planRun(tx, deps, { scope: scopeOf(service), now: new Date(now * 1000) }, input, {
      count,
      ...(instanceArn ? { onlyInstance: instanceArn } : {}),
      allowInactiveDefinition: true,
    });
    plan.common.tags = await taskTags(tx, service, deployment);
    if ((service.loadBalancers ?? []).some((entry) => entry.targetGroupArn !== undefined)) plan.common.loadBalanced = true;
    if (plan.placed?.result.noContainerInstances && !instanceArn) {
      event(eventText.unableToPlaceNoInstances(service.serviceName), true);
      return [];
    }
    const result = await commitRun(tx, plan, instanceArn ? { onlyInstance: instanceArn } : {});
    for (const chunk of chunks(result.tasks.map((task) => task.taskArn), 10)) {
      event(zone ? eventText.startedToRebalance(service.serviceName, zone, chunk) : eventText.started(service.serviceName, chunk), false);
    }
    const failure = result.failures[0];
    const explanation = failure && `Berth: ${failure.detail ?? failure.reason}.`;
    if (explanation && zone) event(eventText.unableToPlaceInZone(service.serviceName, zone, explanation), true);
    else if (explanation && !instanceArn) event(eventText.unableToPlace(service.serviceName, explanation), true);
    return result.tasks;
  } catch (error) {
    // The definition or cluster is gone, or the request can no longer be placed: say so and try again later.
    const message = error instanceof Error ? error.message : String(error);
    event(`(service ${service.serviceName}) was unable to start tasks: ${message}`, true);
    return [];
  }
}

/** Tags a service's tasks carry: propagated from the service or its task definition, and ECS's managed tags. */
async function taskTags(tx: StoreTx, service: ServiceRecord, deployment: DeploymentRecord): Promise<Tag[]> {
  const tags: Tag[] = [];
  if (service.propagateTags === 'SERVICE') tags.push(...service.tags);
  if (service.propagateTags === 'TASK_DEFINITION') tags.push(...((await tx.taskDefinitions.get(deployment.taskDefinition))?.tags ?? []));
  if (service.enableECSManagedTags) {
    tags.push({ key: 'aws:ecs:clusterName', value: clusterNameOfArn(service.clusterArn) }, { key: 'aws:ecs:serviceName', value: service.serviceName });
  }
  return tags;
}
