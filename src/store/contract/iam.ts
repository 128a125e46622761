/**
 * The storage contract of IAM: users, groups, roles, customer managed policies and instance
 * profiles of an account, one record each, kept close to IAM's wire form (times as epoch seconds,
 * policy documents as the text the caller sent).
 *
 * IAM names are unique per account and entity type regardless of case ("Alice" and "alice" are the
 * same user), so the table looks names up case-insensitively and records keep the case given.
 * Relations live on one side only: a group lists its members, a role or user or group lists the
 * managed policies attached to it, an instance profile lists its role. The other direction is a
 * scan of the account's records, which IAM's quotas keep small.
 *
 * Access keys are credentials (core.ts): the user's record keeps only their ids, so signature
 * verification reads one table and a deleted key stops working at once.
 */
import type { Versioned } from './core.js';

export type IamEntityType = 'user' | 'group' | 'role' | 'policy' | 'instanceProfile';

export interface IamTag {
  Key: string;
  Value: string;
}

interface IamEntityBase extends Versioned {
  accountId: string;
  name: string;
  /** AIDA…, AGPA…, AROA…, ANPA…, AIPA… */
  id: string;
  arn: string;
  path: string;
  /** Epoch seconds. */
  createdAt: number;
  tags: IamTag[];
}

/** What users, groups and roles share: inline policies by name, and attached managed policies by ARN. */
interface IamIdentity extends IamEntityBase {
  inlinePolicies: Record<string, string>;
  attachedPolicies: string[];
}

export interface IamUser extends IamIdentity {
  type: 'user';
  /** A managed policy's ARN: the most the user's identity-based policies may allow. */
  permissionsBoundary?: string;
}

export interface IamGroup extends IamIdentity {
  type: 'group';
  /** Member user names, in the order they were added. */
  members: string[];
}

export interface IamRole extends IamIdentity {
  type: 'role';
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  /** For service-linked roles: the service principal that may assume it (ecs.amazonaws.com). */
  serviceLinkedTo?: string;
  /** A managed policy's ARN: the most the role's identity-based policies may allow. */
  permissionsBoundary?: string;
}

export interface IamPolicyVersion {
  versionId: string;
  document: string;
  createdAt: number;
}

export interface IamPolicy extends IamEntityBase {
  type: 'policy';
  description?: string;
  defaultVersionId: string;
  /** Newest first, as ListPolicyVersions answers. */
  versions: IamPolicyVersion[];
  /** The number the next version takes (v1, v2, …: numbers are never reused). */
  nextVersion: number;
  updatedAt: number;
}

export interface IamInstanceProfile extends IamEntityBase {
  type: 'instanceProfile';
  /** Role names; IAM allows at most one. */
  roles: string[];
}

export type IamEntity = IamUser | IamGroup | IamRole | IamPolicy | IamInstanceProfile;
export type IamEntityOf<T extends IamEntityType> = Extract<IamEntity, { type: T }>;

export interface IamEntitiesTable {
  /** By name, case-insensitively. */
  get<T extends IamEntityType>(accountId: string, type: T, name: string): Promise<IamEntityOf<T> | undefined>;
  /** Every entity of a type in the account, ordered by name (case-insensitively), as IAM lists them. */
  list<T extends IamEntityType>(accountId: string, type: T): Promise<IamEntityOf<T>[]>;
  put(record: IamEntity): Promise<void>;
  /** Deletes the record where it still has the version it was read at. */
  delete(record: IamEntity): Promise<void>;
}

/** The IAM tables of a store transaction. */
export interface IamTables {
  iamEntities: IamEntitiesTable;
}
