/**
 * Checks of a service against the task definition it runs and where it runs it: launch-type
 * compatibility and network configuration (shared with RunTask), load balancer and service registry
 * containers and ports, placement, and the load balancer role.
 */
import type { LoadBalancer, NetworkConfiguration, PlacementConstraint, PlacementStrategy, ServiceRegistry } from '@aws-sdk/client-ecs';
import type { Scope } from '../../core/principal.js';
import type { Wire } from '../../core/wire.js';
import { validatePlacementRequest } from '../../placement/index.js';
import type { PlacementRequest } from '../../placement/types.js';
import { zoneField } from './model.js';
import type { TaskDefinitionRecord } from '../../store/types.js';
import { checkCompatible, checkNetwork } from '../tasks/run.js';
import { checkMaxItems, invalidParameter } from '../validate.js';
import { launchKindOf, type ServiceLaunch } from './launch.js';

/** What ECS applies to a replica service on EC2 or EXTERNAL instances when none is given: spread over zones, then instances. */
export const defaultPlacementStrategy = (): Wire<PlacementStrategy>[] => [
  { type: 'spread', field: zoneField },
  { type: 'spread', field: 'instanceId' },
];

export interface RunsOn {
  launch: ServiceLaunch;
  networkConfiguration?: Wire<NetworkConfiguration>;
  loadBalancers: Wire<LoadBalancer>[];
  serviceRegistries: Wire<ServiceRegistry>[];
}

export function checkAgainstDefinition(spec: RunsOn, definition: TaskDefinitionRecord): void {
  checkCompatible(definition, launchKindOf(spec.launch));
  checkNetwork(definition, spec);
  spec.loadBalancers.forEach((loadBalancer, index) => {
    checkContainerPort(definition, loadBalancer.containerName!, loadBalancer.containerPort!, `loadBalancers[${index}]`);
  });
  spec.serviceRegistries.forEach((registry, index) => {
    if (registry.containerName !== undefined) {
      checkContainerPort(definition, registry.containerName, registry.containerPort, `serviceRegistries[${index}]`);
    } else if (registry.containerPort !== undefined) {
      throw invalidParameter(`serviceRegistries[${index}].containerName is required with containerPort.`);
    }
  });
}

function checkContainerPort(definition: TaskDefinitionRecord, containerName: string, containerPort: number | undefined, field: string): void {
  const container = (definition.containerDefinitions ?? []).find((candidate) => candidate.name === containerName);
  if (!container) throw invalidParameter(`The container ${containerName} does not exist in the task definition. (${field}.containerName)`);
  if (containerPort === undefined) return;
  if (!(container.portMappings ?? []).some((mapping) => mapping.containerPort === containerPort)) {
    throw invalidParameter(`The container ${containerName} did not have a container port ${containerPort} defined. (${field}.containerPort)`);
  }
}

/** Checks a request's placement constraints and strategies; task-definition constraints count towards the limit of 10. */
export function checkPlacement(
  constraints: Wire<PlacementConstraint>[] | undefined,
  strategies: Wire<PlacementStrategy>[] | undefined,
  definition: TaskDefinitionRecord,
  on: { schedulingStrategy: 'REPLICA' | 'DAEMON'; launch: ServiceLaunch },
): void {
  const fargate = launchKindOf(on.launch) === 'FARGATE';
  if (constraints !== undefined) {
    const inDefinition = (definition.placementConstraints ?? []).length;
    if (constraints.length + inDefinition > 10) {
      throw invalidParameter(
        `placementConstraints: a task can have at most 10 placement constraints, counting the ${inDefinition} of its task definition; this service would give it ${constraints.length + inDefinition}.`,
      );
    }
    if (fargate && constraints.length > 0) throw invalidParameter('Placement constraints are not supported with FARGATE launch type.');
    const problem = validatePlacementRequest(placementProbe(definition, { constraints: constraints.map(toConstraint) }));
    if (problem) throw invalidParameter(`placementConstraints: ${problem}`);
  }
  if (strategies !== undefined) {
    checkMaxItems(strategies, 'placementStrategy', 5);
    if (on.schedulingStrategy === 'DAEMON' && strategies.length > 0) {
      throw invalidParameter('The daemon scheduling strategy does not support placement strategies. Remove the placement strategy and try again');
    }
    if (fargate && strategies.length > 0) throw invalidParameter('Placement strategies are not supported with FARGATE launch type.');
    const problem = validatePlacementRequest(placementProbe(definition, { strategies: strategies.map(toStrategy) }));
    if (problem) throw invalidParameter(`placementStrategy: ${problem}`);
  }
}

const toConstraint = (constraint: Wire<PlacementConstraint>) => ({
  type: constraint.type as PlacementRequest['constraints'][number]['type'],
  ...(constraint.expression !== undefined ? { expression: constraint.expression } : {}),
});

const toStrategy = (strategy: Wire<PlacementStrategy>) => ({
  type: strategy.type as PlacementRequest['strategies'][number]['type'],
  ...(strategy.field !== undefined ? { field: strategy.field } : {}),
});

/** A request that places nothing, only so the placement engine checks the constraints or strategies as it would for real. */
function placementProbe(definition: TaskDefinitionRecord, part: Partial<Pick<PlacementRequest, 'constraints' | 'strategies'>>): PlacementRequest {
  return {
    count: 0,
    launchType: 'EC2',
    group: 'service:probe',
    family: definition.family,
    cpu: 0,
    memory: 0,
    gpus: 0,
    hostPorts: [],
    requiredAttributes: [],
    constraints: part.constraints ?? [],
    strategies: part.strategies ?? [],
  };
}

/**
 * The IAM role ECS uses to call a Classic or target-group load balancer; only for services with load
 * balancers whose tasks do not use awsvpc (those use the service-linked role).
 */
export function checkRole(role: string | undefined, scope: Scope, loadBalancers: Wire<LoadBalancer>[], definition: TaskDefinitionRecord): string | undefined {
  if (role === undefined) return undefined;
  if (loadBalancers.length === 0) {
    throw invalidParameter('role can only be specified together with loadBalancers: it is the IAM role Amazon ECS uses to call your load balancer.');
  }
  if (definition.networkMode === 'awsvpc') throw invalidParameter('You cannot specify an IAM role for services that require a service linked role.');
  if (role.startsWith('arn:')) {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(role)) throw invalidParameter(`role '${role}' is not an IAM role name or role ARN.`);
    return role;
  }
  return `arn:aws:iam::${scope.accountId}:role/${role.replace(/^\//, '')}`;
}
