/** IAM's records in their wire shapes (User, Role, Group, Policy, InstanceProfile), documents URL-encoded as IAM answers them. */
import type { Group, InstanceProfile, Policy, Role, User } from '@aws-sdk/client-iam';
import type { IamGroup, IamInstanceProfile, IamPolicy, IamRole, IamUser } from '../store/contract/iam.js';
import type { AwsManagedPolicy } from './managed-policies/index.js';
import { encodedDocument } from './policy-document.js';

export const dateOf = (seconds: number): Date => new Date(seconds * 1000);

/** A user's or role's permissions boundary as IAM answers it. */
const boundaryOf = (arn: string | undefined) => (arn === undefined ? {} : { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy' as const, PermissionsBoundaryArn: arn } });

export function presentUser(user: IamUser): User {
  return {
    Path: user.path,
    UserName: user.name,
    UserId: user.id,
    Arn: user.arn,
    CreateDate: dateOf(user.createdAt),
    ...boundaryOf(user.permissionsBoundary),
    ...(user.tags.length > 0 ? { Tags: user.tags } : {}),
  };
}

export function presentGroup(group: IamGroup): Group {
  return { Path: group.path, GroupName: group.name, GroupId: group.id, Arn: group.arn, CreateDate: dateOf(group.createdAt) };
}

export function presentRole(role: IamRole, options: { tags?: boolean } = {}): Role {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.id,
    Arn: role.arn,
    CreateDate: dateOf(role.createdAt),
    AssumeRolePolicyDocument: encodedDocument(role.assumeRolePolicyDocument),
    ...(role.description !== undefined ? { Description: role.description } : {}),
    MaxSessionDuration: role.maxSessionDuration,
    ...boundaryOf(role.permissionsBoundary),
    ...(options.tags !== false && role.tags.length > 0 ? { Tags: role.tags } : {}),
  };
}

export function presentInstanceProfile(profile: IamInstanceProfile, roles: readonly IamRole[]): InstanceProfile {
  return {
    Path: profile.path,
    InstanceProfileName: profile.name,
    InstanceProfileId: profile.id,
    Arn: profile.arn,
    CreateDate: dateOf(profile.createdAt),
    Roles: roles.map((role) => presentRole(role, { tags: false })),
    ...(profile.tags.length > 0 ? { Tags: profile.tags } : {}),
  };
}

export function presentCustomerPolicy(policy: IamPolicy, attachmentCount: number, options: { description?: boolean; boundaryCount?: number } = {}): Policy {
  return {
    PolicyName: policy.name,
    PolicyId: policy.id,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: attachmentCount,
    PermissionsBoundaryUsageCount: options.boundaryCount ?? 0,
    IsAttachable: true,
    ...(options.description && policy.description !== undefined ? { Description: policy.description } : {}),
    CreateDate: dateOf(policy.createdAt),
    UpdateDate: dateOf(policy.updatedAt),
    ...(policy.tags.length > 0 ? { Tags: policy.tags } : {}),
  };
}

export function presentAwsPolicy(policy: AwsManagedPolicy, attachmentCount: number, options: { description?: boolean; boundaryCount?: number } = {}): Policy {
  return {
    PolicyName: policy.name,
    PolicyId: policy.id,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: attachmentCount,
    PermissionsBoundaryUsageCount: options.boundaryCount ?? 0,
    IsAttachable: policy.attachable,
    ...(options.description ? { Description: policy.description } : {}),
    CreateDate: dateOf(policy.createdAt),
    UpdateDate: dateOf(policy.createdAt),
  };
}
