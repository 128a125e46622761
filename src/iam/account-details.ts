/**
 * GetAccountAuthorizationDetails: every user, group, role and managed policy of the account with
 * the policies each carries, in one paged answer (the AWS managed policies listed are those
 * attached in the account, as IAM lists them). This is also what policy evaluation will read.
 */
import type {
  GetAccountAuthorizationDetailsRequest,
  GetAccountAuthorizationDetailsResponse,
  GroupDetail,
  ManagedPolicyDetail,
  RoleDetail,
  UserDetail,
} from '@aws-sdk/client-iam';
import type { RequestContext } from '../core/request-context.js';
import type { IamGroup, IamRole, IamUser } from '../store/contract/iam.js';
import type { IamDeps } from './deps.js';
import { attachmentCount, holdersIn } from './entities.js';
import { constraintError } from './errors.js';
import { parsePolicyArn } from './ids.js';
import { awsManagedPolicies } from './managed-policies/index.js';
import { pageOf } from './pagination.js';
import { encodedDocument } from './policy-document.js';
import { dateOf, presentAwsPolicy, presentCustomerPolicy, presentInstanceProfile, presentRole, presentUser } from './present.js';

const filters = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] as const;
type Filter = (typeof filters)[number];

const inlineList = (policies: Record<string, string>) => Object.entries(policies).map(([PolicyName, document]) => ({ PolicyName, PolicyDocument: encodedDocument(document) }));
const attachedList = (arns: readonly string[]) => arns.map((arn) => ({ PolicyName: parsePolicyArn(arn)?.name ?? arn, PolicyArn: arn }));

type Entry = { kind: 'user'; detail: UserDetail } | { kind: 'group'; detail: GroupDetail } | { kind: 'role'; detail: RoleDetail } | { kind: 'policy'; detail: ManagedPolicyDetail };

export function accountDetailOperations({ store }: IamDeps) {
  return {
    async GetAccountAuthorizationDetails(input: GetAccountAuthorizationDetailsRequest, ctx: RequestContext): Promise<GetAccountAuthorizationDetailsResponse> {
      for (const filter of input.Filter ?? []) {
        if (!(filters as readonly string[]).includes(filter)) throw constraintError('filter', filter, `Member must satisfy enum value set: [${filters.join(', ')}]`);
      }
      const wanted = (filter: Filter) => !input.Filter || input.Filter.length === 0 || input.Filter.includes(filter);
      const accountId = ctx.principal.accountId;
      const entries: Entry[] = await store.read(async (tx) => {
        const holders = await holdersIn(tx, accountId);
        const profiles = await tx.iamEntities.list(accountId, 'instanceProfile');
        const groupsOf = (user: IamUser) => holders.groups.filter((group) => group.members.some((member) => member.toLowerCase() === user.name.toLowerCase())).map((group) => group.name);
        const entries: Entry[] = [];
        if (wanted('User')) {
          for (const user of holders.users) {
            entries.push({
              kind: 'user',
              detail: {
                Path: user.path, UserName: user.name, UserId: user.id, Arn: user.arn, CreateDate: dateOf(user.createdAt),
                UserPolicyList: inlineList(user.inlinePolicies), GroupList: groupsOf(user), AttachedManagedPolicies: attachedList(user.attachedPolicies), Tags: user.tags,
                ...(presentUser(user).PermissionsBoundary ? { PermissionsBoundary: presentUser(user).PermissionsBoundary } : {}),
              },
            });
          }
        }
        if (wanted('Group')) {
          for (const group of holders.groups as IamGroup[]) {
            entries.push({
              kind: 'group',
              detail: {
                Path: group.path, GroupName: group.name, GroupId: group.id, Arn: group.arn, CreateDate: dateOf(group.createdAt),
                GroupPolicyList: inlineList(group.inlinePolicies), AttachedManagedPolicies: attachedList(group.attachedPolicies),
              },
            });
          }
        }
        if (wanted('Role')) {
          for (const role of holders.roles as IamRole[]) {
            const held = profiles.filter((profile) => profile.roles.some((name) => name.toLowerCase() === role.name.toLowerCase()));
            const presented = presentRole(role);
            entries.push({
              kind: 'role',
              detail: {
                Path: presented.Path, RoleName: presented.RoleName, RoleId: presented.RoleId, Arn: presented.Arn, CreateDate: presented.CreateDate,
                AssumeRolePolicyDocument: presented.AssumeRolePolicyDocument,
                InstanceProfileList: held.map((profile) => presentInstanceProfile(profile, [role])),
                RolePolicyList: inlineList(role.inlinePolicies), AttachedManagedPolicies: attachedList(role.attachedPolicies), Tags: role.tags, RoleLastUsed: {},
                ...(presented.PermissionsBoundary ? { PermissionsBoundary: presented.PermissionsBoundary } : {}),
              },
            });
          }
        }
        if (wanted('LocalManagedPolicy')) {
          for (const policy of await tx.iamEntities.list(accountId, 'policy')) {
            const presented = presentCustomerPolicy(policy, attachmentCount(holders, policy.arn), { description: true });
            entries.push({
              kind: 'policy',
              detail: {
                ...presented,
                Tags: undefined,
                PolicyVersionList: policy.versions.map((version) => ({
                  Document: encodedDocument(version.document), VersionId: version.versionId, IsDefaultVersion: version.versionId === policy.defaultVersionId, CreateDate: dateOf(version.createdAt),
                })),
              } as ManagedPolicyDetail,
            });
          }
        }
        if (wanted('AWSManagedPolicy')) {
          for (const policy of awsManagedPolicies().values()) {
            const count = attachmentCount(holders, policy.arn);
            if (count === 0) continue;
            entries.push({
              kind: 'policy',
              detail: {
                ...presentAwsPolicy(policy, count, { description: true }),
                PolicyVersionList: [{ Document: encodedDocument(policy.document), VersionId: policy.defaultVersionId, IsDefaultVersion: true, CreateDate: dateOf(policy.createdAt) }],
              } as ManagedPolicyDetail,
            });
          }
        }
        return entries;
      });
      const { items, ...page } = pageOf(entries, input);
      const of = <K extends Entry['kind']>(kind: K) => items.filter((entry): entry is Extract<Entry, { kind: K }> => entry.kind === kind).map((entry) => entry.detail);
      return { UserDetailList: of('user') as UserDetail[], GroupDetailList: of('group') as GroupDetail[], RoleDetailList: of('role') as RoleDetail[], Policies: of('policy') as ManagedPolicyDetail[], ...page };
    },
  };
}
