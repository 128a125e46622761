/**
 * STS's input constraints, checked before anything is looked up and worded as STS's request
 * validation words them: "1 validation error detected: Value 'a' at 'roleSessionName' failed to
 * satisfy constraint: Member must have length greater than or equal to 2".
 */
import { ApiError, withHelp } from '../core/errors.js';

export function constraintError(field: string, value: unknown, constraint: string): ApiError {
  return new ApiError('ValidationError', `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

/** A string member of `min`–`max` characters matching `pattern` (given as STS's model writes it). */
export function checkString(field: string, value: string, min: number, max: number, pattern?: { regex: RegExp; text: string }): string {
  if (value.length < min) throw constraintError(field, value, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw constraintError(field, value, `Member must have length less than or equal to ${max}`);
  if (pattern && !pattern.regex.test(value)) throw constraintError(field, value, `Member must satisfy regular expression pattern: ${pattern.text}`);
  return value;
}

export const sessionNamePattern = { regex: /^[\w+=,.@-]*$/, text: '[\\w+=,.@-]*' };
export const externalIdPattern = { regex: /^[\w+=,.@:/-]*$/, text: '[\\w+=,.@:\\/-]*' };
const tagKeyPattern = { regex: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, text: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' };
const tagValuePattern = { regex: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, text: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*' };

export function checkRange(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value)) throw constraintError(field, value, 'Member must be a whole number');
  if (value < min) throw constraintError(field, value, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw constraintError(field, value, `Member must have value less than or equal to ${max}`);
  return value;
}

/** Session tags: at most 50, keys 1–128 and values up to 256 characters, no key twice regardless of case. */
export function checkSessionTags(tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined): Record<string, string> {
  const list = tags ?? [];
  if (list.length > 50) throw constraintError('tags', `[${list.map((tag) => `${tag.Key}=${tag.Value}`).join(', ')}]`, 'Member must have length less than or equal to 50');
  const checked: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [index, tag] of list.entries()) {
    const field = `tags.${index + 1}.member`;
    const key = checkString(`${field}.key`, tag.Key ?? '', 1, 128, tagKeyPattern);
    const value = checkString(`${field}.value`, tag.Value ?? '', 0, 256, tagValuePattern);
    if (seen.has(key.toLowerCase())) {
      throw withHelp(new ApiError('InvalidParameterValue', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.'), { field: `Tags.member.${index + 1}.Key`, resource: key });
    }
    seen.add(key.toLowerCase());
    checked[key] = value;
  }
  return checked;
}

/** A member Berth does not offer: refused rather than ignored. */
export function notSupported(field: string, why: string): ApiError {
  return withHelp(new ApiError('ValidationError', `${field} is not supported.`), { field, hint: why });
}
