/** Checks for a repository's settings: tag mutability with its exclusion filters, and encryption. */
import type { RepositoryRecord, TagMutability } from '../store/registry.js';
import { constraintFailed, invalidParameter } from './errors.js';
import { checkEnum, checkLength, checkListSize, requireMember } from './validate.js';

/** In the order ECR lists them when it refuses a value. */
export const mutabilities: readonly TagMutability[] = ['IMMUTABLE', 'MUTABLE', 'MUTABLE_WITH_EXCLUSION', 'IMMUTABLE_WITH_EXCLUSION'];
const encryptionTypes = ['AES256', 'KMS', 'KMS_DSSE'] as const;
const filterPattern = /^[0-9a-zA-Z._*-]{1,128}$/;
const maxFilters = 5;

export type MutabilitySetting = Pick<RepositoryRecord, 'imageTagMutability' | 'imageTagMutabilityExclusionFilters'>;

type FilterInput = { filterType?: string | undefined; filter?: string | undefined };

function checkFilter(filter: FilterInput, at: string): { filterType: 'WILDCARD'; filter: string } {
  const filterType = checkEnum(requireMember(filter.filterType, `${at}.filterType`), `${at}.filterType`, ['WILDCARD'] as const);
  const value = requireMember(filter.filter, `${at}.filter`);
  if (!filterPattern.test(value)) {
    throw constraintFailed(`${at}.filter`, `Member must be 1 to 128 letters, digits, '.', '_', '-' or the wildcard '*', not '${value}'`);
  }
  return { filterType: filterType as 'WILDCARD', filter: value };
}

/**
 * imageTagMutability with its exclusion filters: the filters go with the *_WITH_EXCLUSION settings
 * only, and those settings need at least one.
 */
export function checkMutability(value: string | undefined, filters: FilterInput[] | undefined): MutabilitySetting {
  const imageTagMutability = checkEnum(value, 'imageTagMutability', mutabilities) ?? 'MUTABLE';
  const withExclusion = imageTagMutability.endsWith('_WITH_EXCLUSION');
  if (!withExclusion) {
    if (filters !== undefined) {
      throw invalidParameter(
        `imageTagMutabilityExclusionFilters can only be used with imageTagMutability MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION, not ${imageTagMutability}`,
      );
    }
    return { imageTagMutability };
  }
  if (filters === undefined || filters.length === 0) {
    throw invalidParameter(`imageTagMutability ${imageTagMutability} needs imageTagMutabilityExclusionFilters: 1 to ${maxFilters} WILDCARD filters naming the excluded tags`);
  }
  checkListSize(filters, 'imageTagMutabilityExclusionFilters', 1, maxFilters);
  const checked = filters.map((filter, index) => checkFilter(filter, `imageTagMutabilityExclusionFilters[${index}]`));
  return { imageTagMutability, imageTagMutabilityExclusionFilters: checked };
}

/**
 * encryptionConfiguration: AES256 (the default), KMS or KMS_DSSE; a kmsKey only with the KMS types.
 * A KMS type without a kmsKey uses the account's AWS managed key for ECR, and the repository shows
 * it: Berth names it by its alias ARN, as it has no KMS to give the key's own id.
 */
export function checkEncryption(
  config: { encryptionType?: string | undefined; kmsKey?: string | undefined } | undefined,
  scope: { accountId: string; region: string },
): RepositoryRecord['encryptionConfiguration'] {
  if (config === undefined) return { encryptionType: 'AES256' };
  const encryptionType = checkEnum(requireMember(config.encryptionType, 'encryptionConfiguration.encryptionType'), 'encryptionConfiguration.encryptionType', encryptionTypes);
  const kmsKey = config.kmsKey;
  if (kmsKey === undefined) {
    if (encryptionType === 'AES256') return { encryptionType };
    return { encryptionType: encryptionType as string, kmsKey: `arn:aws:kms:${scope.region}:${scope.accountId}:alias/aws/ecr` };
  }
  if (encryptionType === 'AES256') {
    throw invalidParameter("encryptionConfiguration.kmsKey can only be given with encryptionType KMS or KMS_DSSE; leave kmsKey out for AES256");
  }
  checkLength(kmsKey, 'encryptionConfiguration.kmsKey', 1, 2048);
  return { encryptionType: encryptionType as string, kmsKey };
}
