/** Input checks worded the way ECS words them, each naming the field at fault. */
import { ClientException, InvalidParameterException } from '@aws-sdk/client-ecs';
import { modelled, withHelp, type ErrorHelp } from '../core/errors.js';

export const invalidParameter = (message: string) => modelled(InvalidParameterException, message);
export const clientError = (message: string) => modelled(ClientException, message);
/** A ClientException in ECS's exact words, with the field at fault (and any hint) in berthHelp. */
export const clientErrorAt = (message: string, field: string, hint?: string) => withHelp(clientError(message), { field, ...(hint ? { hint } : {}) });

export function requireString(value: string | undefined, field: string): string {
  if (value === undefined || value === '') throw invalidParameter(`${field} can not be blank.`);
  return value;
}

export function requireList<T>(value: T[] | undefined, field: string): T[] {
  if (value === undefined) throw invalidParameter(`${field} can not be null.`);
  return value;
}

export function checkLength(value: string | undefined, field: string, min: number, max: number): void {
  if (value !== undefined && (value.length < min || value.length > max)) {
    throw invalidParameter(`${field} must be between ${min} and ${max} characters long; it is ${value.length}.`);
  }
}

export function checkRange(value: number | undefined, field: string, min: number, max: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    throw invalidParameter(`${field} must be a whole number from ${min} to ${max}; it is ${value}.`);
  }
}

export function checkEnum<T extends string>(value: string | undefined, field: string, allowed: Record<string, T>): T | undefined {
  if (value === undefined) return undefined;
  const values = Object.values(allowed) as string[];
  if (!values.includes(value)) throw invalidParameter(`${field} must be one of ${values.join(', ')}; got '${value}'.`);
  return value as T;
}

export function checkMaxItems(value: unknown[] | undefined, field: string, max: number): void {
  if (value !== undefined && value.length > max) throw invalidParameter(`${field} can have at most ${max} items; it has ${value.length}.`);
}

/** Names of clusters, families, services: letters, digits, hyphens and underscores, 1–255 characters. */
export function checkResourceName(value: string, field: string): void {
  if (!/^[a-zA-Z0-9_-]{1,255}$/.test(value)) {
    throw invalidParameter(
      `${field} '${value}' is invalid: up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.`,
    );
  }
}
