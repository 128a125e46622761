/**
 * Request checks for CreateService and UpdateService that need nothing from the store. Where ECS's
 * own wording of an error is known it is used verbatim (the daemon and idempotency messages); the
 * rest name the field at fault.
 */
import {
  AvailabilityZoneRebalancing,
  UnsupportedFeatureException,
  type DeploymentConfiguration,
  type DeploymentController,
  type LoadBalancer,
  type ServiceRegistry,
} from '@aws-sdk/client-ecs';
import { Arn } from '../../core/arn.js';
import { modelled, withHelp } from '../../core/errors.js';
import type { Wire } from '../../core/wire.js';
import { spreadsOverZonesFirst, withDefaults } from './model.js';
import { checkEnum, checkMaxItems, checkRange, invalidParameter, requireString } from '../validate.js';

type SchedulingStrategy = 'REPLICA' | 'DAEMON';

export const notIdempotent = () => invalidParameter('Creation of service was not idempotent.');
export const stillDraining = () => invalidParameter('Unable to Start a service that is still Draining.');
export const daemonDesiredCount = () =>
  invalidParameter('The daemon scheduling strategy does not support a desired count for services. Remove the desired count value and try again');

const unsupported = (message: string) => modelled(UnsupportedFeatureException, message);

/** ECS's default tasks-per-service quota. */
export const maxDesiredCount = 5000;

export function checkDesiredCount(value: number | undefined, schedulingStrategy: SchedulingStrategy, required: boolean): number | undefined {
  if (schedulingStrategy === 'DAEMON') {
    if (value !== undefined) throw daemonDesiredCount();
    return undefined;
  }
  if (value === undefined) {
    if (required) throw invalidParameter('desiredCount is required for a service that uses the REPLICA scheduling strategy.');
    return undefined;
  }
  if (!Number.isInteger(value) || value < 0 || value > maxDesiredCount) {
    throw invalidParameter(`desiredCount must be a whole number from 0 to ${maxDesiredCount} (the Amazon ECS tasks-per-service quota); it is ${value}.`);
  }
  return value;
}

/** Up to 36 ASCII characters from 33 to 126, as ECS documents. */
export function checkClientToken(token: string | undefined): void {
  if (token !== undefined && !/^[\x21-\x7e]{1,36}$/.test(token)) {
    throw invalidParameter('clientToken must be 1 to 36 printable ASCII characters (codes 33 to 126).');
  }
}

export function checkDeploymentController(controller: Wire<DeploymentController> | undefined): void {
  const type = controller?.type;
  if (type === undefined || type === 'ECS') return;
  if (type === 'CODE_DEPLOY' || type === 'EXTERNAL') {
    throw invalidParameter(
      `deploymentController.type ${type} is not supported by Berth: only the rolling update (ECS) deployment controller is. Omit deploymentController or set its type to ECS.`,
    );
  }
  throw invalidParameter(`deploymentController.type must be one of ECS, CODE_DEPLOY, EXTERNAL; got '${type}'.`);
}

interface Unsupportable {
  serviceConnectConfiguration?: { enabled?: boolean };
  volumeConfigurations?: unknown[];
  vpcLatticeConfigurations?: unknown[];
  gatewayConnectors?: unknown[];
}

/** Features that need AWS infrastructure Berth does not have are refused rather than silently ignored. */
export function checkUnsupportedFeatures(input: Unsupportable): void {
  if (input.serviceConnectConfiguration?.enabled) throw unsupported('serviceConnectConfiguration: Service Connect is not supported by Berth.');
  if ((input.volumeConfigurations ?? []).length > 0) throw unsupported('volumeConfigurations: volumes configured at launch (Amazon EBS) are not supported by Berth.');
  if ((input.vpcLatticeConfigurations ?? []).length > 0) throw unsupported('vpcLatticeConfigurations: VPC Lattice is not supported by Berth.');
  if ((input.gatewayConnectors ?? []).length > 0) throw unsupported('gatewayConnectors: gateway connectors are not supported by Berth.');
}

/**
 * Settings whose shape Berth checks (against the task definition too) but does not act on yet:
 * refused once the input is otherwise valid, so the caller learns of a mistake in them first, and
 * never stored as if they worked.
 */
