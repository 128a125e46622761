/**
 * The task execution role doing the agent's work for a task, as in ECS: the control plane assumes
 * it as ecs-tasks.amazonaws.com (session name: the task id) and reads a container's `secrets` and
 * `repositoryCredentials` only where the role's identity-based policies (within its permissions
 * boundary) allow secretsmanager:GetSecretValue on the secret. A denial is worded as the
 * AccessDeniedException Secrets Manager answers that session.
 */
import { accessDeniedMessage, evaluate, parseAndCompile, type AttachedPolicy, type RequestContext } from '../../iam/policy/index.js';
import { identityPoliciesOf, permissionsBoundaryOf, type SourcedPolicy } from '../../iam/principal-policies.js';
import { assumedRoleArn } from '../../sts/session-credentials.js';
import type { IamRole } from '../../store/contract/iam.js';
import type { StoreTx } from '../../store/types.js';
import { assumableByEcsTasks } from './assume.js';
import { taskIdOf } from './task-role-credentials.js';

/**
 * Answers undefined when the session may read the secret (secretsmanager:GetSecretValue) or, with
 * `action` ssm:GetParameters, the parameter; else the AccessDeniedException as the service words it.
 */
export type SecretReadCheck = (resourceArn: string, action?: 'secretsmanager:GetSecretValue' | 'ssm:GetParameters') => string | undefined;

function attached(policies: readonly SourcedPolicy[]): AttachedPolicy[] {
  return policies.flatMap((sourced) => {
    try {
      const id = sourced.source.kind === 'managed' ? sourced.source.arn : sourced.source.name;
      return [{ id, source: `${sourced.holder.type}/${sourced.holder.name}`, policy: parseAndCompile(sourced.document, { kind: 'identity' }) }];
    } catch {
      // IAM refuses malformed documents when they are stored; one that slipped in allows nothing.
      return [];
    }
  });
}

/**
 * The check for a task's execution role, or ECS's reason when the role cannot be assumed. Reads the
 * role's policies once; the check itself is pure.
 */
export async function executionRoleCheck(tx: StoreTx, taskArn: string, roleArn: string, now: Date): Promise<{ check: SecretReadCheck; role: IamRole; sessionArn: string } | { error: string }> {
  const assumable = await assumableByEcsTasks(tx, roleArn, now);
  if ('error' in assumable) return assumable;
  const { role } = assumable;
  const sessionName = taskIdOf(taskArn);
  const sessionArn = assumedRoleArn(role, sessionName);
  const identity = attached(await identityPoliciesOf(tx, sessionArn));
  const boundarySource = await permissionsBoundaryOf(tx, sessionArn);
  const boundary = boundarySource ? attached([boundarySource])[0] : undefined;
  const check: SecretReadCheck = (resourceArn, action = 'secretsmanager:GetSecretValue') => {
    const request: RequestContext = {
      principal: { kind: 'assumed-role', arn: sessionArn, accountId: role.accountId, userId: `${role.id}:${sessionName}`, entityArn: role.arn, tags: Object.fromEntries(role.tags.map((tag) => [tag.Key, tag.Value])) },
      action,
      resource: resourceArn,
      now,
    };
    const evaluation = evaluate(request, { identity, ...(boundary ? { boundary } : {}) });
    return evaluation.allowed ? undefined : `AccessDeniedException: ${accessDeniedMessage(request, evaluation)}`;
  };
  return { check, role, sessionArn };
}
