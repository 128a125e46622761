/**
 * GetCallerIdentity's `UserId`. For an account's root credentials AWS answers the account id. For
 * an IAM user AWS answers the user's unique id (`AIDA` and 17 characters) and for a role `AROA…`.
 * An IAM user's access key carries its user's id (IAM's CreateAccessKey records it); for other
 * credentials Berth derives one from the principal's ARN: stable for the same principal,
 * different for another, in AWS's form.
 */
import { createHash } from 'node:crypto';
import type { Principal } from '../core/principal.js';

const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function uniqueIdOf(prefix: string, arn: string): string {
  const digest = createHash('sha256').update(arn).digest();
  let id = prefix;
  for (let index = 0; id.length < prefix.length + 17; index += 1) id += base32[(digest[index] as number) % 32];
  return id;
}

export function userIdOf(principal: Principal): string {
  if (principal.isRoot) return principal.accountId;
  if (principal.uniqueId !== undefined) return principal.uniqueId;
  const resource = principal.arn.split(':').slice(5).join(':');
  if (resource.startsWith('role/')) return uniqueIdOf('AROA', principal.arn);
  return uniqueIdOf('AIDA', principal.arn);
}
