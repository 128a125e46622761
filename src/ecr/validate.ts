/** Input checks for ECR members, each naming the member at fault as ECR's own messages do. */
import { parseDigest } from '../registry/digest.js';
import { repositoryNameProblem } from '../registry/names.js';
import { constraintFailed, requiredMember } from './errors.js';

export function requireMember<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw requiredMember(field);
  return value;
}

export function checkRepositoryName(name: string | undefined, field = 'repositoryName'): string {
  const value = requireMember(name, field);
  const problem = repositoryNameProblem(value);
  if (problem) throw constraintFailed(field, `Member ${problem}, not '${value}'`);
  return value;
}

/** maxResults of ECR's list operations: 1 to 1000. */
export function checkMaxResults(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw constraintFailed('maxResults', 'Member must have value greater than or equal to 1');
  if (value > 1000) throw constraintFailed('maxResults', 'Member must have value less than or equal to 1000');
  return value;
}

export function checkEnum<T extends string>(value: string | undefined, field: string, allowed: readonly T[]): T | undefined {
  if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
    throw constraintFailed(field, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return value as T | undefined;
}

/** A list member with ECR's bounds on its length. */
export function checkListSize<T>(list: T[] | undefined, field: string, min: number, max: number): T[] {
  const value = requireMember(list, field);
  if (value.length < min) throw constraintFailed(field, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw constraintFailed(field, `Member must have length less than or equal to ${max}`);
  return value;
}

export function checkLength(value: string | undefined, field: string, min: number, max: number): void {
  if (value === undefined) return;
  if (value.length < min) throw constraintFailed(field, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw constraintFailed(field, `Member must have length less than or equal to ${max}`);
}

export function isDigest(value: string): boolean {
  return parseDigest(value) !== undefined;
}

/** Members ECR refuses in one request, e.g. repositoryNames with maxResults. */
export function refuseTogether(field: string, other: string): never {
  throw constraintFailed(field, `${field} cannot be used together with ${other}; leave one of them out`);
}
