/** ACM's input checks that come before any lookup: ARNs, blobs, tags, paging. */
import { Arn } from '../core/arn.js';
import type { Scope } from '../core/principal.js';
import { constraintFailed, invalidArn, invalidTag, validation } from './errors.js';
import type { CertificateTag } from '../store/contract/acm.js';

const arnPattern = /^arn:[\w+=/,.@-]+:acm:[\w+=/,.@-]*:[0-9]+:[\w+=,.@-]+(\/[\w+=,.@-]+)*$/;

/** A certificate ARN as given; whether it names one of this account and region is the lookup's question. */
export function checkCertificateArn(value: unknown, field = 'certificateArn'): string {
  if (typeof value !== 'string') throw constraintFailed(field, value, 'not be null');
  if (value.length < 20 || value.length > 2048) throw constraintFailed(field, value, 'have length between 20 and 2048');
  if (!arnPattern.test(value)) throw invalidArn(value);
  return value;
}

/** Whether the ARN is in the caller's account and region (ACM never finds others). */
export function inScope(arn: string, scope: Scope): boolean {
  const parsed = Arn.parse(arn);
  return parsed !== undefined && parsed.accountId === scope.accountId && parsed.region === scope.region;
}

/** A blob member: the JSON protocols carry it as base64 text. */
export function blobText(value: unknown, field: string, maxBytes: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value.replace(/\s/g, ''))) throw validation(`Unable to parse ${field}: it must be base64 text`, { field });
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < 1 || bytes.length > maxBytes) throw constraintFailed(field, '[binary]', `have length between 1 and ${maxBytes}`);
  return bytes.toString('utf8');
}

const tagPattern = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
export const maxTags = 50;

export function checkTags(value: unknown, field = 'tags'): CertificateTag[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > maxTags) throw constraintFailed(field, value === undefined ? undefined : `[${(value as unknown[]).length} tags]`, `have length between 1 and ${maxTags}`);
  return value.map((tag: { Key?: unknown; Value?: unknown }, i) => {
    const at = `${field}.${i + 1}.member`;
    if (typeof tag?.Key !== 'string' || tag.Key.length < 1 || tag.Key.length > 128 || !tagPattern.test(tag.Key)) throw constraintFailed(`${at}.key`, tag?.Key, 'have length between 1 and 128 and match the tag key pattern');
    if (tag.Key.toLowerCase().startsWith('aws:')) throw invalidTag(`Tag key '${tag.Key}' uses the reserved prefix aws:`);
    if (tag.Value !== undefined && (typeof tag.Value !== 'string' || tag.Value.length > 256 || !tagPattern.test(tag.Value))) throw constraintFailed(`${at}.value`, tag.Value, 'have length less than or equal to 256 and match the tag value pattern');
    return tag.Value === undefined ? { Key: tag.Key } : { Key: tag.Key, Value: tag.Value };
  });
}
