/**
 * Starting a deployment: the new PRIMARY deployment, the service revision it rolls out and the
 * service deployment (DescribeServiceDeployments) that tracks it. Used by CreateService and
 * UpdateService, and by the circuit breaker when it rolls back.
 */
import type { ContainerImage, ServiceDeploymentStatus } from '@aws-sdk/client-ecs';
import type { IdGenerator } from '../../core/ids.js';
import type { Wire } from '../../core/wire.js';
import { clusterNameOfArn, ecsArn } from '../names.js';
import type {
  DeploymentRecord,
  ServiceDeploymentRecord,
  ServiceRecord,
  ServiceRevisionRecord,
  StoreTx,
  TaskDefinitionRecord,
} from '../../store/types.js';
import { breakerThreshold, numericId, scopeOf, serviceDeploymentId, type LaunchConfig } from './model.js';

export interface StartedDeployment {
  service: ServiceRecord;
  deployment: DeploymentRecord;
  revision: ServiceRevisionRecord;
  serviceDeployment: ServiceDeploymentRecord;
}

export function serviceDeploymentStatusIsLive(status: string): boolean {
  return ['PENDING', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED'].includes(status);
}

/**
 * The new PRIMARY deployment of `config`; the previous PRIMARY becomes ACTIVE and is scaled in as
 * the new one comes up. Pure: the caller stores what it returns.
 */
export function startDeployment(
  service: ServiceRecord,
  config: LaunchConfig,
  definition: TaskDefinitionRecord,
  options: { now: number; ids: IdGenerator; rolloutStateReason?: string; rollbackOf?: ServiceDeploymentRecord },
): StartedDeployment {
  const scope = scopeOf(service);
  const path = `${clusterNameOfArn(service.clusterArn)}/${service.serviceName}`;
  const id = `ecs-svc/${numericId(options.ids)}`;
  const fargate = config.launchType === 'FARGATE' || (config.capacityProviderStrategy ?? []).length > 0;
  const containerImages: Wire<ContainerImage>[] = (definition.containerDefinitions ?? []).map((container) => ({
    containerName: container.name,
    image: container.image,
  }));
  const revision: ServiceRevisionRecord = {
    serviceRevisionArn: ecsArn(scope, `service-revision/${path}/${numericId(options.ids)}`),
    serviceArn: service.serviceArn,
    clusterArn: service.clusterArn,
    taskDefinition: definition.taskDefinitionArn,
    ...(config.launchType !== undefined ? { launchType: config.launchType as ServiceRevisionRecord['launchType'] } : {}),
    ...(config.capacityProviderStrategy ? { capacityProviderStrategy: config.capacityProviderStrategy } : {}),
    ...(fargate ? { platformVersion: config.platformVersion ?? '1.4.0', platformFamily: 'Linux' } : {}),
    ...(config.networkConfiguration ? { networkConfiguration: config.networkConfiguration } : {}),
    loadBalancers: service.loadBalancers ?? [],
    serviceRegistries: service.serviceRegistries ?? [],
    containerImages,
    guardDutyEnabled: false,
    createdAt: options.now,
  };
  const serviceDeploymentArn = options.rollbackOf?.serviceDeploymentArn ?? ecsArn(scope, `service-deployment/${path}/${serviceDeploymentId(options.ids)}`);
  const deployment: DeploymentRecord = {
    id,
    status: 'PRIMARY',
    taskDefinition: definition.taskDefinitionArn,
    desiredCount: service.desiredCount,
    failedTasks: 0,
    createdAt: options.now,
    updatedAt: options.now,
    ...(config.launchType !== undefined ? { launchType: config.launchType as DeploymentRecord['launchType'] } : {}),
    ...(config.capacityProviderStrategy ? { capacityProviderStrategy: config.capacityProviderStrategy } : {}),
    ...(revision.platformVersion !== undefined ? { platformVersion: revision.platformVersion, platformFamily: 'Linux' } : {}),
    ...(config.networkConfiguration ? { networkConfiguration: config.networkConfiguration } : {}),
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: options.rolloutStateReason ?? `ECS deployment ${id} in progress.`,
    serviceDeploymentArn,
    serviceRevisionArn: revision.serviceRevisionArn,
    breakerFailures: [],
  };
  const previous = service.deployments.map((existing) => (existing.status === 'PRIMARY' ? { ...existing, status: 'ACTIVE' as const, updatedAt: options.now } : existing));
  const breaker = service.deploymentConfiguration?.deploymentCircuitBreaker;
  const serviceDeployment: ServiceDeploymentRecord = options.rollbackOf
    ? {
        ...options.rollbackOf,
        status: 'ROLLBACK_IN_PROGRESS',
        updatedAt: options.now,
        rollback: { reason: options.rolloutStateReason ?? 'Rolling back.', startedAt: options.now, serviceRevisionArn: revision.serviceRevisionArn },
      }
    : {
        serviceDeploymentArn,
        serviceArn: service.serviceArn,
        clusterArn: service.clusterArn,
        createdAt: options.now,
        startedAt: options.now,
        updatedAt: options.now,
        sourceServiceRevisions: previous.map((existing) => ({ arn: existing.serviceRevisionArn, requestedTaskCount: existing.desiredCount, runningTaskCount: 0, pendingTaskCount: 0 })),
        targetServiceRevision: { arn: revision.serviceRevisionArn, requestedTaskCount: service.desiredCount, runningTaskCount: 0, pendingTaskCount: 0 },
        status: 'IN_PROGRESS' satisfies ServiceDeploymentStatus,
        ...(service.deploymentConfiguration ? { deploymentConfiguration: service.deploymentConfiguration } : {}),
        deploymentCircuitBreaker: breaker?.enable
          ? { status: 'MONITORING', failureCount: 0, threshold: breakerThreshold(service.desiredCount) }
          : { status: 'DISABLED', failureCount: 0, threshold: breakerThreshold(service.desiredCount) },
        alarms: service.deploymentConfiguration?.alarms?.enable
          ? { status: 'MONITORING', alarmNames: [...(service.deploymentConfiguration.alarms.alarmNames ?? [])], triggeredAlarmNames: [] }
          : { status: 'DISABLED', alarmNames: [], triggeredAlarmNames: [] },
      };
  return {
    service: {
      ...service,
      deployments: [deployment, ...previous],
      taskDefinition: definition.taskDefinitionArn,
      ...(config.launchType !== undefined ? { launchType: config.launchType as ServiceRecord['launchType'] } : {}),
      ...(config.capacityProviderStrategy ? { capacityProviderStrategy: config.capacityProviderStrategy } : {}),
      ...(revision.platformVersion !== undefined ? { platformVersion: revision.platformVersion, platformFamily: 'Linux' } : {}),
      ...(config.networkConfiguration ? { networkConfiguration: config.networkConfiguration } : {}),
      currentServiceDeployment: serviceDeploymentArn,
      version: service.version + 1,
    },
    deployment,
    revision,
    serviceDeployment,
  };
}

/**
 * Starts a deployment and stores everything it touches, in the caller's transaction: a service
 * deployment still in progress is superseded (STOPPED), as in ECS when a new update arrives.
 */
export async function recordDeployment(
  tx: StoreTx,
  service: ServiceRecord,
  config: LaunchConfig,
  definition: TaskDefinitionRecord,
  options: { now: number; ids: IdGenerator; rolloutStateReason?: string; rollbackOf?: ServiceDeploymentRecord },
): Promise<StartedDeployment> {
  const started = startDeployment(service, config, definition, options);
  const superseded = service.currentServiceDeployment;
  if (superseded && superseded !== started.serviceDeployment.serviceDeploymentArn) {
    const record = await tx.serviceDeployments.get(superseded);
    if (record && serviceDeploymentStatusIsLive(record.status)) {
      await tx.serviceDeployments.put({
        ...record,
        status: 'STOPPED',
        statusReason: 'Service deployment stopped because a newer service deployment started.',
        stoppedAt: options.now,
        updatedAt: options.now,
      });
    }
  }
  await tx.serviceRevisions.put(started.revision);
  await tx.serviceDeployments.put(started.serviceDeployment);
  await tx.services.put(started.service);
  return started;
}

/**
 * Rolls a service back to `target` (the revision of its last completed deployment): the current
 * PRIMARY is marked FAILED with `failedReason` and a new PRIMARY of the target revision takes over,
 * carrying the same service deployment, now ROLLBACK_IN_PROGRESS.
 */
export async function rollBack(
  tx: StoreTx,
  service: ServiceRecord,
  target: { revision: ServiceRevisionRecord; deploymentId: string },
  failedReason: string,
  options: { now: number; ids: IdGenerator; rolloutStateReason?: string },
): Promise<StartedDeployment | undefined> {
  const definition = await tx.taskDefinitions.get(target.revision.taskDefinition);
  const current = service.currentServiceDeployment ? await tx.serviceDeployments.get(service.currentServiceDeployment) : undefined;
  if (!definition || !current) return undefined;
  const failed: ServiceRecord = {
    ...service,
    deployments: service.deployments.map((deployment) =>
      deployment.status === 'PRIMARY' ? { ...deployment, rolloutState: 'FAILED' as const, rolloutStateReason: failedReason, updatedAt: options.now } : deployment,
    ),
  };
  const config: LaunchConfig = {
    taskDefinition: target.revision.taskDefinition,
    ...(target.revision.launchType !== undefined ? { launchType: target.revision.launchType } : {}),
    ...(target.revision.capacityProviderStrategy ? { capacityProviderStrategy: target.revision.capacityProviderStrategy } : {}),
    ...(target.revision.platformVersion !== undefined ? { platformVersion: target.revision.platformVersion } : {}),
    ...(target.revision.networkConfiguration ? { networkConfiguration: target.revision.networkConfiguration } : {}),
  };
  return recordDeployment(tx, failed, config, definition, {
    ...options,
    rolloutStateReason: options.rolloutStateReason ?? `ECS deployment circuit breaker: rolling back to deploymentId ${target.deploymentId}.`,
    rollbackOf: { ...current, statusReason: failedReason },
  });
}
