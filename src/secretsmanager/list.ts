/** ListSecrets: the caller's secrets in one region, filtered, sorted and paged. */
import { SortByType, SortOrderType, type ListSecretsRequest, type ListSecretsResponse } from '@aws-sdk/client-secrets-manager';
import { epochSeconds, type Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import type { SecretRecord } from '../store/types.js';
import type { SecretsManagerDeps } from './deps.js';
import { constraintFailed, invalidNextToken } from './errors.js';
import { checkFilters, matchesFilters } from './filters.js';
import { isPurged } from './names.js';
import { listEntry } from './present.js';

type SortKey = number | string;

/** Where a secret sorts: by the requested key, then by creation. */
interface Cursor {
  key: SortKey;
  order: number;
}

const defaultMaxResults = 100;

function checkMaxResults(value: number | undefined): number {
  if (value === undefined) return defaultMaxResults;
  if (!Number.isInteger(value) || value < 1) throw constraintFailed('maxResults', value, 'have value greater than or equal to 1');
  if (value > 100) throw constraintFailed('maxResults', value, 'have value less than or equal to 100');
  return value;
}

function checkEnum<T extends string>(value: string | undefined, field: string, allowed: Record<string, T>): T | undefined {
  const values = Object.values(allowed) as string[];
  if (value !== undefined && !values.includes(value)) throw constraintFailed(field, value, `satisfy enum value set: [${values.join(', ')}]`);
  return value as T | undefined;
}

function sortKeyOf(record: SecretRecord, sortBy: SortByType): SortKey {
  switch (sortBy) {
    case 'name':
      return record.name;
    case 'last-changed-date':
      return record.lastChangedDate;
    // Never-read secrets sort before every read one.
    case 'last-accessed-date':
      return record.lastAccessedDate ?? -1;
    case 'created-date':
      return record.createdDate;
  }
}

function compare(a: Cursor, b: Cursor): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return a.order - b.order;
}

function encodeToken(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeToken(token: string): Cursor {
  try {
    const cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Cursor>;
    if ((typeof cursor.key === 'number' || typeof cursor.key === 'string') && Number.isSafeInteger(cursor.order)) {
      return { key: cursor.key, order: cursor.order as number };
    }
  } catch {
    // answered below
  }
  throw invalidNextToken();
}

export function listOperations(deps: SecretsManagerDeps) {
  return {
    async ListSecrets(input: Wire<ListSecretsRequest>, ctx: RequestContext): Promise<Wire<ListSecretsResponse>> {
      const limit = checkMaxResults(input.MaxResults);
      const filters = checkFilters(input.Filters);
      const sortBy = checkEnum(input.SortBy, 'sortBy', SortByType) ?? 'created-date';
      const direction = checkEnum(input.SortOrder, 'sortOrder', SortOrderType) === 'desc' ? -1 : 1;
      const after = input.NextToken === undefined ? undefined : decodeToken(input.NextToken);
      const records = await deps.store.read((tx) => tx.secrets.list(ctx.scope.accountId, ctx.scope.region));
      const now = epochSeconds(ctx.now);
      const listed = records
        .filter(({ record }) => !isPurged(record, now) && (input.IncludePlannedDeletion || record.deletedDate === undefined))
        .filter(({ record }) => matchesFilters(record, filters))
        .map(({ order, record }) => ({ record, cursor: { key: sortKeyOf(record, sortBy), order } }))
        .sort((a, b) => direction * compare(a.cursor, b.cursor));
      const start = after === undefined ? 0 : listed.findIndex((entry) => direction * compare(entry.cursor, after) > 0);
      const page = start === -1 ? [] : listed.slice(start, start + limit);
      const last = page[page.length - 1];
      const more = start !== -1 && start + limit < listed.length;
      return { SecretList: page.map((entry) => listEntry(entry.record)), ...(more && last ? { NextToken: encodeToken(last.cursor) } : {}) };
    },
  };
}
