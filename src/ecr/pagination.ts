/**
 * Pages of ECR's list operations. A nextToken carries the sort key of the last item returned, so a
 * page continues correctly after items before it were deleted; tokens are opaque to callers.
 */
import { constraintFailed } from './errors.js';

export type SortKey = (string | number)[];

export interface PageInput {
  maxResults: number;
  nextToken?: string | undefined;
}

export interface Paged<T> {
  items: T[];
  nextToken?: string;
}

export function encodeToken(key: SortKey): string {
  return Buffer.from(JSON.stringify({ after: key })).toString('base64url');
}

export function decodeToken(token: string): SortKey {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (Array.isArray(parsed.after) && parsed.after.every((part) => typeof part === 'string' || typeof part === 'number')) {
      return parsed.after as SortKey;
    }
  } catch {
    // answered below
  }
  throw invalidToken();
}

export const invalidToken = () => constraintFailed('nextToken', 'Invalid token; pass the nextToken of a previous response unchanged');

export function compareKeys(a: SortKey, b: SortKey): number {
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const left = a[index];
    const right = b[index];
    if (left === right) continue;
    if (left === undefined) return -1;
    if (right === undefined) return 1;
    if (typeof left !== typeof right) return typeof left === 'number' ? -1 : 1;
    return left < right ? -1 : 1;
  }
  return 0;
}

/** One page of `items`, which must be sorted by `keyOf`. */
export function pageOf<T>(items: T[], keyOf: (item: T) => SortKey, input: PageInput): Paged<T> {
  const after = input.nextToken === undefined ? undefined : decodeToken(input.nextToken);
  const start = after === undefined ? 0 : items.findIndex((item) => compareKeys(keyOf(item), after) > 0);
  if (start === -1) return { items: [] };
  const page = items.slice(start, start + input.maxResults);
  const last = page[page.length - 1];
  const more = start + input.maxResults < items.length;
  return { items: page, ...(more && last !== undefined ? { nextToken: encodeToken(keyOf(last)) } : {}) };
}
