/**
 * IAM's permissions (Service Authorization Reference, "AWS Identity and Access Management"): each
 * operation on the ARN of the user, group, role, policy or instance profile it names, with its
 * path (a name is looked up; an entity not yet created takes the input's Path); an operation on
 * "your own" user (no UserName) on the caller's ARN; the List operations over all entities and
 * GetAccountAuthorizationDetails on `*`. iam:PolicyARN and iam:PermissionsBoundary are the keys
 * of attaching policies and setting boundaries; Create and Tag operations carry their tags.
 */
import type { Scope } from '../../core/principal.js';
import type { IamEntityType } from '../../store/contract/iam.js';
import { on, onAny, requestTagKeys, tagKeysOf, text, type Keys, type Permission, type PermissionOf, type PermissionTable } from './types.js';

const arnTypes: Record<Exclude<IamEntityType, 'policy'> | 'policy', string> = {
  user: 'user',
  group: 'group',
  role: 'role',
  policy: 'policy',
  instanceProfile: 'instance-profile',
};

const iamArn = (scope: Scope, type: IamEntityType, pathAndName: string) => `arn:aws:iam::${scope.accountId}:${arnTypes[type]}${pathAndName}`;

/** An existing entity by name: the ARN with the root path until the store gives the real one. */
function onEntity(scope: Scope, type: IamEntityType, name: string | undefined, keys: Keys = {}): Permission {
  if (name === undefined) return on([], keys);
  return {
    ...on([iamArn(scope, type, `/${name}`)], keys),
    resolve: async (tx) => {
      const entity = await tx.iamEntities.get(scope.accountId, type, name);
      return entity ? { resources: [entity.arn] } : {};
    },
  };
}

/** An entity being created: its path comes with the input. */
const created = (scope: Scope, type: IamEntityType, input: Record<string, unknown>, nameMember: string, keys: Keys = {}) =>
  on([iamArn(scope, type, `${text(input.Path) ?? '/'}${text(input[nameMember]) ?? ''}`)], { ...keys, ...requestTagKeys(input.Tags, 'Key', 'Value') });

/** A user operation: the named user, or the caller's own when UserName is absent (as AWS resolves it). */
const onUser =
  (keysOf: (input: Record<string, unknown>) => Keys = () => ({})): PermissionOf =>
  (input, scope, caller) => {
    const name = text(input.UserName);
    if (name === undefined && caller !== undefined) return on([caller], keysOf(input));
    return onEntity(scope, 'user', name, keysOf(input));
  };
const onGroup = (keysOf: (input: Record<string, unknown>) => Keys = () => ({})): PermissionOf => (input, scope) => onEntity(scope, 'group', text(input.GroupName), keysOf(input));
const onRole = (keysOf: (input: Record<string, unknown>) => Keys = () => ({})): PermissionOf => (input, scope) => onEntity(scope, 'role', text(input.RoleName), keysOf(input));
const onProfile = (keysOf: (input: Record<string, unknown>) => Keys = () => ({})): PermissionOf => (input, scope) => onEntity(scope, 'instanceProfile', text(input.InstanceProfileName), keysOf(input));
const onPolicy: PermissionOf = (input) => on([text(input.PolicyArn)]);

const policyArnKey = (input: Record<string, unknown>): Keys => (text(input.PolicyArn) !== undefined ? { 'iam:PolicyARN': text(input.PolicyArn)! } : {});
const boundaryKey = (input: Record<string, unknown>): Keys => (text(input.PermissionsBoundary) !== undefined ? { 'iam:PermissionsBoundary': text(input.PermissionsBoundary)! } : {});
const tags = (input: Record<string, unknown>) => requestTagKeys(input.Tags, 'Key', 'Value');
const untags = (input: Record<string, unknown>) => tagKeysOf(input.TagKeys);

/** GetServiceLinkedRoleDeletionStatus names a deletion task, `task/aws-service-role/<service>/<role>/<id>`: the role is in it. */
const deletionTaskRole: PermissionOf = (input, scope) => {
  const parts = (text(input.DeletionTaskId) ?? '').split('/');
  return parts.length >= 5 && parts[0] === 'task' ? on([iamArn(scope, 'role', `/${parts.slice(1, -1).join('/')}`)]) : on([]);
};

