/**
 * Temporary credentials as STS issues them: an `ASIA…` access key, a secret, a session token the
 * caller must send with every request (X-Amz-Security-Token), and an expiry. They are stored as
 * credentials like any other key, so signature verification, authorization and revocation treat
 * them alike; `session` says what they stand for (see SessionInfo in core/principal.ts).
 *
 * This module only issues; who may obtain a session (trust policies, sts:AssumeRole, durations)
 * is decided by its callers: the STS API for AssumeRole and GetSessionToken, and ECS for the
 * task role it hands to a task's containers.
 */
import { randomBytes } from 'node:crypto';
import type { Credentials } from '@aws-sdk/client-sts';
import { newSecretAccessKey } from '../core/ids.js';
import type { SessionInfo } from '../core/principal.js';
import type { IamRole } from '../store/contract/iam.js';
import type { CredentialRecord } from '../store/contract/core.js';
import type { StoreTx } from '../store/types.js';

const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function newTemporaryAccessKeyId(): string {
  let id = 'ASIA';
  for (const byte of randomBytes(16)) id += base32[byte % 32];
  return id;
}

/** An opaque session token, as long as AWS's (a few hundred base64 characters). */
export function newSessionToken(): string {
  return randomBytes(264).toString('base64');
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch seconds. */
  expiresAt: number;
  /** The principal the credentials act as: the assumed-role ARN, or the user's (root's) own ARN. */
  principalArn: string;
  /** aws:userid: `AROA…:<session name>` for a role session, the user's id (or the account's) otherwise. */
  principalId: string;
}

/** The credentials as STS answers them (`Credentials`). */
export function credentialsOf(issued: IssuedCredentials): Credentials {
  return {
    AccessKeyId: issued.accessKeyId,
    SecretAccessKey: issued.secretAccessKey,
    SessionToken: issued.sessionToken,
    Expiration: new Date(issued.expiresAt * 1000),
  };
}

/** arn:aws:sts::<account>:assumed-role/<role name>/<session name>: the role's path is not part of it, as in AWS. */
export function assumedRoleArn(role: Pick<IamRole, 'accountId' | 'name'>, sessionName: string): string {
  return `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`;
}

export interface RoleSessionRequest {
  sessionName: string;
  durationSeconds: number;
  /** Who asks: a principal ARN, or a service principal (ecs-tasks.amazonaws.com). */
  issuedTo: string;
  sessionPolicy?: string;
  sessionPolicyArns?: string[];
  tags?: Record<string, string>;
  transitiveTagKeys?: string[];
  sourceIdentity?: string;
}

/** Stores and answers credentials for a session of `role`. The caller has checked that it may. */
export async function issueRoleSession(tx: StoreTx, role: IamRole, request: RoleSessionRequest, now: Date): Promise<IssuedCredentials> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const session: SessionInfo = {
    type: 'AssumedRole',
    issuedAt,
    expiresAt: issuedAt + request.durationSeconds,
    roleArn: role.arn,
    roleName: role.name,
    roleId: role.id,
    sessionName: request.sessionName,
    issuedTo: request.issuedTo,
    ...(request.sessionPolicy !== undefined ? { sessionPolicy: request.sessionPolicy } : {}),
    ...(request.sessionPolicyArns?.length ? { sessionPolicyArns: request.sessionPolicyArns } : {}),
    ...(request.tags && Object.keys(request.tags).length > 0 ? { tags: request.tags } : {}),
    ...(request.transitiveTagKeys?.length ? { transitiveTagKeys: request.transitiveTagKeys } : {}),
    ...(request.sourceIdentity !== undefined ? { sourceIdentity: request.sourceIdentity } : {}),
  };
  return store(tx, { accountId: role.accountId, principalArn: assumedRoleArn(role, request.sessionName), principalId: `${role.id}:${request.sessionName}` }, session, now);
}

/**
 * Stores and answers GetSessionToken's credentials for a long-term key's owner (an IAM user or
 * root): the same principal, for `durationSeconds`.
 */
export async function issueUserSession(
  tx: StoreTx,
  owner: Pick<CredentialRecord, 'accountId' | 'principalArn' | 'isRoot' | 'principalId'>,
  durationSeconds: number,
  now: Date,
): Promise<IssuedCredentials> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const session: SessionInfo = { type: 'SessionToken', issuedAt, expiresAt: issuedAt + durationSeconds, issuedTo: owner.principalArn };
  return store(tx, { accountId: owner.accountId, principalArn: owner.principalArn, principalId: owner.principalId ?? owner.accountId, isRoot: owner.isRoot }, session, now);
}

async function store(
  tx: StoreTx,
  who: { accountId: string; principalArn: string; principalId: string; isRoot?: boolean },
  session: SessionInfo,
  now: Date,
): Promise<IssuedCredentials> {
  const record: CredentialRecord = {
    accessKeyId: newTemporaryAccessKeyId(),
    secretAccessKey: newSecretAccessKey(),
    accountId: who.accountId,
    principalArn: who.principalArn,
    principalId: who.principalId,
    // Root's session credentials are root's: AWS lets them do what root may (except IAM without MFA).
    isRoot: who.isRoot ?? false,
    createdAt: Math.floor(now.getTime() / 1000),
    sessionToken: newSessionToken(),
    session,
  };
  await tx.credentials.put(record);
  return {
    accessKeyId: record.accessKeyId,
    secretAccessKey: record.secretAccessKey,
    sessionToken: record.sessionToken!,
    expiresAt: session.expiresAt,
    principalArn: record.principalArn,
    principalId: who.principalId,
  };
}
