/**
 * The policies SimulatePrincipalPolicy weighs for a principal, read back from the IAM API with
 * their documents, so `berth why-denied` can print a deciding statement's text and list what was
 * considered. One GetAccountAuthorizationDetails (paged) gives the user, its groups or the role with
 * every inline policy and the managed policies attached in the account; a managed policy it lacks
 * (an AWS managed policy used only as a boundary) is read with GetPolicy and GetPolicyVersion.
 */
import {
  GetAccountAuthorizationDetailsCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  type AttachedPolicy,
  type GetAccountAuthorizationDetailsResponse,
  type IAMClient,
  type PolicyDetail,
} from '@aws-sdk/client-iam';
import { Arn } from '../core/arn.js';

export interface KnownPolicy {
  /** How SimulatePrincipalPolicy names it: SourcePolicyId and SourcePolicyType. */
  id: string;
  type: 'user' | 'group' | 'role' | 'aws-managed' | 'user-managed';
  /** Where it applies from, in words: "inline policy of user ci", "attached to group builders", "permissions boundary". */
  where: string;
  arn?: string;
  /** The policy's text (a managed policy's default version), when it could be read. */
  document?: string;
}

export interface PrincipalPolicies {
  /** The user, group or role to simulate: an assumed-role session ARN becomes its role's ARN. */
  entityArn: string;
  policies: KnownPolicy[];
}

type Details = Required<Pick<GetAccountAuthorizationDetailsResponse, 'UserDetailList' | 'GroupDetailList' | 'RoleDetailList' | 'Policies'>>;

async function accountDetails(iam: IAMClient): Promise<Details> {
  const details: Details = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
  let marker: string | undefined;
  do {
    const page = await iam.send(new GetAccountAuthorizationDetailsCommand({ ...(marker ? { Marker: marker } : {}) }));
    details.UserDetailList.push(...(page.UserDetailList ?? []));
    details.GroupDetailList.push(...(page.GroupDetailList ?? []));
    details.RoleDetailList.push(...(page.RoleDetailList ?? []));
    details.Policies.push(...(page.Policies ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return details;
}

/** IAM answers documents URL-encoded. */
const decoded = (text: string | undefined) => (text === undefined ? undefined : decodeURIComponent(text));

const nameOfArn = (arn: string) => arn.split('/').at(-1) ?? arn;

/** The role a session ARN (arn:aws:sts::<account>:assumed-role/<role>/<session>) stands for, by name. */
export function sessionRoleName(text: string): string | undefined {
  const arn = Arn.parse(text);
  return arn?.service === 'sts' && arn.resourceType === 'assumed-role' && arn.resourcePath.length === 2 ? arn.resourcePath[0] : undefined;
}

export async function principalPolicies(iam: IAMClient, principalArn: string): Promise<PrincipalPolicies> {
  const details = await accountDetails(iam);
  const policies: KnownPolicy[] = [];
  const inline = (list: PolicyDetail[] | undefined, type: KnownPolicy['type'], holder: string) => {
    for (const policy of list ?? []) {
      const document = decoded(policy.PolicyDocument);
      policies.push({ id: policy.PolicyName ?? '', type, where: `inline policy of ${type} ${holder}`, ...(document !== undefined ? { document } : {}) });
    }
  };
  const managed = async (arn: string, where: string) => {
    const stored = details.Policies.find((policy) => policy.Arn === arn);
    let document = decoded(stored?.PolicyVersionList?.find((version) => version.IsDefaultVersion)?.Document);
    if (document === undefined) {
      const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
      const { PolicyVersion } = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: Policy?.DefaultVersionId ?? 'v1' }));
      document = decoded(PolicyVersion?.Document);
    }
    const type = arn.startsWith('arn:aws:iam::aws:') ? 'aws-managed' : 'user-managed';
    policies.push({ id: nameOfArn(arn), type, where, arn, ...(document !== undefined ? { document } : {}) });
  };
  const attached = async (list: AttachedPolicy[] | undefined, holder: string) => {
    for (const policy of list ?? []) if (policy.PolicyArn) await managed(policy.PolicyArn, `attached to ${holder}`);
  };

  const roleName = sessionRoleName(principalArn);
  const role = details.RoleDetailList.find((candidate) => (roleName !== undefined ? candidate.RoleName === roleName : candidate.Arn === principalArn));
  const user = details.UserDetailList.find((candidate) => candidate.Arn === principalArn);
  const group = details.GroupDetailList.find((candidate) => candidate.Arn === principalArn);
  if (user) {
    inline(user.UserPolicyList, 'user', user.UserName ?? '');
    await attached(user.AttachedManagedPolicies, `user ${user.UserName}`);
    for (const name of user.GroupList ?? []) {
      const member = details.GroupDetailList.find((candidate) => candidate.GroupName === name);
      inline(member?.GroupPolicyList, 'group', name);
      await attached(member?.AttachedManagedPolicies, `group ${name}`);
    }
    if (user.PermissionsBoundary?.PermissionsBoundaryArn) await managed(user.PermissionsBoundary.PermissionsBoundaryArn, `permissions boundary of user ${user.UserName}`);
    return { entityArn: principalArn, policies };
  }
  if (role) {
    inline(role.RolePolicyList, 'role', role.RoleName ?? '');
    await attached(role.AttachedManagedPolicies, `role ${role.RoleName}`);
    if (role.PermissionsBoundary?.PermissionsBoundaryArn) await managed(role.PermissionsBoundary.PermissionsBoundaryArn, `permissions boundary of role ${role.RoleName}`);
    return { entityArn: role.Arn ?? principalArn, policies };
  }
  if (group) {
    inline(group.GroupPolicyList, 'group', group.GroupName ?? '');
    await attached(group.AttachedManagedPolicies, `group ${group.GroupName}`);
  }
  return { entityArn: principalArn, policies };
}
