/**
 * UpdateService. Which changes start a new deployment follows the ECS API reference: the task
 * definition, network configuration, platform version, load balancers and service registries do
 * (and so does forceNewDeployment, which a capacity provider strategy change requires). The desired
 * count, deployment configuration, placement, health check grace period, tag propagation, execute
 * command and Availability Zone rebalancing are stored for the scheduler to apply to the tasks it
 * starts from now on; a desired count change also resizes the PRIMARY deployment.
 */
import { AvailabilityZoneRebalancing, PropagateTags, type UpdateServiceRequest, type UpdateServiceResponse } from '@aws-sdk/client-ecs';
import { epochSeconds, type Wire } from '../../core/wire.js';
import type { RequestContext } from '../../core/request-context.js';
import { recordDeployment } from './deployments.js';
import type { ServiceRecord, StoreTx, TaskDefinitionRecord } from '../../store/types.js';
import { activeCluster } from '../clusters.js';
import type { EcsDeps } from '../deps.js';
import { refuseUnsupportedFields } from '../task-definitions/refusals.js';
import { activeTaskDefinition } from '../tasks/run.js';
import { checkEnum, checkRange, clientError, requireString } from '../validate.js';
import { checkAgainstDefinition, checkPlacement } from './definition-checks.js';
import { checkPlatformVersion, launchChanged, launchConfigOf, launchKindOf, updatedLaunch } from './launch.js';
import { activeService } from './lookup.js';
import { describeService } from './present.js';
import {
  checkDeploymentConfiguration,
  checkDeploymentController,
  checkDesiredCount,
  checkLoadBalancers,
  checkRebalancing,
  checkServiceRegistries,
  checkUnsupportedFeatures,
  refuseUnservedSettings,
} from './validate.js';
import { checkTargetGroups } from './load-balancer-checks.js';

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** LATEST is 1.4.0, so asking for it again is no change. */
const resolvedPlatform = (version: string | undefined) => (version === 'LATEST' ? '1.4.0' : version);

function checkUpdateInput(input: Wire<UpdateServiceRequest>) {
  const service = requireString(input.service, 'service');
  checkDeploymentController(input.deploymentController);
  checkUnsupportedFeatures(input);
  checkRange(input.healthCheckGracePeriodSeconds, 'healthCheckGracePeriodSeconds', 0, 2147483647);
  checkEnum(input.propagateTags, 'propagateTags', PropagateTags);
  checkEnum(input.availabilityZoneRebalancing, 'availabilityZoneRebalancing', AvailabilityZoneRebalancing);
  return {
    service,
    loadBalancers: input.loadBalancers && checkLoadBalancers(input.loadBalancers),
    serviceRegistries: input.serviceRegistries && checkServiceRegistries(input.serviceRegistries),
  };
}

/** The definition the service runs now; it may have been deregistered since, which does not stop the service. */
async function currentDefinition(tx: StoreTx, service: ServiceRecord): Promise<TaskDefinitionRecord | undefined> {
  return service.taskDefinition ? tx.taskDefinitions.get(service.taskDefinition) : undefined;
}

