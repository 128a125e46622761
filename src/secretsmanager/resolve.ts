import type { StoreTx } from '../store/types.js';
import { findSecret } from './names.js';
import { currentVersion } from './versions.js';

/**
 * The AWSCURRENT SecretString of the secret that `secretId` (a full ARN, a name or a partial ARN)
 * names in the account and region; undefined when there is no such secret, it is scheduled for
 * deletion, or its current value is binary. For the ECS control plane, which reads
 * `repositoryCredentials.credentialsParameter` this way.
 */
export async function resolveSecretString(tx: StoreTx, accountId: string, region: string, secretId: string): Promise<string | undefined> {
  const record = await findSecret(tx, { accountId, region }, secretId);
  if (!record || record.deletedDate !== undefined) return undefined;
  const version = currentVersion(record);
  if (!version) return undefined;
  return (await tx.secrets.getValue(record.arn, version.versionId))?.secretString;
}
