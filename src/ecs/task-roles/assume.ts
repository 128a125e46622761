/**
 * ECS assuming a task's roles (its task role and its execution role) as the service principal
 * `ecs-tasks.amazonaws.com`: the role must exist and its trust policy must allow that principal
 * sts:AssumeRole, as AWS checks it (the evaluator, with the trust policy as a resource policy that
 * must allow on its own). Anything else answers ECS's words for a role it cannot assume.
 */
import { Arn } from '../../core/arn.js';
import { evaluate, parseAndCompile } from '../../iam/policy/index.js';
import type { IamRole } from '../../store/contract/iam.js';
import type { StoreTx } from '../../store/types.js';

export const ecsTasksPrincipal = 'ecs-tasks.amazonaws.com';

/** ECS's reason when it cannot assume a role handed to a task (RunTask, service events). */
export function unableToAssumeRole(roleArn: string): string {
  return (
    `ECS was unable to assume the role '${roleArn}' that was provided for this task. Please verify that the role being passed ` +
    'has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.'
  );
}

/** The role an ARN names, when it exists with exactly that ARN (its path included). */
export async function roleOf(tx: StoreTx, roleArn: string): Promise<IamRole | undefined> {
  const arn = Arn.parse(roleArn);
  if (!arn || arn.service !== 'iam' || !arn.resource.startsWith('role/')) return undefined;
  const name = arn.resource.split('/').at(-1) ?? '';
  const role = await tx.iamEntities.get(arn.accountId, 'role', name);
  return role && role.arn === roleArn ? role : undefined;
}

/** Whether the role's trust policy lets `service` assume it. A trust policy that does not parse allows nothing. */
export function trustsService(role: IamRole, service: string, now: Date): boolean {
  let policy;
  try {
    policy = parseAndCompile(role.assumeRolePolicyDocument, { kind: 'trust' });
  } catch {
    return false;
  }
  const evaluation = evaluate(
    { principal: { kind: 'service', arn: service, accountId: '' }, action: 'sts:AssumeRole', resource: role.arn, resourceAccountId: role.accountId, now },
    { resource: { id: 'trust policy', source: role.arn, policy }, resourcePolicyRequired: true },
  );
  return evaluation.allowed;
}

/** The role, when ECS may assume it for a task; else ECS's reason. */
export async function assumableByEcsTasks(tx: StoreTx, roleArn: string, now: Date): Promise<{ role: IamRole } | { error: string }> {
  const role = await roleOf(tx, roleArn);
  if (!role || !trustsService(role, ecsTasksPrincipal, now)) return { error: unableToAssumeRole(roleArn) };
  return { role };
}
