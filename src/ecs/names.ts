/**
 * ECS resource identities. Every resource is addressed by ARN (long ARN format) and, where ECS
 * allows, by short name; both resolve to the same ARN within the caller's account and region.
 */
import { Arn } from '../core/arn.js';
import type { Scope } from '../core/principal.js';

export const defaultClusterName = 'default';

export const ecsArn = (scope: Scope, resource: string) => new Arn('ecs', scope.region, scope.accountId, resource).toString();
export const clusterArnOf = (scope: Scope, name: string) => ecsArn(scope, `cluster/${name}`);
export const taskDefinitionArnOf = (scope: Scope, family: string, revision: number) =>
  ecsArn(scope, `task-definition/${family}:${revision}`);

/** Parses an ECS ARN of the caller's own account and region and of the given resource type. */
export function ownEcsArn(scope: Scope, text: string, resourceType: string): Arn | undefined {
  const arn = Arn.parse(text);
  if (!arn || arn.service !== 'ecs' || arn.resourceType !== resourceType) return undefined;
  if (arn.accountId !== scope.accountId || arn.region !== scope.region) return undefined;
  return arn;
}

/** "dev", "arn:aws:ecs:…:cluster/dev" or nothing (the default cluster) → the cluster's ARN. Unknown forms yield undefined. */
export function resolveClusterArn(scope: Scope, cluster: string | undefined): string | undefined {
  const given = cluster ?? defaultClusterName;
  if (given.startsWith('arn:')) {
    const arn = ownEcsArn(scope, given, 'cluster');
    return arn && arn.resourcePath.length === 1 ? arn.toString() : undefined;
  }
  return clusterArnOf(scope, given);
}

export function clusterNameOfArn(clusterArn: string): string {
  return clusterArn.slice(clusterArn.indexOf(':cluster/') + ':cluster/'.length);
}

/** A task, container instance or service given by id/name or ARN (old or new format) → its long ARN in the cluster. */
export function resolveChildArn(
  scope: Scope,
  clusterArn: string,
  given: string,
  resourceType: 'task' | 'container-instance' | 'service',
): string | undefined {
  const clusterName = clusterNameOfArn(clusterArn);
  if (given.startsWith('arn:')) {
    const arn = ownEcsArn(scope, given, resourceType);
    if (!arn) return undefined;
    const path = arn.resourcePath;
    const id = path[path.length - 1];
    if (!id || (path.length === 2 && path[0] !== clusterName) || path.length > 2) return undefined;
    return ecsArn(scope, `${resourceType}/${clusterName}/${id}`);
  }
  if (!/^[a-zA-Z0-9_-]{1,255}$/.test(given)) return undefined;
  return ecsArn(scope, `${resourceType}/${clusterName}/${given}`);
}

export interface TaskDefinitionRef {
  family: string;
  revision?: number;
}

/** "web", "web:3" or a task definition ARN → family and optional revision. */
export function parseTaskDefinitionRef(scope: Scope, given: string): TaskDefinitionRef | undefined {
  let text = given;
  if (given.startsWith('arn:')) {
    const arn = ownEcsArn(scope, given, 'task-definition');
    if (!arn || arn.resourcePath.length !== 1) return undefined;
    text = arn.resourcePath[0] as string;
    if (!text.includes(':')) return undefined;
  }
  const match = /^([a-zA-Z0-9_-]{1,255})(?::(\d+))?$/.exec(text);
  if (!match) return undefined;
  const revision = match[2] === undefined ? undefined : Number(match[2]);
  if (revision !== undefined && (revision < 1 || !Number.isSafeInteger(revision))) return undefined;
  return { family: match[1] as string, ...(revision !== undefined ? { revision } : {}) };
}
