/**
 * Checks of input shape every ELBv2 operation shares: members the model requires (answered before
 * any lookup, as AWS does), names, ports and ranges, worded as AWS words them.
 */
import { validationError } from './errors.js';

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);


export function checkPort(port: number, field: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw validationError(`1 validation error detected: Value '${port}' at '${lowerFirst(field)}' failed to satisfy constraint: Member must have value between 1 and 65535`, { field });
  }
}

export function checkRange(value: number, min: number, max: number, field: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw validationError(`1 validation error detected: Value '${value}' at '${lowerFirst(field)}' failed to satisfy constraint: Member must have value ${max === Number.MAX_SAFE_INTEGER ? `greater than or equal to ${min}` : `between ${min} and ${max}`}`, { field });
  }
}

/**
 * Load balancer and target group names: 1–32 characters, letters, digits and hyphens, not
 * beginning or ending with a hyphen; load balancer names also not beginning with `internal-`.
 */
export function checkResourceName(name: string, kind: 'load balancer' | 'target group'): void {
  const label = kind === 'load balancer' ? 'Load balancer' : 'Target group';
  if (name.length === 0 || name.length > 32) throw validationError(`${label} name '${name}' cannot be longer than '32' characters`, { field: 'Name' });
  if (!/^[A-Za-z0-9-]+$/.test(name)) {
    throw validationError(`${label} name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`, { field: 'Name' });
  }
  if (name.startsWith('-') || name.endsWith('-')) throw validationError(`${label} name '${name}' cannot begin or end with '-'`, { field: 'Name' });
  if (kind === 'load balancer' && name.toLowerCase().startsWith('internal-')) {
    throw validationError(`Load balancer name '${name}' cannot begin with 'internal-'`, { field: 'Name' });
  }
}

/** PageSize is 1–400. */
export function checkPageSize(pageSize: number | undefined): number {
  if (pageSize === undefined) return 400;
  checkRange(pageSize, 1, 400, 'PageSize');
  return pageSize;
}