export async function updateService(deps: EcsDeps, input: Wire<UpdateServiceRequest>, ctx: RequestContext): Promise<Wire<UpdateServiceResponse>> {
  const checked = checkUpdateInput(input);
  const now = epochSeconds(ctx.now);
  const forceNewDeployment = input.forceNewDeployment ?? false;
  const result = await deps.store.write(async (tx) => {
    const cluster = await activeCluster(tx, ctx.scope, input.cluster);
    const service = await activeService(tx, ctx.scope, cluster.clusterArn, checked.service);
    const strategy = service.schedulingStrategy;
    const desiredCount = checkDesiredCount(input.desiredCount, strategy, false) ?? service.desiredCount;
    const definition =
      input.taskDefinition !== undefined ? await activeTaskDefinition(tx, ctx.scope, input.taskDefinition) : await currentDefinition(tx, service);
    if (!definition) {
      throw clientError(`The task definition of the service ('${service.taskDefinition ?? ''}') no longer exists; give taskDefinition to deploy another.`);
    }
    // A revision the service already runs was accepted when it was deployed; only a new one is checked.
    if (definition.taskDefinitionArn !== service.taskDefinition) refuseUnsupportedFields(definition);
    const launch = updatedLaunch(service, input.capacityProviderStrategy, forceNewDeployment, cluster);
    const fargate = launchKindOf(launch) === 'FARGATE';
    const platformVersion = input.platformVersion !== undefined ? checkPlatformVersion(input.platformVersion, launch) : fargate ? service.platformVersion : undefined;
    checkPlacement(input.placementConstraints, input.placementStrategy, definition, { schedulingStrategy: strategy, launch });
    const deploymentConfiguration = input.deploymentConfiguration
      ? checkDeploymentConfiguration({ ...service.deploymentConfiguration, ...input.deploymentConfiguration }, strategy)
      : service.deploymentConfiguration;
    const availabilityZoneRebalancing = checkRebalancing(input.availabilityZoneRebalancing, strategy) ?? service.availabilityZoneRebalancing ?? 'DISABLED';

    const { launchType: _launchType, capacityProviderStrategy: _strategy, platformVersion: _platform, platformFamily: _family, ...rest } = service;
    const next: ServiceRecord = {
      ...rest,
      ...launch,
      ...(platformVersion !== undefined ? { platformVersion, platformFamily: service.platformFamily ?? 'Linux' } : {}),
      desiredCount,
      ...(deploymentConfiguration ? { deploymentConfiguration } : {}),
      availabilityZoneRebalancing,
      loadBalancers: checked.loadBalancers ?? service.loadBalancers ?? [],
      serviceRegistries: checked.serviceRegistries ?? service.serviceRegistries ?? [],
      ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
      ...(input.placementConstraints ? { placementConstraints: input.placementConstraints } : {}),
      ...(input.placementStrategy ? { placementStrategy: input.placementStrategy } : {}),
      ...(input.healthCheckGracePeriodSeconds !== undefined ? { healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds } : {}),
      ...(input.propagateTags !== undefined ? { propagateTags: input.propagateTags } : {}),
      ...(input.enableECSManagedTags !== undefined ? { enableECSManagedTags: input.enableECSManagedTags } : {}),
      ...(input.enableExecuteCommand !== undefined ? { enableExecuteCommand: input.enableExecuteCommand } : {}),
    };
    checkAgainstDefinition(
      {
        launch,
        loadBalancers: next.loadBalancers ?? [],
        serviceRegistries: next.serviceRegistries ?? [],
        ...(next.networkConfiguration ? { networkConfiguration: next.networkConfiguration } : {}),
      },
      definition,
    );
    // Only what this call asks for is refused: a service stored with such settings by an earlier
    // Berth can still be scaled, updated and deleted.
    refuseUnservedSettings({ serviceRegistries: checked.serviceRegistries ?? [], enableExecuteCommand: input.enableExecuteCommand });
    // New load balancers, or a new task definition whose network mode the target groups must suit.
    if (checked.loadBalancers !== undefined || definition.taskDefinitionArn !== service.taskDefinition) {
      await checkTargetGroups(tx, ctx.scope, next.loadBalancers ?? [], definition);
    }

    const redeploy =
      forceNewDeployment ||
      definition.taskDefinitionArn !== service.taskDefinition ||
      launchChanged(service, launch) ||
      (input.platformVersion !== undefined && resolvedPlatform(platformVersion) !== resolvedPlatform(service.platformVersion)) ||
      (input.networkConfiguration !== undefined && !same(input.networkConfiguration, service.networkConfiguration)) ||
      (checked.loadBalancers !== undefined && !same(checked.loadBalancers, service.loadBalancers ?? [])) ||
      (checked.serviceRegistries !== undefined && !same(checked.serviceRegistries, service.serviceRegistries ?? []));
    if (redeploy) {
      const config = launchConfigOf(definition.taskDefinitionArn, launch, platformVersion, next.networkConfiguration);
      const started = await recordDeployment(tx, next, config, definition, { now, ids: deps.ids });
      return describeService(tx, started.service, false);
    }
    const resized: ServiceRecord = {
      ...next,
      deployments: next.deployments.map((deployment) =>
        deployment.status === 'PRIMARY' && deployment.desiredCount !== desiredCount ? { ...deployment, desiredCount, updatedAt: now } : deployment,
      ),
      version: service.version + 1,
    };
    await tx.services.put(resized);
    return describeService(tx, resized, false);
  });
  return { service: result };
}
