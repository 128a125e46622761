/** The store's contract for Secrets Manager: a secret's record apart from its versions' values. */
import type { Versioned } from './core.js';

/** A version of a secret as its secret's record lists it; the value itself is stored apart. */
export interface SecretVersionEntry {
  versionId: string;
  /** Staging labels; a version without any is deprecated. */
  stages: string[];
  createdDate: number;
}

/** A secret's value: exactly one of the two, SecretBinary as base64 as the wire carries it. */
export interface SecretValue {
  secretString?: string;
  secretBinary?: string;
}

export interface SecretRecord extends Versioned {
  arn: string;
  name: string;
  accountId: string;
  region: string;
  description?: string;
  kmsKeyId?: string;
  tags: { Key: string; Value: string }[];
  /** Oldest first. */
  versions: SecretVersionEntry[];
  createdDate: number;
  lastChangedDate: number;
  /** The day (UTC midnight) of the last GetSecretValue. */
  lastAccessedDate?: number;
  /** When DeleteSecret scheduled the secret for deletion. */
  deletedDate?: number;
  /** When a secret scheduled for deletion is removed for good. */
  purgeDate?: number;
  /** The resource-based policy (PutResourcePolicy), as the caller sent it. */
  resourcePolicy?: string;
}

export interface SecretsTable {
  get(arn: string): Promise<SecretRecord | undefined>;
  findByName(accountId: string, region: string, name: string): Promise<SecretRecord | undefined>;
  /** Every secret of an account and region, oldest first, each with a number that orders secrets by creation. */
  list(accountId: string, region: string): Promise<{ order: number; record: SecretRecord }[]>;
  put(record: SecretRecord): Promise<void>;
  /** Removes a secret and every value of it. */
  delete(arn: string, expectedVersion?: number): Promise<void>;
  /** Removes, in every account, the secrets whose recovery window ended at or before `now` (epoch seconds). */
  purgeDue(now: number): Promise<void>;
  getValue(arn: string, versionId: string): Promise<SecretValue | undefined>;
  putValue(arn: string, versionId: string, value: SecretValue): Promise<void>;
  deleteValue(arn: string, versionId: string): Promise<void>;
}

export interface SecretsTables {
  secrets: SecretsTable;
}
