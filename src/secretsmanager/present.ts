/** A secret's metadata as DescribeSecret and ListSecrets answer it; values are never part of it. */
import type { DescribeSecretResponse, SecretListEntry } from '@aws-sdk/client-secrets-manager';
import type { Wire } from '../core/wire.js';
import type { SecretRecord } from '../store/types.js';
import { versionsToStages } from './versions.js';

type Metadata = Omit<Wire<DescribeSecretResponse>, 'VersionIdsToStages'>;

function metadata(record: SecretRecord): Metadata {
  return {
    ARN: record.arn,
    Name: record.name,
    ...(record.description ? { Description: record.description } : {}),
    ...(record.kmsKeyId ? { KmsKeyId: record.kmsKeyId } : {}),
    LastChangedDate: record.lastChangedDate,
    ...(record.lastAccessedDate !== undefined ? { LastAccessedDate: record.lastAccessedDate } : {}),
    ...(record.deletedDate !== undefined ? { DeletedDate: record.deletedDate } : {}),
    ...(record.tags.length > 0 ? { Tags: record.tags } : {}),
    CreatedDate: record.createdDate,
  };
}

export function describeSecret(record: SecretRecord): Wire<DescribeSecretResponse> {
  const stages = versionsToStages(record);
  return { ...metadata(record), ...(stages ? { VersionIdsToStages: stages } : {}) };
}

export function listEntry(record: SecretRecord): Wire<SecretListEntry> {
  const stages = versionsToStages(record);
  return { ...metadata(record), ...(stages ? { SecretVersionsToStages: stages } : {}) };
}
