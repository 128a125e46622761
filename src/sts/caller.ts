/**
 * The caller of an STS operation as the policy evaluator sees it: who it is (root, an IAM user, a
 * role session), its tags, and the policies on its side of a decision: identity-based policies,
 * permissions boundary, and, for a role session, the session policies it was issued with.
 */
import { Arn } from '../core/arn.js';
import type { Principal } from '../core/principal.js';
import { parseAndCompile, type AttachedPolicy, type RequestPrincipal } from '../iam/policy/index.js';
import { identityPoliciesOf, permissionsBoundaryOf, type SourcedPolicy } from '../iam/principal-policies.js';
import { awsManagedPolicies } from '../iam/managed-policies/index.js';
import type { IamTag } from '../store/contract/iam.js';
import type { StoreTx } from '../store/types.js';

export interface CallerPolicies {
  principal: RequestPrincipal;
  identity: AttachedPolicy[];
  boundary?: AttachedPolicy;
  session: AttachedPolicy[];
}

/** A policy that allows and denies nothing (NotAction "*" covers no action). */
const allowsNothing = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"*","Resource":"*"}]}';

const tagsOf = (tags: readonly IamTag[] | undefined): Record<string, string> => Object.fromEntries((tags ?? []).map((tag) => [tag.Key, tag.Value]));

function attached(policy: SourcedPolicy): AttachedPolicy {
  const id = policy.source.kind === 'managed' ? policy.source.arn : policy.source.name;
  return { id, source: `${policy.holder.type}/${policy.holder.name}`, policy: parseAndCompile(policy.document, { kind: 'identity' }) };
}

/** The document of a managed session policy: AWS's, or a customer policy of `accountId` (its default version). */
export async function managedPolicyDocument(tx: StoreTx, accountId: string, arn: string): Promise<string | undefined> {
  const aws = awsManagedPolicies().get(arn);
  if (aws) return aws.document;
  const parsed = Arn.parse(arn);
  if (!parsed || parsed.service !== 'iam' || parsed.accountId !== accountId || parsed.resourceType !== 'policy') return undefined;
  const record = await tx.iamEntities.get(accountId, 'policy', parsed.resourcePath.at(-1) ?? '');
  if (!record || record.arn !== arn) return undefined;
  return record.versions.find((version) => version.versionId === record.defaultVersionId)?.document;
}

export async function callerPolicies(tx: StoreTx, caller: Principal): Promise<CallerPolicies> {
  const session = caller.session;
  if (caller.isRoot) return { principal: { kind: 'root', arn: caller.arn, accountId: caller.accountId, userId: caller.accountId }, identity: [], session: [] };
  const identity = (await identityPoliciesOf(tx, caller.arn)).map(attached);
  const boundarySource = await permissionsBoundaryOf(tx, caller.arn);
  const boundary = boundarySource ? attached(boundarySource) : undefined;
  const withBoundary = boundary ? { boundary } : {};
  const userId = caller.uniqueId !== undefined ? { userId: caller.uniqueId } : {};
  if (session?.type === 'AssumedRole' && session.roleName !== undefined) {
    const role = await tx.iamEntities.get(caller.accountId, 'role', session.roleName);
    // A role deleted (or replaced by another of the same name) since the session began grants nothing.
    const current = role !== undefined && role.id === session.roleId;
    const sessionPolicies: AttachedPolicy[] = [];
    if (session.sessionPolicy !== undefined) sessionPolicies.push({ id: 'session policy', policy: parseAndCompile(session.sessionPolicy, { kind: 'identity' }) });
    for (const arn of session.sessionPolicyArns ?? []) {
      const document = await managedPolicyDocument(tx, caller.accountId, arn);
      // A managed session policy deleted since allows nothing, yet still limits the session.
      sessionPolicies.push({ id: arn, policy: parseAndCompile(document ?? allowsNothing, { kind: 'identity' }) });
    }
    return {
      principal: {
        kind: 'assumed-role',
        arn: caller.arn,
        accountId: caller.accountId,
        ...userId,
        ...(session.roleArn !== undefined ? { entityArn: session.roleArn } : {}),
        tags: { ...tagsOf(role?.tags), ...session.tags },
      },
      identity: current ? identity : [],
      ...(current ? withBoundary : {}),
      session: sessionPolicies,
    };
  }
  const user = await tx.iamEntities.get(caller.accountId, 'user', caller.arn.split('/').at(-1) ?? '');
  return {
    principal: { kind: 'user', arn: caller.arn, accountId: caller.accountId, ...userId, username: user?.name ?? caller.arn.split('/').at(-1) ?? '', tags: tagsOf(user?.tags) },
    identity,
    ...withBoundary,
    session: [],
  };
}
