/** Input checks shared by the CloudWatch Logs operations, with CloudWatch Logs' limits. */
import { constraintFailed, invalidParameter } from './errors.js';

export function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw constraintFailed(field, undefined, 'not be null');
  return value;
}

export function checkLength(value: string, field: string, min: number, max: number): string {
  if (value.length < min) throw constraintFailed(field, value, `have length greater than or equal to ${min}`);
  if (value.length > max) throw constraintFailed(field, value, `have length less than or equal to ${max}`);
  return value;
}

export function checkPattern(value: string, field: string, pattern: RegExp, shown: string): string {
  if (!pattern.test(value)) throw constraintFailed(field, value, `satisfy regular expression pattern: ${shown}`);
  return value;
}

export function checkGroupName(value: string | undefined, field = 'logGroupName'): string {
  const name = checkLength(required(value, field), field, 1, 512);
  return checkPattern(name, field, /^[.\-_/#A-Za-z0-9]+$/, '[\\.\\-_/#A-Za-z0-9]+');
}

export function checkStreamName(value: string | undefined, field = 'logStreamName'): string {
  const name = checkLength(required(value, field), field, 1, 512);
  return checkPattern(name, field, /^[^:*]*$/, '[^:*]*');
}

export function checkLimit(value: number | undefined, field: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) throw constraintFailed(field, value, 'have value greater than or equal to 1');
  if (value > max) throw constraintFailed(field, value, `have value less than or equal to ${max}`);
  return value;
}

/** A list of 1 to `max` items, each checked as `<field>.<n>.member`; undefined stays undefined. */
export function checkList<T>(list: readonly T[] | undefined, field: string, max: number, each: (item: T, field: string) => void, noun = 'items'): readonly T[] | undefined {
  if (list === undefined) return undefined;
  if (list.length < 1) throw constraintFailed(field, '[]', 'have length greater than or equal to 1');
  if (list.length > max) throw constraintFailed(field, `(${list.length} ${noun})`, `have length less than or equal to ${max}`);
  list.forEach((item, index) => each(item, `${field}.${index + 1}.member`));
  return list;
}

export function checkTime(value: number | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0) throw constraintFailed(field, value, 'have value greater than or equal to 0');
  return value;
}

export const maxTags = 50;

export function checkTags(tags: Record<string, string>, field = 'tags'): Record<string, string> {
  const keys = Object.keys(tags);
  if (keys.length < 1) throw constraintFailed(field, '{}', 'have length greater than or equal to 1');
  if (keys.length > maxTags) throw constraintFailed(field, `(${keys.length} tags)`, `have length less than or equal to ${maxTags}`);
  for (const [key, value] of Object.entries(tags)) {
    checkLength(key, `${field}.key`, 1, 128);
    checkPattern(key, `${field}.key`, /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, '^(?!aws:)([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$');
    checkLength(value, `${field}.value`, 0, 256);
    checkPattern(value, `${field}.value`, /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$');
  }
  return tags;
}

export function checkTagKeys(keys: readonly string[], field: string): readonly string[] {
  if (keys.length < 1) throw constraintFailed(field, '[]', 'have length greater than or equal to 1');
  if (keys.length > maxTags) throw constraintFailed(field, `(${keys.length} keys)`, `have length less than or equal to ${maxTags}`);
  for (const key of keys) checkLength(key, `${field}.member`, 1, 128);
  return keys;
}

/** Two inputs that name the same thing two ways; at most one may be given. */
export function exclusive(a: unknown, b: unknown, message: string): void {
  if (a !== undefined && b !== undefined) throw invalidParameter(message);
}
