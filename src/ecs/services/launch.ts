/**
 * Where a service's tasks run: a launch type or a capacity provider strategy (never both), and the
 * Fargate platform version. CreateService falls back to the cluster's default strategy, then to EC2,
 * as ECS does; UpdateService changes the strategy only together with a forced new deployment.
 */
import { LaunchType, PlatformUnknownException, type CapacityProviderStrategyItem } from '@aws-sdk/client-ecs';
import { modelled } from '../../core/errors.js';
import type { Wire } from '../../core/wire.js';
import type { LaunchConfig } from './model.js';
import type { ClusterRecord, ServiceRecord } from '../../store/types.js';
import { checkStrategy } from '../clusters.js';
import { checkEnum, invalidParameter } from '../validate.js';

export type ServiceLaunch = { launchType: 'EC2' | 'EXTERNAL' | 'FARGATE' } | { capacityProviderStrategy: Wire<CapacityProviderStrategyItem>[] };

/** Berth's capacity providers are FARGATE and FARGATE_SPOT, so a strategy always launches on Fargate. */
export const launchKindOf = (launch: ServiceLaunch): 'EC2' | 'EXTERNAL' | 'FARGATE' => ('launchType' in launch ? launch.launchType : 'FARGATE');

const daemonCapacityProviders = () =>
  invalidParameter('Specifying a capacity provider strategy is not supported when you create a service using the DAEMON scheduling strategy.');

function checkLaunchType(value: string, schedulingStrategy: 'REPLICA' | 'DAEMON'): 'EC2' | 'EXTERNAL' | 'FARGATE' {
  const launchType = checkEnum(value, 'launchType', LaunchType);
  if (launchType === 'MANAGED_INSTANCES') throw invalidParameter('launchType MANAGED_INSTANCES is not available in Berth; use EC2, EXTERNAL or FARGATE.');
  if (launchType === 'FARGATE' && schedulingStrategy === 'DAEMON') {
    throw invalidParameter('The daemon scheduling strategy does not support the FARGATE launch type. Change the launch type and try again');
  }
  return launchType as 'EC2' | 'EXTERNAL' | 'FARGATE';
}

function checkServiceStrategy(strategy: Wire<CapacityProviderStrategyItem>[], cluster: ClusterRecord): Wire<CapacityProviderStrategyItem>[] {
  const checked = checkStrategy(strategy, cluster.capacityProviders ?? [], 'capacityProviderStrategy');
  if (!checked.some((item) => (item.weight ?? 0) > 0)) {
    throw invalidParameter('capacityProviderStrategy: at least one capacity provider must have a weight greater than 0 to place tasks beyond the base.');
  }
  return checked;
}

/** The launch choice's own checks, made before the cluster is read; resolveLaunch checks it against the cluster. */
export function checkLaunchChoice(
  input: { launchType?: string; capacityProviderStrategy?: Wire<CapacityProviderStrategyItem>[] },
  schedulingStrategy: 'REPLICA' | 'DAEMON',
): void {
  const strategyGiven = (input.capacityProviderStrategy ?? []).length > 0;
  if (input.launchType !== undefined && strategyGiven) throw invalidParameter('Specifying both a launchType and capacityProviderStrategy is not supported.');
  if (input.launchType !== undefined) checkLaunchType(input.launchType, schedulingStrategy);
}

export function resolveLaunch(
  input: { launchType?: string; capacityProviderStrategy?: Wire<CapacityProviderStrategyItem>[] },
  cluster: ClusterRecord,
  schedulingStrategy: 'REPLICA' | 'DAEMON',
): ServiceLaunch {
  checkLaunchChoice(input, schedulingStrategy);
  const strategyGiven = (input.capacityProviderStrategy ?? []).length > 0;
  if (input.launchType !== undefined) return { launchType: checkLaunchType(input.launchType, schedulingStrategy) };
  const strategy = strategyGiven ? input.capacityProviderStrategy! : (cluster.defaultCapacityProviderStrategy ?? []);
  if (strategy.length === 0) return { launchType: 'EC2' };
  if (schedulingStrategy === 'DAEMON') throw daemonCapacityProviders();
  return { capacityProviderStrategy: checkServiceStrategy(strategy, cluster) };
}

export function launchOfService(service: ServiceRecord): ServiceLaunch {
  const strategy = service.capacityProviderStrategy ?? [];
  if (service.launchType === undefined && strategy.length > 0) return { capacityProviderStrategy: strategy };
  return { launchType: (service.launchType ?? 'EC2') as 'EC2' | 'EXTERNAL' | 'FARGATE' };
}

const sameLaunch = (a: ServiceLaunch, b: ServiceLaunch) => JSON.stringify(a) === JSON.stringify(b);

/**
 * UpdateService's capacityProviderStrategy: a new strategy, or an empty list to go back from the
 * Fargate capacity providers to the FARGATE launch type. Either change needs forceNewDeployment.
 */
export function updatedLaunch(
  service: ServiceRecord,
  given: Wire<CapacityProviderStrategyItem>[] | undefined,
  forceNewDeployment: boolean,
  cluster: ClusterRecord,
): ServiceLaunch {
  const current = launchOfService(service);
  if (given === undefined) return current;
  if (given.length > 0 && service.schedulingStrategy === 'DAEMON') throw daemonCapacityProviders();
  const next: ServiceLaunch = given.length > 0 ? { capacityProviderStrategy: checkServiceStrategy(given, cluster) } : 'launchType' in current ? current : { launchType: 'FARGATE' };
  if (!sameLaunch(current, next) && !forceNewDeployment) {
    throw invalidParameter(
      'When switching from launch type to capacity provider strategy on an existing service, or making a change to a capacity provider strategy on a service that is already using one, you must force a new deployment.',
    );
  }
  return next;
}

export const launchChanged = (service: ServiceRecord, launch: ServiceLaunch) => !sameLaunch(launchOfService(service), launch);

const knownPlatformVersions = ['LATEST', '1.4.0', '1.3.0'];

/** Only Fargate has platform versions; LATEST is 1.4.0. */
export function checkPlatformVersion(platformVersion: string | undefined, launch: ServiceLaunch): string | undefined {
  if (platformVersion === undefined) return undefined;
  const kind = launchKindOf(launch);
  if (kind !== 'FARGATE') throw invalidParameter(`The platform version must be null when specifying an ${kind} launch type.`);
  if (!knownPlatformVersions.includes(platformVersion)) {
    throw modelled(PlatformUnknownException, `The specified platform version '${platformVersion}' does not exist; Berth offers ${knownPlatformVersions.join(', ')}.`);
  }
  return platformVersion;
}

/** What a new deployment of the service launches. */
export function launchConfigOf(
  taskDefinition: string,
  launch: ServiceLaunch,
  platformVersion: string | undefined,
  networkConfiguration: ServiceRecord['networkConfiguration'],
): LaunchConfig {
  return {
    taskDefinition,
    ...launch,
    ...(platformVersion !== undefined && platformVersion !== 'LATEST' ? { platformVersion } : {}),
    ...(networkConfiguration ? { networkConfiguration } : {}),
  };
}
