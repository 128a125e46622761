/**
 * Authorizing a /v2/ request: the token's holder, as a principal, must be allowed the ECR action
 * the request is (actions.ts) on the repository it names, the repository's policy counting as its
 * resource policy. A denial is the registry's DENIED (403) with AWS's words.
 */
import type { Authorizer } from '../../core/authorize.js';
import type { Principal } from '../../core/principal.js';
import { repositoryArn } from '../../authz/permissions/ecr.js';
import { RegistryError } from '../errors.js';
import type { RegistryScope } from '../repositories.js';
import type { RegistryIdentity } from '../tokens.js';

/**
 * The principal a token stands for. A token issued for a task's pulls names the task's execution
 * role (or root): the role's policies apply, as to a session of it.
 */
export function registryPrincipal(identity: RegistryIdentity): Principal {
  const principal: Principal = {
    accountId: identity.accountId,
    accessKeyId: identity.accessKeyId ?? '',
    arn: identity.principalArn,
    isRoot: identity.isRoot ?? false,
    ...(identity.uniqueId !== undefined ? { uniqueId: identity.uniqueId } : {}),
    ...(identity.session !== undefined ? { session: identity.session } : {}),
  };
  const role = /^arn:aws:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(identity.principalArn);
  if (identity.accessKeyId === undefined && role) {
    principal.session = { type: 'AssumedRole', issuedAt: 0, expiresAt: 0, roleArn: identity.principalArn, roleName: role[1]!, issuedTo: 'ecs-tasks.amazonaws.com' };
  }
  return principal;
}

/** Refuses the request unless the token's holder may perform `action` on the repository of the registry `target` (another account's only through its repository policy). */
export async function authorizeRegistry(
  authorize: Authorizer,
  identity: RegistryIdentity,
  target: RegistryScope,
  action: string,
  repositoryName: string | undefined,
  sourceIp: string | undefined,
): Promise<void> {
  const resource = repositoryArn(target.region, target.accountId, repositoryName ?? '*');
  const principal = registryPrincipal(identity);
  const decision = await authorize(principal, action, resource, { region: identity.region, rootOnly: false, ...(sourceIp !== undefined ? { sourceIp } : {}) });
  if (!decision.allowed) {
    throw new RegistryError('DENIED', decision.message ?? `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource}`, { reason: decision.reason });
  }
}
