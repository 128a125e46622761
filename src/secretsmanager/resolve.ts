import { ServiceException } from '@smithy/core/client';
import type { SecretsTables } from '../store/types.js';
import { markedForDeletion, secretNotFound } from './errors.js';
import { findSecret } from './names.js';
import { currentVersion, selectVersion } from './versions.js';

/**
 * The AWSCURRENT SecretString of the secret that `secretId` (a full ARN, a name or a partial ARN)
 * names in the account and region; undefined when there is no such secret, it is scheduled for
 * deletion, or its current value is binary. For the ECS control plane, which reads
 * `repositoryCredentials.credentialsParameter` this way.
 */
export async function resolveSecretString(tx: SecretsTables, accountId: string, region: string, secretId: string): Promise<string | undefined> {
  const record = await findSecret(tx, { accountId, region }, secretId);
  if (!record || record.deletedDate !== undefined) return undefined;
  const version = currentVersion(record);
  if (!version) return undefined;
  return (await tx.secrets.getValue(record.arn, version.versionId))?.secretString;
}

/**
 * The SecretString GetSecretValue would answer for a secret and an optional version id or stage,
 * or the error it would answer, as `<ErrorName>: <message>`. For ECS's container `secrets`, which
 * the control plane reads as the task execution role would.
 */
export async function readSecretString(
  tx: SecretsTables,
  accountId: string,
  region: string,
  secretId: string,
  version: { versionId?: string; versionStage?: string } = {},
): Promise<{ secretString: string } | { error: string }> {
  try {
    const record = await findSecret(tx, { accountId, region }, secretId);
    if (!record) throw secretNotFound(secretId);
    if (record.deletedDate !== undefined) throw markedForDeletion();
    const entry = selectVersion(record, version.versionId, version.versionStage);
    const value = await tx.secrets.getValue(record.arn, entry.versionId);
    if (value?.secretString === undefined) return { error: `the secret ${secretId} holds a binary value, not a SecretString` };
    return { secretString: value.secretString };
  } catch (error) {
    if (error instanceof ServiceException) return { error: `${error.name}: ${error.message}` };
    throw error;
  }
}
