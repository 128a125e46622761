/**
 * IAM's input constraints, checked before anything is looked up, and worded as IAM's request
 * validation words them: "1 validation error detected: Value 'a b' at 'userName' failed to
 * satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+".
 */
import type { IamTag } from '../store/contract/iam.js';
import { constraintError, invalidInput, limitExceeded } from './errors.js';

const namePattern = /^[\w+=,.@-]+$/;
const pathPattern = /^(\/|\/[\x21-\x7e]+\/)$/;
const pathPrefixPattern = /^\/[\x21-\x7f]*$/;
const tagKeyPattern = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
const tagValuePattern = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** A name member (userName, roleName, …) of at most `maxLength` characters. */
export function checkName(field: string, value: string, maxLength: number): string {
  if (value.length < 1) throw constraintError(field, value, 'Member must have length greater than or equal to 1');
  if (value.length > maxLength) throw constraintError(field, value, `Member must have length less than or equal to ${maxLength}`);
  if (!namePattern.test(value)) throw constraintError(field, value, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
  return value;
}

export function checkPath(value: string | undefined, field = 'path'): string {
  if (value === undefined) return '/';
  if (value.length < 1 || value.length > 512) throw constraintError(field, value, 'Member must have length between 1 and 512');
  if (!pathPattern.test(value)) throw constraintError(field, value, 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
  return value;
}

/** A managed policy's ARN member (policyArn): 20–2048 characters, an ARN. */
export function checkPolicyArn(arn: string | undefined): string {
  const value = arn ?? '';
  if (value.length < 20) throw constraintError('policyArn', value, 'Member must have length greater than or equal to 20');
  if (value.length > 2048) throw constraintError('policyArn', value, 'Member must have length less than or equal to 2048');
  if (!value.startsWith('arn:')) throw invalidInput(`ARN ${value} is not valid.`);
  return value;
}

export function checkPathPrefix(value: string | undefined): string {
  if (value === undefined) return '/';
  if (value.length < 1 || value.length > 512) throw constraintError('pathPrefix', value, 'Member must have length between 1 and 512');
  if (!pathPrefixPattern.test(value)) throw constraintError('pathPrefix', value, 'Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*');
  return value;
}

export function checkDescription(value: string | undefined): string | undefined {
  if (value !== undefined && value.length > 1000) throw constraintError('description', value, 'Member must have length less than or equal to 1000');
  return value;
}

export const maxTags = 50;

/** Tags as given, checked: keys 1–128 characters of IAM's tag alphabet, values up to 256, no key twice, at most 50. */
export function checkTags(tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined): IamTag[] {
  const checked: IamTag[] = [];
  const seen = new Set<string>();
  for (const [index, tag] of (tags ?? []).entries()) {
    const key = tag.Key ?? '';
    const value = tag.Value ?? '';
    const field = `tags.${index + 1}.member`;
    if (key.length < 1 || key.length > 128) throw constraintError(`${field}.key`, key, 'Member must have length between 1 and 128');
    if (!tagKeyPattern.test(key)) throw constraintError(`${field}.key`, key, 'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+');
    if (value.length > 256) throw constraintError(`${field}.value`, value, 'Member must have length less than or equal to 256');
    if (!tagValuePattern.test(value)) throw constraintError(`${field}.value`, value, 'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*');
    if (key.toLowerCase().startsWith('aws:')) throw invalidInput('User is not authorized to create tags with the aws: prefix.');
    if (seen.has(key.toLowerCase())) throw invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(key.toLowerCase());
    checked.push({ Key: key, Value: value });
  }
  if (checked.length > maxTags) throw constraintError('tags', `[${checked.map((tag) => `${tag.Key}=${tag.Value}`).join(', ')}]`, 'Member must have length less than or equal to 50');
  return checked;
}

/** Tags merged as TagUser/TagRole merge them: a key given again takes the new value. */
export function mergeTags(current: readonly IamTag[], added: readonly IamTag[]): IamTag[] {
  const byKey = new Map(current.map((tag) => [tag.Key.toLowerCase(), tag]));
  for (const tag of added) byKey.set(tag.Key.toLowerCase(), tag);
  if (byKey.size > maxTags) throw limitExceeded(`The number of tags has reached the maximum limit.`);
  return [...byKey.values()];
}

export function removeTags(current: readonly IamTag[], keys: readonly string[] | undefined): IamTag[] {
  const removed = new Set((keys ?? []).map((key) => key.toLowerCase()));
  return current.filter((tag) => !removed.has(tag.Key.toLowerCase()));
}
