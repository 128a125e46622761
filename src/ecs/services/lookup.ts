/** Finding services by the names ECS accepts (name, old or new ARN) and the errors ECS answers when they are absent or gone. */
import { ServiceNotActiveException, ServiceNotFoundException } from '@aws-sdk/client-ecs';
import { modelled, withHelp } from '../../core/errors.js';
import type { Scope } from '../../core/principal.js';
import type { ServiceRecord, StoreTx } from '../../store/types.js';
import { clusterNameOfArn, ecsArn, resolveChildArn } from '../names.js';

/** ServiceNotFoundException in ECS's words, with Berth's help: the service as given, and where to look for it. */
export function serviceNotFound(given: string, clusterArn: string): Error {
  const cluster = clusterNameOfArn(clusterArn);
  return withHelp(modelled(ServiceNotFoundException, 'Service not found.'), {
    resource: given,
    hint:
      `Cluster '${cluster}' has no such service; a service belongs to one cluster (--cluster). ` +
      `List its services: aws ecs list-services --cluster ${cluster}, or create it: aws ecs create-service --cluster ${cluster} --service-name <name> --task-definition <family>`,
  });
}
export const serviceNotActive = () => modelled(ServiceNotActiveException, 'Service was not ACTIVE.');

export const serviceArnOf = (scope: Scope, clusterArn: string, serviceName: string) =>
  ecsArn(scope, `service/${clusterNameOfArn(clusterArn)}/${serviceName}`);

/** The service's long ARN in the cluster, or undefined when `given` cannot name a service there. */
export const resolveServiceArn = (scope: Scope, clusterArn: string, given: string) => resolveChildArn(scope, clusterArn, given, 'service');

/** The service in any status (INACTIVE ones stay describable until purged). */
export async function findService(tx: StoreTx, scope: Scope, clusterArn: string, given: string): Promise<ServiceRecord | undefined> {
  const arn = resolveServiceArn(scope, clusterArn, given);
  return arn === undefined ? undefined : tx.services.get(arn);
}

export async function existingService(tx: StoreTx, scope: Scope, clusterArn: string, given: string): Promise<ServiceRecord> {
  const service = await findService(tx, scope, clusterArn, given);
  if (!service) throw serviceNotFound(given, clusterArn);
  return service;
}

/** The service, which must be ACTIVE: DRAINING and INACTIVE services cannot be changed. */
export async function activeService(tx: StoreTx, scope: Scope, clusterArn: string, given: string): Promise<ServiceRecord> {
  const service = await existingService(tx, scope, clusterArn, given);
  if (service.status !== 'ACTIVE') throw serviceNotActive();
  return service;
}
