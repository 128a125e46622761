/**
 * IAM's paging: `MaxItems` (1–1000, 100 by default) and an opaque `Marker`; a truncated answer
 * says `IsTruncated: true` and gives the marker of the next page. Lists are read whole (IAM's
 * quotas keep them small) and the marker is the offset of the next item, base64-encoded.
 */
import { constraintError, validationError } from './errors.js';

export interface PageInput {
  Marker?: string | undefined;
  MaxItems?: number | undefined;
}

export interface PageOutput {
  IsTruncated: boolean;
  Marker?: string;
}

export function pageOf<T>(items: readonly T[], input: PageInput): { items: T[] } & PageOutput {
  const size = input.MaxItems ?? 100;
  if (!Number.isInteger(size) || size < 1) throw constraintError('maxItems', size, 'Member must have value greater than or equal to 1');
  if (size > 1000) throw constraintError('maxItems', size, 'Member must have value less than or equal to 1000');
  let start = 0;
  if (input.Marker !== undefined) {
    const text = Buffer.from(input.Marker, 'base64').toString('utf8');
    if (!/^\d{1,9}$/.test(text)) throw validationError('Invalid Marker.');
    start = Number(text);
  }
  const page = items.slice(start, start + size);
  const truncated = start + size < items.length;
  return { items: page, IsTruncated: truncated, ...(truncated ? { Marker: Buffer.from(String(start + size), 'utf8').toString('base64') } : {}) };
}
