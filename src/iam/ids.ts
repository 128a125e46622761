/**
 * IAM's unique ids and ARNs. An id is a four-letter prefix naming the entity type (AIDA users,
 * AGPA groups, AROA roles, ANPA managed policies, AIPA instance profiles, AKIA access keys) and
 * 17 characters of base32 (A–Z, 2–7), as IAM forms them; ARNs carry the entity's path:
 * arn:aws:iam::123456789012:role/service-role/app.
 */
import { randomBytes } from 'node:crypto';
import type { IamEntityType } from '../store/contract/iam.js';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export const idPrefixes: Record<IamEntityType, string> = {
  user: 'AIDA',
  group: 'AGPA',
  role: 'AROA',
  policy: 'ANPA',
  instanceProfile: 'AIPA',
};

export function newIamId(type: IamEntityType): string {
  let id = idPrefixes[type];
  for (const byte of randomBytes(17)) id += alphabet[byte % 32];
  return id;
}

const arnResource: Record<IamEntityType, string> = {
  user: 'user',
  group: 'group',
  role: 'role',
  policy: 'policy',
  instanceProfile: 'instance-profile',
};

export function iamArn(accountId: string, type: IamEntityType, path: string, name: string): string {
  return `arn:aws:iam::${accountId}:${arnResource[type]}${path}${name}`;
}


/** A managed policy ARN's parts: the owning account (`aws` for AWS managed policies), path and name. */
export function parsePolicyArn(arn: string): { account: string; path: string; name: string } | undefined {
  const match = /^arn:aws:iam::(aws|\d{12}):policy(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]{1,128})$/.exec(arn);
  if (!match) return undefined;
  return { account: match[1] as string, path: match[2] as string, name: match[3] as string };
}
