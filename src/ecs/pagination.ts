import type { Page, PageRequest } from '../store/types.js';
import { invalidParameter } from './validate.js';

/** ECS Lists: maxResults 1–100 (default 100), nextToken opaque. */
export function pageRequest(input: { maxResults?: number; nextToken?: string }, defaultLimit = 100, maxLimit = 100): PageRequest {
  const { maxResults, nextToken } = input;
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > maxLimit)) {
    throw invalidParameter(`maxResults must be a whole number from 1 to ${maxLimit}; it is ${maxResults}.`);
  }
  return { limit: maxResults ?? defaultLimit, ...(nextToken !== undefined ? { after: decodeToken(nextToken) } : {}) };
}

function decodeToken(token: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (typeof decoded === 'object' && decoded !== null && typeof (decoded as { after?: unknown }).after === 'string') {
      return (decoded as { after: string }).after;
    }
  } catch {
    // fall through to the error below
  }
  throw invalidParameter('nextToken is invalid: pass the nextToken value of a previous response unchanged.');
}

export function nextTokenOf<T>(page: Page<T>): { nextToken?: string } {
  return page.next === undefined ? {} : { nextToken: Buffer.from(JSON.stringify({ after: page.next })).toString('base64url') };
}
