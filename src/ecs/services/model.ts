/**
 * The service scheduler's vocabulary: what a deployment launches, the bounds a rollout keeps, and
 * the identifiers ECS gives deployments and revisions. Pure.
 */
import type { CapacityProviderStrategyItem, DeploymentConfiguration, NetworkConfiguration } from '@aws-sdk/client-ecs';
import { Arn } from '../../core/arn.js';
import type { IdGenerator } from '../../core/ids.js';
import type { Wire } from '../../core/wire.js';
import type { EcsDeps } from '../deps.js';
import type { DeploymentRecord, ServiceRecord } from '../../store/types.js';

/** What a service revision fixes about the tasks it launches. */
export interface LaunchConfig {
  taskDefinition: string;
  launchType?: string;
  capacityProviderStrategy?: Wire<CapacityProviderStrategyItem>[];
  platformVersion?: string;
  networkConfiguration?: Wire<NetworkConfiguration>;
}

export const serviceGroup = (serviceName: string) => `service:${serviceName}`;

/** The service a task group names (`service:<name>`), if it names one. */
export function serviceNameOfGroup(group: string | undefined): string | undefined {
  return group?.startsWith('service:') ? group.slice('service:'.length) : undefined;
}

/** The ARN of the service `serviceName` in the cluster `clusterArn`, as CreateService forms it (the long format). */
export function serviceArnInCluster(clusterArn: string, serviceName: string): string | undefined {
  const cluster = Arn.parse(clusterArn);
  const [clusterName, ...rest] = cluster?.resourcePath ?? [];
  if (!cluster || cluster.resourceType !== 'cluster' || !clusterName || rest.length > 0) return undefined;
  return new Arn(cluster.service, cluster.region, cluster.accountId, `service/${clusterName}/${serviceName}`, cluster.partition).toString();
}

/** The instance attribute that names its Availability Zone, and the placement field that reads it. */
export const zoneAttribute = 'ecs.availability-zone';
export const zoneField = `attribute:${zoneAttribute}`;

/** Whether a service's placement spreads it over Availability Zones before anything else. */
export function spreadsOverZonesFirst(strategies: readonly { type?: string; field?: string }[] | undefined): boolean {
  const first = strategies?.[0];
  return first?.type === 'spread' && first.field === zoneField;
}

/** The account and region a service belongs to, from its ARN. */
export function scopeOf(service: Pick<ServiceRecord, 'serviceArn'>): { accountId: string; region: string } {
  const arn = Arn.parse(service.serviceArn);
  return { accountId: arn?.accountId ?? '', region: arn?.region ?? '' };
}

/** What planning a RunTask for a service needs besides the store. */
export type PlanDeps = Pick<EcsDeps, 'ids' | 'rng'>;

/** ECS's defaults: REPLICA 100/200; DAEMON 0/100 (one task per instance, replaced in place). */
export function deploymentBounds(service: Pick<ServiceRecord, 'schedulingStrategy' | 'deploymentConfiguration'>): { minimumHealthyPercent: number; maximumPercent: number } {
  const daemon = service.schedulingStrategy === 'DAEMON';
  return {
    minimumHealthyPercent: service.deploymentConfiguration?.minimumHealthyPercent ?? (daemon ? 0 : 100),
    maximumPercent: service.deploymentConfiguration?.maximumPercent ?? (daemon ? 100 : 200),
  };
}

export function withDefaults(config: Wire<DeploymentConfiguration> | undefined, schedulingStrategy: 'REPLICA' | 'DAEMON'): Wire<DeploymentConfiguration> {
  const bounds = deploymentBounds({ schedulingStrategy, deploymentConfiguration: config ?? {} });
  return {
    ...config,
    deploymentCircuitBreaker: { enable: false, rollback: false, ...config?.deploymentCircuitBreaker },
    maximumPercent: bounds.maximumPercent,
    minimumHealthyPercent: bounds.minimumHealthyPercent,
  };
}

/** ECS's circuit breaker threshold: half the desired count, at least 3, at most 200. */
export function breakerThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount * 0.5)));
}

/** The most tasks a rollout may have running or pending, and the fewest healthy ones it keeps. */
export function rolloutLimits(desiredCount: number, bounds: { minimumHealthyPercent: number; maximumPercent: number }): { maxTotal: number; minHealthy: number } {
  return {
    maxTotal: Math.floor((desiredCount * bounds.maximumPercent) / 100),
    minHealthy: Math.ceil((desiredCount * bounds.minimumHealthyPercent) / 100),
  };
}

/** ECS deployment and revision ids are 19-digit numbers. */
export function numericId(ids: IdGenerator): string {
  return (BigInt(`0x${ids.hex32()}`) % 9_000_000_000_000_000_000n + 1_000_000_000_000_000_000n).toString();
}

/** Service deployment ids are 22 characters of letters, digits, - and _, as ECS's are. */
export function serviceDeploymentId(ids: IdGenerator): string {
  return Buffer.from(ids.hex32(), 'hex').toString('base64url').slice(0, 22);
}

export const taskIdOf = (taskArn: string) => taskArn.slice(taskArn.lastIndexOf('/') + 1);

export function primaryOf(service: ServiceRecord): DeploymentRecord | undefined {
  return service.deployments.find((deployment) => deployment.status === 'PRIMARY');
}

/** What a task stopped for counts against its deployment: it exited or never started, or failed its health checks. */
export const healthCheckStopReason = 'Task failed container health checks.';

/** ECS's reason for a task stopped because a target of it failed its load balancer's health checks. */
export const elbHealthStopReason = (targetGroupArn: string) => `Task failed ELB health checks in (target-group ${targetGroupArn})`;
const elbHealthStopPrefix = 'Task failed ELB health checks in (target-group ';

export function isFailedTask(task: { stopCode?: string; stoppedReason?: string }): boolean {
  return (
    task.stopCode === 'TaskFailedToStart' ||
    task.stopCode === 'EssentialContainerExited' ||
    task.stoppedReason === healthCheckStopReason ||
    (task.stoppedReason?.startsWith(elbHealthStopPrefix) ?? false)
  );
}

/** A failed task that never reached RUNNING (ECS: went from PENDING straight to STOPPED). */
export function failedToStart(task: { stopCode?: string; stoppedReason?: string; startedAt?: number }): boolean {
  return isFailedTask(task) && task.startedAt === undefined;
}
