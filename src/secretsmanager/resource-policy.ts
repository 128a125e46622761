/**
 * A secret's resource-based policy (PutResourcePolicy), as policy evaluation reads it for every
 * Secrets Manager call on the secret. Secrets carry no resource policy yet: until the
 * Put/Get/DeleteResourcePolicy operations store one, every secret answers none, and access to it is
 * decided by identity-based policies alone (as in AWS for a secret without a policy).
 */
import type { StoreTx } from '../store/types.js';

export async function resourcePolicyOf(_tx: StoreTx, _secretArn: string): Promise<string | undefined> {
  return undefined;
}
