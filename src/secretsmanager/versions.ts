/**
 * Versions and staging labels. A label sits on at most one version of a secret; giving it to a new
 * version takes it from the old. Moving AWSCURRENT leaves AWSPREVIOUS on the version it left. A
 * version without labels is deprecated: it stays readable by VersionId until the secret holds more
 * than `maxVersions` versions, when the oldest deprecated ones are removed.
 */
import type { SecretRecord, SecretValue, SecretVersionEntry, SecretsTables } from '../store/types.js';
import { invalidRequest, resourceExists, versionNotFound } from './errors.js';
import { sameValue } from './validate.js';

export const currentStage = 'AWSCURRENT';
export const previousStage = 'AWSPREVIOUS';
export const maxVersions = 100;

export const currentVersion = (record: SecretRecord) => record.versions.find((version) => version.stages.includes(currentStage));

/** Versions that carry labels, as DescribeSecret and ListSecrets show them. */
export function versionsToStages(record: SecretRecord): Record<string, string[]> | undefined {
  const labelled = record.versions.filter((version) => version.stages.length > 0);
  return labelled.length === 0 ? undefined : Object.fromEntries(labelled.map((version) => [version.versionId, version.stages]));
}

/** The version a GetSecretValue asks for: by VersionId, by VersionStage, both (which must agree), or AWSCURRENT. */
export function selectVersion(record: SecretRecord, versionId: string | undefined, versionStage: string | undefined): SecretVersionEntry {
  if (versionId !== undefined) {
    const version = record.versions.find((candidate) => candidate.versionId === versionId);
    if (!version) throw versionNotFound('VersionId', versionId);
    if (versionStage !== undefined && !version.stages.includes(versionStage)) {
      throw invalidRequest('You provided a VersionStage that is not associated to the provided VersionId.');
    }
    return version;
  }
  const stage = versionStage ?? currentStage;
  const version = record.versions.find((candidate) => candidate.stages.includes(stage));
  if (!version) throw versionNotFound('staging label', stage);
  return version;
}

export interface NewVersion {
  versionId: string;
  value: SecretValue;
  stages: string[];
}

/**
 * What a request that names an existing version (its ClientRequestToken) gets: the same value is a
 * retry and changes nothing; another value would modify a version, which Secrets Manager refuses.
 */
export async function existingVersion(tx: SecretsTables, record: SecretRecord, wanted: NewVersion): Promise<SecretVersionEntry | undefined> {
  const version = record.versions.find((candidate) => candidate.versionId === wanted.versionId);
  if (!version) return undefined;
  if (!sameValue(await tx.secrets.getValue(record.arn, version.versionId), wanted.value)) {
    throw resourceExists("You can't modify an existing version, you can only create a new version.");
  }
  return version;
}

/** Stores a new version's value and returns the record with the version added and labels moved. */
export async function addVersion(tx: SecretsTables, record: SecretRecord, wanted: NewVersion, now: number): Promise<SecretRecord> {
  const stages = new Set(wanted.stages);
  const leftCurrent = stages.has(currentStage) ? currentVersion(record) : undefined;
  let versions = record.versions.map((version) => {
    const kept = version.stages.filter((stage) => !stages.has(stage) && !(leftCurrent && stage === previousStage));
    if (version === leftCurrent && !stages.has(previousStage)) kept.push(previousStage);
    return { ...version, stages: kept };
  });
  versions.push({ versionId: wanted.versionId, stages: [...stages], createdDate: now });
  await tx.secrets.putValue(record.arn, wanted.versionId, wanted.value);
  let excess = versions.length - maxVersions;
  if (excess > 0) {
    const removed = new Set<string>();
    for (const version of versions) {
      if (excess === 0) break;
      if (version.stages.length > 0) continue;
      removed.add(version.versionId);
      excess--;
    }
    for (const versionId of removed) await tx.secrets.deleteValue(record.arn, versionId);
    versions = versions.filter((version) => !removed.has(version.versionId));
  }
  return { ...record, versions, lastChangedDate: now };
}
