/**
 * The store's core contract: paging, credentials, leases and idempotency records, and what every
 * record shares (its version, compared on every write; see `Versioned`).
 */
import type { SessionInfo } from '../../core/principal.js';

export interface Page<T> {
  items: T[];
  /** Opaque cursor after the last item, present when more items may follow. */
  next?: string;
}

export interface PageRequest {
  /** Cursor to continue after (from a previous Page.next). */
  after?: string;
  limit: number;
}

export interface CredentialRecord extends Versioned {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  principalArn: string;
  isRoot: boolean;
  createdAt: number;
  /**
   * An IAM user's access key may be made Inactive (UpdateAccessKey): signature verification then
   * refuses it, as AWS does, until it is made Active again. Absent means Active.
   */
  status?: 'Active' | 'Inactive';
  /** The unique id (AIDA…) of the IAM user the key belongs to: what GetCallerIdentity answers as its UserId. */
  principalId?: string;
  /** When the key last signed a request, and for which service and region (GetAccessKeyLastUsed). */
  lastUsed?: { at: number; service: string; region: string };
  /**
   * Temporary credentials (an `ASIA…` key from STS): the session token a request must carry in
   * X-Amz-Security-Token, and the session it stands for (its expiry included).
   */
  sessionToken?: string;
  session?: SessionInfo;
}

export interface CredentialsTable {
  get(accessKeyId: string): Promise<CredentialRecord | undefined>;
  put(record: CredentialRecord): Promise<void>;
  /** The account's long-term root key. */
  findRoot(accountId: string): Promise<CredentialRecord | undefined>;
  /** The long-term credentials of one principal (an IAM user's access keys), oldest first; never temporary ones. */
  forPrincipal(principalArn: string): Promise<CredentialRecord[]>;
  /** Every account's long-term root key, oldest first: one per account. */
  roots(): Promise<CredentialRecord[]>;
  /** Every temporary credential (STS's `ASIA…` keys), expired ones included, oldest first. */
  temporary(): Promise<CredentialRecord[]>;
  delete(accessKeyId: string): Promise<void>;
}

/** A named lease: who holds it and until when (epoch seconds). */
export interface LeaseRecord extends Versioned {
  name: string;
  holder: string;
  expiresAt: number;
}

export interface LeasesTable {
  get(name: string): Promise<LeaseRecord | undefined>;
  put(record: LeaseRecord): Promise<void>;
}

export interface IdempotencyTable {
  get(scopeKey: string): Promise<{ requestHash: string; response: string; createdAt: number } | undefined>;
  put(scopeKey: string, requestHash: string, response: string, createdAt: number): Promise<void>;
}

export interface CoreTables {
  credentials: CredentialsTable;
  leases: LeasesTable;
  idempotency: IdempotencyTable;
}

/**
 * Optimistic concurrency. Every record read from the store carries the version of its row under
 * this symbol; a write compares it and sets the next one:
 *
 *   put(record without a version)  → insert; a row already there is a conflict
 *   put(record with version v)     → update where the row's version is still v; else a conflict
 *   delete(key, v)                 → delete where the row's version is still v; else a conflict
 *
 * A symbol, not a member: JSON (the stored document, every API response) never sees it, while
 * `{ ...record, lastStatus }` carries it along, so an update built from what was read compares
 * against what was read. Task and ContainerInstance keep their ECS `version` member apart: ECS
 * bumps that one only for changes it reports (a CloudWatch event), the store bumps its own on
 * every write, internal ones included.
 *
 * Within one transaction, the first write of a record compares; a later write of the same record
 * in that transaction overwrites without comparing, as the first write already proved it current
 * and the transaction holds the row until it commits (a transaction never conflicts with itself).
 */
export const storeVersion: unique symbol = Symbol('berth.storeVersion');

export interface Versioned {
  readonly [storeVersion]?: number;
}

/** The version a record was read at; undefined for a record never stored. */
export const versionOf = (record: Versioned | undefined): number | undefined => record?.[storeVersion];

/** `record` carrying the version of `current` (what was read): for an update built from scratch. */
export function withVersionOf<T extends object>(record: T, current: Versioned | undefined): T {
  const version = versionOf(current);
  return version === undefined ? record : ({ ...record, [storeVersion]: version } as T);
}

/**
 * A write found its record changed (or created, or deleted) since the version it was read at.
 * `Store.write` runs the transaction again a few times before letting this through.
 */
export class StoreConflict extends Error {
  /** Marks the failure as worth retrying for the API edge (see core/errors.ts). */
  readonly transient = true;
  constructor(
    readonly kind: string,
    readonly key: string,
    /** The version the writer read; undefined when it meant to create the record. */
    readonly expectedVersion: number | undefined,
  ) {
    super(
      expectedVersion === undefined
        ? `${kind} ${key} already exists`
        : `${kind} ${key} changed since version ${expectedVersion} was read`,
    );
    this.name = 'StoreConflict';
  }
}
