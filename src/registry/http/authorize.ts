/**
 * Authorizing a /v2/ request: the token's holder, as a principal, must be allowed the ECR action
 * the request is (actions.ts) on the repository it names, the repository's policy counting as its
 * resource policy. A denial is the registry's DENIED (403) with AWS's words.
 */
import type { Authorizer } from '../../core/authorize.js';
import type { Principal } from '../../core/principal.js';
import type { Store } from '../../store/types.js';
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

/**
 * A task's pull token names its execution role's session (arn:aws:sts::<account>:assumed-role/
 * <role>/<task id>), which drops the role's path: the role is looked up by name to find its ARN and
 * id, so that its policies decide the pull. A role gone since the token was issued allows nothing.
 */
export async function registryPrincipalIn(store: Store, identity: RegistryIdentity): Promise<Principal> {
  const principal = registryPrincipal(identity);
  const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/([^/]+)$/.exec(identity.principalArn);
  if (identity.accessKeyId !== undefined || identity.session !== undefined || !session) return principal;
  const [, accountId, roleName, sessionName] = session as unknown as [string, string, string, string];
  const role = await store.read((tx) => tx.iamEntities.get(accountId, 'role', roleName));
  principal.session = {
    type: 'AssumedRole',
    issuedAt: 0,
    expiresAt: 0,
    roleArn: role?.arn ?? `arn:aws:iam::${accountId}:role/${roleName}`,
    roleName,
    ...(role ? { roleId: role.id } : {}),
    sessionName,
    issuedTo: 'ecs-tasks.amazonaws.com',
  };
  if (role) principal.uniqueId = `${role.id}:${sessionName}`;
  return principal;
}

/** Refuses the request unless the token's holder may perform `action` on the repository of the registry `target` (another account's only through its repository policy). */
export async function authorizeRegistry(
  authorize: Authorizer,
  principal: Principal,
  region: string,
  target: RegistryScope,
  action: string,
  repositoryName: string | undefined,
  sourceIp: string | undefined,
): Promise<void> {
  const resource = repositoryArn(target.region, target.accountId, repositoryName ?? '*');
  const decision = await authorize(principal, action, resource, { region, rootOnly: false, ...(sourceIp !== undefined ? { sourceIp } : {}) });
  if (!decision.allowed) {
    throw new RegistryError('DENIED', decision.message ?? `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource}`, { reason: decision.reason });
  }
}