export function refuseUnservedSettings(settings: {
  serviceRegistries: readonly unknown[];
  enableExecuteCommand?: boolean | undefined;
}): void {
  if (settings.serviceRegistries.length > 0) {
    throw withHelp(unsupported('serviceRegistries: AWS Cloud Map service discovery is not supported by Berth yet.'), {
      field: 'serviceRegistries',
      hint: 'Leave serviceRegistries out; list the tasks and their addresses with ListTasks and DescribeTasks.',
    });
  }
  if (settings.enableExecuteCommand === true) {
    throw withHelp(unsupported('enableExecuteCommand: ECS Exec is not supported by Berth yet.'), {
      field: 'enableExecuteCommand',
      hint: "Leave enableExecuteCommand out (or false); use docker exec on the container's host.",
    });
  }
}

/**
 * deploymentConfiguration.alarms: the CloudWatch alarms (names, in the service's account and
 * region) that fail a deployment when one is in ALARM, and whether that rolls it back.
 */
function checkDeploymentAlarms(alarms: NonNullable<Wire<DeploymentConfiguration>['alarms']>): void {
  if (!Array.isArray(alarms.alarmNames)) throw invalidParameter('deploymentConfiguration.alarms.alarmNames is required.');
  if (typeof alarms.enable !== 'boolean') throw invalidParameter('deploymentConfiguration.alarms.enable is required.');
  if (typeof alarms.rollback !== 'boolean') throw invalidParameter('deploymentConfiguration.alarms.rollback is required.');
  if (alarms.enable && alarms.alarmNames.length === 0) {
    throw invalidParameter('deploymentConfiguration.alarms.alarmNames must name at least one CloudWatch alarm when alarms are enabled.');
  }
  for (const name of alarms.alarmNames) {
    if (typeof name !== 'string' || name.length < 1 || name.length > 255) throw invalidParameter(`deploymentConfiguration.alarms.alarmNames: ${String(name)} is not an alarm name (1 to 255 characters).`);
  }
}

/**
 * The deployment configuration with ECS's defaults filled in (REPLICA 100/200, DAEMON 0/100), after
 * checking the bounds a rolling update needs: a floor of 0–100%, a ceiling that lets a replica
 * service run all its tasks (≥ 100%) and a daemon service no more than one per instance (≤ 100%),
 * and a floor below the ceiling so a deployment can always make a step.
 */
export function checkDeploymentConfiguration(
  given: Wire<DeploymentConfiguration> | undefined,
  schedulingStrategy: SchedulingStrategy,
): Wire<DeploymentConfiguration> {
  if (given?.strategy !== undefined && given.strategy !== 'ROLLING') {
    throw unsupported(`deploymentConfiguration.strategy ${given.strategy} is not supported by Berth; only ROLLING deployments are.`);
  }
  if ((given?.lifecycleHooks ?? []).length > 0) throw unsupported('deploymentConfiguration.lifecycleHooks are not supported by Berth.');
  if (given?.linearConfiguration || given?.canaryConfiguration) {
    throw unsupported('deploymentConfiguration.linearConfiguration and canaryConfiguration need the LINEAR or CANARY strategy, which Berth does not support.');
  }
  if (given?.alarms !== undefined) checkDeploymentAlarms(given.alarms);
  checkRange(given?.minimumHealthyPercent, 'deploymentConfiguration.minimumHealthyPercent', 0, 100);
  checkRange(given?.maximumPercent, 'deploymentConfiguration.maximumPercent', 0, 2147483647);
  const config = withDefaults(given, schedulingStrategy);
  const minimum = config.minimumHealthyPercent!;
  const maximum = config.maximumPercent!;
  if (schedulingStrategy === 'DAEMON' && maximum > 100) {
    throw invalidParameter(
      'The daemon scheduling strategy does not support values above 100 for maximumPercent on a deployment configuration. Change the maximumPercent value to 100, and try again',
    );
  }
  if (schedulingStrategy === 'REPLICA' && maximum < 100) {
    throw invalidParameter(`deploymentConfiguration.maximumPercent must be at least 100 for a REPLICA service; it is ${maximum}.`);
  }
  if (minimum >= maximum) {
    throw invalidParameter(
      `deploymentConfiguration.minimumHealthyPercent (${minimum}) must be less than deploymentConfiguration.maximumPercent (${maximum}), or no deployment could start or stop a task.`,
    );
  }
  return config;
}

