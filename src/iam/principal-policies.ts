/**
 * The identity-based policies that apply to a principal, as policy evaluation needs them: for an
 * IAM user its inline policies, its attached managed policies (their default version) and those
 * of every group it belongs to; for a role (or a session of one, `assumed-role/<role>/<session>`)
 * its inline and attached policies. Each document comes with where it came from, so a decision
 * can name the policy (and, with the evaluator, the statement) that made it.
 *
 * `permissionsBoundaryOf` answers the user's or role's permissions boundary, if it has one.
 *
 * The root user and unknown principals have none: root is allowed everything by rule, and a
 * principal that no longer exists is allowed nothing.
 */
import { Arn } from '../core/arn.js';
import type { IamGroup, IamRole, IamUser } from '../store/contract/iam.js';
import type { StoreTx } from '../store/types.js';
import { awsManagedPolicies } from './managed-policies/index.js';

export interface SourcedPolicy {
  /** Where it is attached: `user`, `group` or `role`, and that entity's name. */
  holder: { type: 'user' | 'group' | 'role'; name: string };
  /** `inline` with its name, or `managed` with its ARN and the version in force. */
  source: { kind: 'inline'; name: string } | { kind: 'managed'; arn: string; versionId: string };
  document: string;
}

/** The user or role an ARN names: `user/<path>name`, `role/<path>name`, `assumed-role/<role>/<session>` (STS). */
function principalOf(arn: string): { accountId: string; type: 'user' | 'role'; name: string } | undefined {
  const parsed = Arn.parse(arn);
  if (!parsed || (parsed.service !== 'iam' && parsed.service !== 'sts')) return undefined;
  const [type, ...rest] = parsed.resource.split('/');
  if (type === 'user' || type === 'role') return { accountId: parsed.accountId, type, name: rest.at(-1) ?? '' };
  if (type === 'assumed-role' && rest.length >= 2) return { accountId: parsed.accountId, type: 'role', name: rest[0] as string };
  return undefined;
}

export async function managedDocument(tx: StoreTx, accountId: string, arn: string): Promise<{ versionId: string; document: string } | undefined> {
  const aws = awsManagedPolicies().get(arn);
  if (aws) return { versionId: aws.defaultVersionId, document: aws.document };
  const name = arn.split('/').at(-1) ?? '';
  const policy = await tx.iamEntities.get(accountId, 'policy', name);
  if (!policy || policy.arn !== arn) return undefined;
  const version = policy.versions.find((candidate) => candidate.versionId === policy.defaultVersionId);
  return version && { versionId: version.versionId, document: version.document };
}

/** The inline and attached managed policies of one user, group or role (not a user's groups'). */
export async function policiesOfHolder(tx: StoreTx, holder: IamUser | IamGroup | IamRole): Promise<SourcedPolicy[]> {
  const at = { type: holder.type, name: holder.name };
  const policies: SourcedPolicy[] = Object.entries(holder.inlinePolicies).map(([name, document]) => ({ holder: at, source: { kind: 'inline', name }, document }));
  for (const arn of holder.attachedPolicies) {
    const managed = await managedDocument(tx, holder.accountId, arn);
    if (managed) policies.push({ holder: at, source: { kind: 'managed', arn, versionId: managed.versionId }, document: managed.document });
  }
  return policies;
}

/** Every identity-based policy that applies to `principalArn`, in the order: own inline, own managed, then each group's. */
export async function identityPoliciesOf(tx: StoreTx, principalArn: string): Promise<SourcedPolicy[]> {
  const principal = principalOf(principalArn);
  if (!principal) return [];
  if (principal.type === 'role') {
    const role = await tx.iamEntities.get(principal.accountId, 'role', principal.name);
    return role ? policiesOfHolder(tx, role) : [];
  }
  const user = await tx.iamEntities.get(principal.accountId, 'user', principal.name);
  if (!user || user.arn !== principalArn) return [];
  const policies = await policiesOfHolder(tx, user);
  const lower = user.name.toLowerCase();
  for (const group of await tx.iamEntities.list(principal.accountId, 'group')) {
    if (group.members.some((member) => member.toLowerCase() === lower)) policies.push(...(await policiesOfHolder(tx, group)));
  }
  return policies;
}

/** The permissions boundary of the user or role `principalArn` names (its default version), if it has one. */
export async function permissionsBoundaryOf(tx: StoreTx, principalArn: string): Promise<SourcedPolicy | undefined> {
  const principal = principalOf(principalArn);
  if (!principal) return undefined;
  const holder = await tx.iamEntities.get(principal.accountId, principal.type, principal.name);
  if (!holder || (principal.type === 'user' && holder.arn !== principalArn) || holder.permissionsBoundary === undefined) return undefined;
  const managed = await managedDocument(tx, principal.accountId, holder.permissionsBoundary);
  return managed && { holder: { type: principal.type, name: holder.name }, source: { kind: 'managed', arn: holder.permissionsBoundary, versionId: managed.versionId }, document: managed.document };
}
