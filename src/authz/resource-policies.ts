/**
 * The resource-based policy of the resource a call names, where its service has them: an ECR
 * repository's policy (SetRepositoryPolicy), a Secrets Manager secret's (PutResourcePolicy).
 * Other resources have none.
 */
import { Arn } from '../core/arn.js';
import { secretResourcePolicy } from '../secretsmanager/resource-policies.js';
import type { StoreTx } from '../store/types.js';

/** Whether a resource's service has resource policies at all: only then is the store asked. */
export function mayHavePolicy(resource: string): boolean {
  return resource.startsWith('arn:aws:ecr:') || resource.startsWith('arn:aws:secretsmanager:');
}

export async function resourcePolicyText(tx: StoreTx, resource: string): Promise<string | undefined> {
  const arn = Arn.parse(resource);
  if (!arn) return undefined;
  if (arn.service === 'ecr' && arn.resourceType === 'repository') return (await tx.registry.getRepository(resource))?.policyText;
  if (arn.service === 'secretsmanager') return secretResourcePolicy(tx, resource);
  return undefined;
}
