/**
 * CreateService: checks the request, records the ACTIVE service and its first deployment (PRIMARY,
 * with its service revision and service deployment), and leaves launching tasks to the service
 * scheduler. A name held by an ACTIVE or DRAINING service is refused; an INACTIVE one is replaced
 * under the same ARN.
 */
import { createHash } from 'node:crypto';
import { PropagateTags, SchedulingStrategy, type CreateServiceRequest, type CreateServiceResponse } from '@aws-sdk/client-ecs';
import { epochSeconds, type Wire } from '../../core/wire.js';
import type { RequestContext } from '../../core/request-context.js';
import { recordDeployment } from './deployments.js';
import { withVersionOf, type ServiceRecord } from '../../store/types.js';
import { activeCluster } from '../clusters.js';
import type { EcsDeps } from '../deps.js';
import { checkTags } from '../tags.js';
import { refuseUnsupportedFields } from '../task-definitions/refusals.js';
import { activeTaskDefinition } from '../tasks/run.js';
import { checkEnum, checkRange, checkResourceName, requireString } from '../validate.js';
import { checkAgainstDefinition, checkPlacement, checkRole, defaultPlacementStrategy } from './definition-checks.js';
import { checkLaunchChoice, checkPlatformVersion, launchConfigOf, launchKindOf, resolveLaunch } from './launch.js';
import { checkTargetGroups } from './load-balancer-checks.js';
import { serviceArnOf } from './lookup.js';
import { describeService } from './present.js';
import {
  checkClientToken,
  checkDeploymentConfiguration,
  checkDeploymentController,
  checkDesiredCount,
  checkLoadBalancers,
  checkRebalancing,
  checkServiceRegistries,
  checkUnsupportedFeatures,
  refuseUnservedSettings,
  defaultRebalancing,
  notIdempotent,
  stillDraining,
} from './validate.js';

const requestHash = (input: unknown) => createHash('sha256').update(JSON.stringify(input)).digest('hex');

/** The request checks that need no store access. */
function checkCreateInput(input: Wire<CreateServiceRequest>) {
  const serviceName = requireString(input.serviceName, 'serviceName');
  checkResourceName(serviceName, 'serviceName');
  checkDeploymentController(input.deploymentController);
  const taskDefinition = requireString(input.taskDefinition, 'taskDefinition');
  const schedulingStrategy = checkEnum(input.schedulingStrategy, 'schedulingStrategy', SchedulingStrategy) ?? 'REPLICA';
  const desiredCount = checkDesiredCount(input.desiredCount, schedulingStrategy, true) ?? 0;
  checkLaunchChoice(input, schedulingStrategy);
  checkClientToken(input.clientToken);
  checkUnsupportedFeatures(input);
  const deploymentConfiguration = checkDeploymentConfiguration(input.deploymentConfiguration, schedulingStrategy);
  const availabilityZoneRebalancing =
    checkRebalancing(input.availabilityZoneRebalancing, schedulingStrategy) ?? defaultRebalancing(schedulingStrategy, deploymentConfiguration, input.placementStrategy);
  checkRange(input.healthCheckGracePeriodSeconds, 'healthCheckGracePeriodSeconds', 0, 2147483647);
  return {
    serviceName,
    taskDefinition,
    schedulingStrategy,
    desiredCount,
    deploymentConfiguration,
    availabilityZoneRebalancing,
    propagateTags: checkEnum(input.propagateTags, 'propagateTags', PropagateTags) ?? 'NONE',
    tags: checkTags(input.tags),
    loadBalancers: checkLoadBalancers(input.loadBalancers),
    serviceRegistries: checkServiceRegistries(input.serviceRegistries),
  };
}

export async function createService(deps: EcsDeps, input: Wire<CreateServiceRequest>, ctx: RequestContext): Promise<Wire<CreateServiceResponse>> {
  const checked = checkCreateInput(input);
  const now = epochSeconds(ctx.now);
  const service = await deps.store.write(async (tx) => {
    const cluster = await activeCluster(tx, ctx.scope, input.cluster);
    const serviceArn = serviceArnOf(ctx.scope, cluster.clusterArn, checked.serviceName);
    const existing = await tx.services.get(serviceArn);
    const tokenKey = input.clientToken && `${ctx.scope.accountId}/${ctx.scope.region}/CreateService/${input.clientToken}`;
    if (tokenKey) {
      const earlier = await tx.idempotency.get(tokenKey);
      if (earlier && (earlier.requestHash !== requestHash(input) || earlier.response !== serviceArn)) throw notIdempotent();
      if (earlier && existing) return describeService(tx, existing, true);
    }
    if (existing?.status === 'ACTIVE') throw notIdempotent();
    if (existing?.status === 'DRAINING') throw stillDraining();

    const definition = await activeTaskDefinition(tx, ctx.scope, checked.taskDefinition);
    refuseUnsupportedFields(definition);
    const launch = resolveLaunch(input, cluster, checked.schedulingStrategy);
    const platformVersion = checkPlatformVersion(input.platformVersion, launch);
    checkPlacement(input.placementConstraints, input.placementStrategy, definition, { schedulingStrategy: checked.schedulingStrategy, launch });
    const runsOn = {
      launch,
      loadBalancers: checked.loadBalancers,
      serviceRegistries: checked.serviceRegistries,
      ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
    };
    checkAgainstDefinition(runsOn, definition);
    const roleArn = checkRole(input.role, ctx.scope, checked.loadBalancers, definition);
    refuseUnservedSettings({ serviceRegistries: runsOn.serviceRegistries, enableExecuteCommand: input.enableExecuteCommand });
    await checkTargetGroups(tx, ctx.scope, checked.loadBalancers, definition);
    const placedOnInstances = checked.schedulingStrategy === 'REPLICA' && launchKindOf(launch) !== 'FARGATE';

    // An INACTIVE service under this ARN is replaced: the write compares the version read above.
    const record: ServiceRecord = withVersionOf({
      serviceArn,
      serviceName: checked.serviceName,
      clusterArn: cluster.clusterArn,
      loadBalancers: checked.loadBalancers,
      serviceRegistries: checked.serviceRegistries,
      status: 'ACTIVE',
      desiredCount: checked.desiredCount,
      ...launch,
      ...(platformVersion !== undefined ? { platformVersion } : {}),
      taskDefinition: definition.taskDefinitionArn,
      deploymentConfiguration: checked.deploymentConfiguration,
      ...(roleArn !== undefined ? { roleArn } : {}),
      deployments: [],
      events: [],
      createdAt: now,
      placementConstraints: input.placementConstraints ?? [],
      placementStrategy: input.placementStrategy ?? (placedOnInstances ? defaultPlacementStrategy() : []),
      ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
      healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds ?? 0,
      schedulingStrategy: checked.schedulingStrategy,
      deploymentController: { type: 'ECS' },
      tags: checked.tags,
      createdBy: ctx.principal.arn,
      enableECSManagedTags: input.enableECSManagedTags ?? false,
      propagateTags: checked.propagateTags,
      enableExecuteCommand: input.enableExecuteCommand ?? false,
      availabilityZoneRebalancing: checked.availabilityZoneRebalancing,
      resourceManagementType: 'CUSTOMER',
      version: 0,
    }, existing);
    const config = launchConfigOf(definition.taskDefinitionArn, launch, platformVersion, input.networkConfiguration);
    const started = await recordDeployment(tx, record, config, definition, { now, ids: deps.ids });
    if (tokenKey) await tx.idempotency.put(tokenKey, requestHash(input), serviceArn, now);
    return describeService(tx, started.service, true);
  });
  return { service };
}
