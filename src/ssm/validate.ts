/** Request checks shared by the Parameter Store operations, made before anything is read. */
import { withHelp } from '../core/errors.js';
import { constraintFailed, tooManyTags, validation } from './errors.js';

export function requireMember<T>(value: T | undefined, field: string): T {
  if (value === undefined || value === null) throw constraintFailed(field, undefined, 'not be null');
  return value;
}

export function checkLength(value: string, field: string, min: number, max: number, omitValue = false): string {
  if (value.length < min) throw constraintFailed(field, value, `have length greater than or equal to ${min}`, omitValue);
  if (value.length > max) throw constraintFailed(field, value, `have length less than or equal to ${max}`, omitValue);
  return value;
}

export function checkBoolean(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw constraintFailed(field, value, 'be a boolean');
  return value;
}

/** A reference list (Names of GetParameters, DeleteParameters): 1 to 10 entries. */
export function checkNames(names: readonly string[] | undefined, field: string): string[] {
  const list = requireMember(names, field);
  if (list.length < 1 || list.length > 10) throw constraintFailed(field, `[${list.join(', ')}]`, `have length ${list.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 10'}`);
  for (const name of list) checkLength(name, field, 1, 2048);
  return [...list];
}

export function checkMaxResults(value: number | undefined, max: number): number {
  if (value === undefined) return max;
  if (!Number.isInteger(value) || value < 1) throw constraintFailed('maxResults', value, 'have value greater than or equal to 1');
  if (value > max) throw constraintFailed('maxResults', value, `have value less than or equal to ${max}`);
  return value;
}

export const maxTags = 50;

export function checkTags(tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined, field = 'tags'): { Key: string; Value: string }[] {
  const list = tags ?? [];
  if (list.length > maxTags) throw tooManyTags();
  return list.map((tag, index) => {
    const key = requireMember(tag.Key, `${field}.${index + 1}.member.key`);
    const value = requireMember(tag.Value, `${field}.${index + 1}.member.value`);
    checkLength(key, `${field}.${index + 1}.member.key`, 1, 128);
    checkLength(value, `${field}.${index + 1}.member.value`, 0, 256);
    if (/^aws:/i.test(key)) throw withHelp(validation('Tag keys beginning with aws: are reserved.'), { field: `Tags[${index}].Key` });
    return { Key: key, Value: value };
  });
}

/** NextToken: the offset of the next item, as an opaque text. */
export function pageOf<T>(items: readonly T[], max: number, token: string | undefined, invalid: () => Error): { items: T[]; NextToken?: string } {
  let start = 0;
  if (token !== undefined) {
    const text = Buffer.from(token, 'base64url').toString('utf8');
    if (!/^offset:\d{1,9}$/.test(text)) throw invalid();
    start = Number(text.slice('offset:'.length));
  }
  const next = start + max;
  return { items: items.slice(start, next), ...(next < items.length ? { NextToken: Buffer.from(`offset:${next}`, 'utf8').toString('base64url') } : {}) };
}