export const iamPermissions: PermissionTable = {
  CreateUser: (input, scope) => created(scope, 'user', input, 'UserName', boundaryKey(input)),
  GetUser: onUser(),
  ListUsers: onAny,
  UpdateUser: onUser(),
  DeleteUser: onUser(),
  TagUser: onUser(tags),
  UntagUser: onUser(untags),
  ListUserTags: onUser(),
  CreateAccessKey: onUser(),
  ListAccessKeys: onUser(),
  UpdateAccessKey: onUser(),
  DeleteAccessKey: onUser(),
  GetAccessKeyLastUsed: (input) => ({
    resources: ['*'],
    resolve: async (tx) => {
      const key = text(input.AccessKeyId);
      const credential = key === undefined ? undefined : await tx.credentials.get(key);
      return credential ? { resources: [credential.principalArn] } : {};
    },
  }),
  CreateGroup: (input, scope) => created(scope, 'group', input, 'GroupName'),
  GetGroup: onGroup(),
  ListGroups: onAny,
  AddUserToGroup: onGroup(),
  RemoveUserFromGroup: onGroup(),
  ListGroupsForUser: onUser(),
  UpdateGroup: onGroup(),
  DeleteGroup: onGroup(),
  CreateRole: (input, scope) => created(scope, 'role', input, 'RoleName', boundaryKey(input)),
  CreateServiceLinkedRole: (input, scope) => {
    const service = text(input.AWSServiceName) ?? '';
    return on([iamArn(scope, 'role', `/aws-service-role/${service}/*`)], { 'iam:AWSServiceName': service });
  },
  GetRole: onRole(),
  ListRoles: onAny,
  UpdateRole: onRole(),
  UpdateRoleDescription: onRole(),
  UpdateAssumeRolePolicy: onRole(),
  DeleteRole: onRole(),
  DeleteServiceLinkedRole: onRole(),
  GetServiceLinkedRoleDeletionStatus: deletionTaskRole,
  TagRole: onRole(tags),
  UntagRole: onRole(untags),
  ListRoleTags: onRole(),
  PutUserPolicy: onUser(),
  GetUserPolicy: onUser(),
  ListUserPolicies: onUser(),
  DeleteUserPolicy: onUser(),
  AttachUserPolicy: onUser(policyArnKey),
  DetachUserPolicy: onUser(policyArnKey),
  ListAttachedUserPolicies: onUser(),
  PutGroupPolicy: onGroup(),
  GetGroupPolicy: onGroup(),
  ListGroupPolicies: onGroup(),
  DeleteGroupPolicy: onGroup(),
  AttachGroupPolicy: onGroup(policyArnKey),
  DetachGroupPolicy: onGroup(policyArnKey),
  ListAttachedGroupPolicies: onGroup(),
  PutRolePolicy: onRole(),
  GetRolePolicy: onRole(),
  ListRolePolicies: onRole(),
  DeleteRolePolicy: onRole(),
  AttachRolePolicy: onRole(policyArnKey),
  DetachRolePolicy: onRole(policyArnKey),
  ListAttachedRolePolicies: onRole(),
  ListEntitiesForPolicy: onPolicy,
  CreatePolicy: (input, scope) => created(scope, 'policy', input, 'PolicyName'),
  GetPolicy: onPolicy,
  ListPolicies: onAny,
  CreatePolicyVersion: onPolicy,
  GetPolicyVersion: onPolicy,
  ListPolicyVersions: onPolicy,
  SetDefaultPolicyVersion: onPolicy,
  DeletePolicyVersion: onPolicy,
  DeletePolicy: onPolicy,
  PutUserPermissionsBoundary: onUser(boundaryKey),
  DeleteUserPermissionsBoundary: onUser(),
  PutRolePermissionsBoundary: onRole(boundaryKey),
  DeleteRolePermissionsBoundary: onRole(),
  CreateInstanceProfile: (input, scope) => created(scope, 'instanceProfile', input, 'InstanceProfileName'),
  GetInstanceProfile: onProfile(),
  ListInstanceProfiles: onAny,
  ListInstanceProfilesForRole: onRole(),
  AddRoleToInstanceProfile: onProfile(),
  RemoveRoleFromInstanceProfile: onProfile(),
  DeleteInstanceProfile: onProfile(),
  GetAccountAuthorizationDetails: onAny,
  TagPolicy: (input) => on([text(input.PolicyArn)], tags(input)),
  UntagPolicy: (input) => on([text(input.PolicyArn)], untags(input)),
  ListPolicyTags: onPolicy,
  TagInstanceProfile: onProfile(tags),
  UntagInstanceProfile: onProfile(untags),
  ListInstanceProfileTags: onProfile(),
  // The policy simulator: on the principal whose policies are simulated; a custom policy names none.
  SimulatePrincipalPolicy: (input) => on([text(input.PolicySourceArn)]),
  SimulateCustomPolicy: onAny,
  GetContextKeysForPrincipalPolicy: (input) => on([text(input.PolicySourceArn)]),
  GetContextKeysForCustomPolicy: onAny,
};
