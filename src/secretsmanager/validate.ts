/** Input checks for Secrets Manager members, each naming the member at fault. */
import { ApiError } from '../core/errors.js';
import type { SecretValue } from '../store/types.js';
import { constraintFailed, invalidName, invalidParameter } from './errors.js';

/** Names and SecretIds that are not ARNs: ASCII letters, digits and -/_+=.@! */
const namePattern = /^[A-Za-z0-9/_+=.@!-]+$/;
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const maxValueLength = 65536;

export function requireMember<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw constraintFailed(field, undefined, 'not be null');
  return value;
}

export function checkLength(value: string | undefined, field: string, min: number, max: number, omitValue = false): void {
  if (value === undefined) return;
  if (value.length < min) throw constraintFailed(field, value, `have length greater than or equal to ${min}`, omitValue);
  if (value.length > max) throw constraintFailed(field, value, `have length less than or equal to ${max}`, omitValue);
}

export function checkSecretId(value: string | undefined): string {
  const secretId = requireMember(value, 'secretId');
  checkLength(secretId, 'secretId', 1, 2048);
  if (!secretId.startsWith('arn:') && !namePattern.test(secretId)) throw invalidName();
  return secretId;
}

export function checkName(value: string | undefined): string {
  const name = requireMember(value, 'name');
  checkLength(name, 'name', 1, 512);
  if (!namePattern.test(name)) throw invalidName();
  return name;
}

export function checkToken(value: string | undefined): string | undefined {
  checkLength(value, 'clientRequestToken', 32, 64);
  return value;
}

export function checkDescription(value: string | undefined): string | undefined {
  checkLength(value, 'description', 0, 2048);
  return value;
}

export function checkKmsKeyId(value: string | undefined): string | undefined {
  checkLength(value, 'kmsKeyId', 0, 2048);
  return value;
}

/** SecretString or SecretBinary (base64 on the wire), never both; undefined when neither is given. */
export function checkValue(input: { SecretString?: string; SecretBinary?: string }): SecretValue | undefined {
  const { SecretString: secretString, SecretBinary: secretBinary } = input;
  if (secretString !== undefined && secretBinary !== undefined) {
    throw invalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (secretString !== undefined) {
    checkLength(secretString, 'secretString', 0, maxValueLength, true);
    return { secretString };
  }
  if (secretBinary !== undefined) {
    if (!base64Pattern.test(secretBinary)) {
      throw new ApiError('SerializationException', "Invalid value for 'SecretBinary': expected base64-encoded bytes.");
    }
    const bytes = Buffer.byteLength(secretBinary, 'base64');
    if (bytes > maxValueLength) throw constraintFailed('secretBinary', secretBinary, `have length less than or equal to ${maxValueLength}`, true);
    return { secretBinary };
  }
  return undefined;
}

export function sameValue(a: SecretValue | undefined, b: SecretValue): boolean {
  return a !== undefined && a.secretString === b.secretString && a.secretBinary === b.secretBinary;
}

export interface SecretTag {
  Key: string;
  Value: string;
}

export const maxTags = 50;

export function checkTags(tags: { Key?: string; Value?: string }[] | undefined, field = 'tags'): SecretTag[] {
  if (tags === undefined) return [];
  if (tags.length > maxTags) throw constraintFailed(field, tags, `have length less than or equal to ${maxTags}`, true);
  const seen = new Set<string>();
  return tags.map((tag, index) => {
    const at = `${field}.${index + 1}.member`;
    const key = requireMember(tag.Key, `${at}.key`);
    checkLength(key, `${at}.key`, 1, 128);
    checkLength(tag.Value, `${at}.value`, 0, 256);
    if (/^aws:/i.test(key)) throw invalidParameter(`Tag keys beginning with 'aws:' are reserved for AWS use: ${key} (${field}[${index}]).`);
    if (seen.has(key)) throw invalidParameter(`The tag key ${key} appears more than once in ${field}.`);
    seen.add(key);
    return { Key: key, Value: tag.Value ?? '' };
  });
}

export function checkTagKeys(keys: string[] | undefined): string[] {
  const list = requireMember(keys, 'tagKeys');
  list.forEach((key, index) => checkLength(key, `tagKeys.${index + 1}.member`, 1, 128));
  return list;
}

export function checkVersionStages(stages: string[] | undefined): string[] | undefined {
  if (stages === undefined) return undefined;
  if (stages.length < 1) throw constraintFailed('versionStages', stages, 'have length greater than or equal to 1', true);
  if (stages.length > 20) throw constraintFailed('versionStages', stages, 'have length less than or equal to 20', true);
  stages.forEach((stage, index) => checkLength(stage, `versionStages.${index + 1}.member`, 1, 256));
  return [...new Set(stages)];
}
