/**
 * A parameter's value as ECS reads it for a container's `secrets` (GetParameters with
 * decryption): `valueFrom` is the parameter's name, in the task's account and Region, or its ARN,
 * arn:aws:ssm:<region>:<account>:parameter/<name>. A reference that names nothing is answered with
 * the ECS agent's words for it, not thrown.
 */
import { ParameterNotFound, ParameterVersionNotFound } from '@aws-sdk/client-ssm';
import type { Scope } from '../core/principal.js';
import type { StoreTx } from '../store/types.js';
import { selectedVersion } from './lookup.js';
import { parameterArnParts } from './names.js';

/** Whether `valueFrom` names an SSM parameter: a name (anything but an ARN) or a parameter ARN. */
export function isParameterReference(valueFrom: string): boolean {
  return valueFrom.length > 0 && (!valueFrom.startsWith('arn:') || parameterArnParts(valueFrom) !== undefined);
}

/** The scope a reference reads in: an ARN's own account and Region, else the task's. */
function scopeOf(valueFrom: string, taskScope: Scope): Scope {
  const arn = parameterArnParts(valueFrom);
  return arn ? { region: arn.region, accountId: arn.accountId } : taskScope;
}

export async function readParameterValue(tx: StoreTx, taskScope: Scope, valueFrom: string): Promise<{ value: string } | { error: string }> {
  const scope = scopeOf(valueFrom, taskScope);
  const failed = { error: `unable to retrieve secrets from ssm: fetching secret data from SSM Parameter Store in ${scope.region}: invalid parameters: ${valueFrom}` };
  // Parameters are not shared across accounts: another account's parameter is not found, as in SSM.
  if (scope.accountId !== taskScope.accountId) return failed;
  try {
    const { version } = await selectedVersion(tx, scope, valueFrom);
    return { value: version.value };
  } catch (error) {
    if (error instanceof ParameterNotFound || error instanceof ParameterVersionNotFound) return failed;
    throw error;
  }
}