/** Daemon services cannot rebalance across Availability Zones: they run one task on every instance. */
export function checkRebalancing(given: string | undefined, schedulingStrategy: SchedulingStrategy): 'ENABLED' | 'DISABLED' | undefined {
  const value = checkEnum(given, 'availabilityZoneRebalancing', AvailabilityZoneRebalancing);
  if (value === 'ENABLED' && schedulingStrategy === 'DAEMON') {
    throw invalidParameter('availabilityZoneRebalancing ENABLED is not supported for services that use the DAEMON scheduling strategy.');
  }
  return value;
}

/**
 * ECS enables rebalancing for a new replica service that it can rebalance: one whose deployments
 * may start extra tasks (maximumPercent above 100) and whose placement spreads it over
 * Availability Zones first (the default), not one that binpacks, say.
 */
export function defaultRebalancing(
  schedulingStrategy: SchedulingStrategy,
  config: Wire<DeploymentConfiguration>,
  placementStrategy: readonly { type?: string; field?: string }[] | undefined,
): 'ENABLED' | 'DISABLED' {
  const spreadsOverZones = placementStrategy === undefined || placementStrategy.length === 0 || spreadsOverZonesFirst(placementStrategy);
  return schedulingStrategy === 'REPLICA' && (config.maximumPercent ?? 200) > 100 && spreadsOverZones ? 'ENABLED' : 'DISABLED';
}

/** Each entry names a target group (ALB/NLB) or a Classic Load Balancer, and the container and port traffic goes to. */
export function checkLoadBalancers(loadBalancers: Wire<LoadBalancer>[] | undefined): Wire<LoadBalancer>[] {
  const list = loadBalancers ?? [];
  checkMaxItems(list, 'loadBalancers', 5);
  return list.map((loadBalancer, index) => {
    const field = `loadBalancers[${index}]`;
    const { targetGroupArn, loadBalancerName } = loadBalancer;
    if (targetGroupArn !== undefined && loadBalancerName !== undefined) {
      throw invalidParameter(`${field}: give either targetGroupArn (Application or Network Load Balancer) or loadBalancerName (Classic Load Balancer), not both.`);
    }
    if (targetGroupArn === undefined && loadBalancerName === undefined) {
      throw invalidParameter(`${field} needs a targetGroupArn (Application or Network Load Balancer) or a loadBalancerName (Classic Load Balancer).`);
    }
    if (targetGroupArn !== undefined) {
      const arn = Arn.parse(targetGroupArn);
      if (!arn || arn.service !== 'elasticloadbalancing' || arn.resourceType !== 'targetgroup') {
        throw invalidParameter(`${field}.targetGroupArn '${targetGroupArn}' is not an Elastic Load Balancing target group ARN.`);
      }
    }
    if (loadBalancerName !== undefined) checkNameLength(loadBalancerName, `${field}.loadBalancerName`);
    requireString(loadBalancer.containerName, `${field}.containerName`);
    if (loadBalancer.containerPort === undefined) throw invalidParameter(`${field}.containerPort can not be null.`);
    checkRange(loadBalancer.containerPort, `${field}.containerPort`, 1, 65535);
    return loadBalancer;
  });
}

function checkNameLength(value: string, field: string): void {
  if (value.length < 1 || value.length > 32) throw invalidParameter(`${field} must be 1 to 32 characters long.`);
}

/** A service has at most one service discovery registry (AWS Cloud Map service). */
export function checkServiceRegistries(registries: Wire<ServiceRegistry>[] | undefined): Wire<ServiceRegistry>[] {
  const list = registries ?? [];
  if (list.length > 1) throw invalidParameter(`serviceRegistries: a service can be associated with one service registry; got ${list.length}.`);
  return list.map((registry, index) => {
    const field = `serviceRegistries[${index}]`;
    const text = requireString(registry.registryArn, `${field}.registryArn`);
    const arn = Arn.parse(text);
    if (!arn || arn.service !== 'servicediscovery' || arn.resourceType !== 'service') {
      throw invalidParameter(`${field}.registryArn '${text}' is not an AWS Cloud Map service ARN.`);
    }
    checkRange(registry.port, `${field}.port`, 1, 65535);
    checkRange(registry.containerPort, `${field}.containerPort`, 1, 65535);
    return registry;
  });
}
