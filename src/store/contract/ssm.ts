/**
 * The storage contract of SSM Parameter Store: per account and region, one record per parameter
 * (what DescribeParameters answers: its latest version's metadata and its tags) and one per version
 * (the value with that version's metadata and labels: what GetParameterHistory answers). Versions
 * are sealed as a whole, so values, String and StringList too, are never in the clear at rest.
 * Times are epoch seconds with milliseconds, as the JSON protocol carries them.
 */
import type { Versioned } from './core.js';

export type SsmParameterType = 'String' | 'StringList' | 'SecureString';
export type SsmTier = 'Standard' | 'Advanced';

/** What one version of a parameter was written with. */
export interface SsmVersionMetadata {
  type: SsmParameterType;
  /** SecureString: the KMS key named (alias/aws/ssm when none was). */
  keyId?: string;
  description?: string;
  allowedPattern?: string;
  tier: SsmTier;
  /** text, aws:ec2:image or aws:ssm:integration. */
  dataType: string;
  lastModifiedDate: number;
  /** The ARN of the principal that wrote it. */
  lastModifiedUser: string;
}

export interface SsmParameter extends Versioned, SsmVersionMetadata {
  accountId: string;
  region: string;
  /** As given at creation: `/a/b` or `a` (a name without a leading slash has none). */
  name: string;
  /** The latest version, from 1. */
  version: number;
  tags: { Key: string; Value: string }[];
}

export interface SsmParameterVersion extends SsmVersionMetadata {
  version: number;
  value: string;
  labels: string[];
}

export interface SsmParametersTable {
  get(accountId: string, region: string, name: string): Promise<SsmParameter | undefined>;
  /** Every parameter of an account and region, by name. */
  list(accountId: string, region: string): Promise<SsmParameter[]>;
  put(record: SsmParameter): Promise<void>;
  /** Removes the parameter and all its versions. */
  delete(record: SsmParameter): Promise<void>;
  getVersion(accountId: string, region: string, name: string, version: number): Promise<SsmParameterVersion | undefined>;
  /** Oldest first. */
  listVersions(accountId: string, region: string, name: string): Promise<SsmParameterVersion[]>;
  putVersion(accountId: string, region: string, name: string, version: SsmParameterVersion): Promise<void>;
  deleteVersion(accountId: string, region: string, name: string, version: number): Promise<void>;
}

export interface SsmTables {
  ssmParameters: SsmParametersTable;
}
