/**
 * Tables of records named within an account and region, and the reads and versioned writes each
 * such table has:
 * - keyed by the name (CloudWatch alarms, log groups, SSM parameters): columns `account_id`,
 *   `region`, `name`, `doc` and `version`; the change feed's key of a row is `<account>/<region>/<name>`;
 * - keyed by an ARN (load balancers, target groups, ECR repositories, secrets): columns `arn`, `seq`,
 *   `account_id`, `region`, `name`, `doc`, `version` and any the table adds; the change feed's key is the ARN.
 */
import type { ChangeKind } from '../changes.js';
import { versionOf, type Versioned } from '../contract/core.js';
import type { Page, PageRequest } from '../types.js';
import { pageOf, seqAfter } from './paging.js';
import { deleteRow, parse, writeRow, type DocRow, type Statements } from './statements.js';

export interface NamedRecord extends Versioned {
  accountId: string;
  region: string;
  name: string;
}

export interface NamedRows<T extends NamedRecord> {
  get(accountId: string, region: string, name: string): Promise<T | undefined>;
  /** An account and region's records, by name. */
  list(accountId: string, region: string): Promise<T[]>;
  /** Every account and region's records, by account, region and name. */
  listAll(): Promise<T[]>;
  /** Creates the record, or replaces it if it is still at the version it was read at. */
  put(record: T): Promise<void>;
  /** Deletes the record if it is still at the version it was read at. */
  delete(record: T): Promise<void>;
}

export function namedRows<T extends NamedRecord>(sql: Statements, table: string, kind: ChangeKind): NamedRows<T> {
  const row = (record: T) => ({
    table,
    kind,
    key: `${record.accountId}/${record.region}/${record.name}`,
    keyColumns: { account_id: record.accountId, region: record.region, name: record.name },
    expected: versionOf(record),
  });
  return {
    async get(accountId, region, name) {
      const found = sql.get(`SELECT doc, version FROM ${table} WHERE account_id = ? AND region = ? AND name = ?`).get(accountId, region, name) as DocRow | undefined;
      return found && parse<T>(found);
    },
    async list(accountId, region) {
      const rows = sql.get(`SELECT doc, version FROM ${table} WHERE account_id = ? AND region = ? ORDER BY name`).all(accountId, region) as DocRow[];
      return rows.map(parse<T>);
    },
    async listAll() {
      const rows = sql.get(`SELECT doc, version FROM ${table} ORDER BY account_id, region, name`).all() as DocRow[];
      return rows.map(parse<T>);
    },
    async put(record) {
      writeRow(sql, { ...row(record), columns: { doc: JSON.stringify(record) } });
    },
    async delete(record) {
      deleteRow(sql, row(record));
    },
  };
}

export interface ArnNamedRecord extends NamedRecord {
  arn: string;
}

export interface ArnNamedRows<T extends ArnNamedRecord> {
  get(arn: string): Promise<T | undefined>;
  findByName(accountId: string, region: string, name: string): Promise<T | undefined>;
  /** An account and region's records, in the order they were created. */
  list(accountId: string, region: string, page: PageRequest): Promise<Page<T>>;
  /** Creates the record, or replaces it if it is still at the version it was read at. */
  put(record: T): Promise<void>;
  /** Deletes the row; with `expected`, only while it still has that version. */
  delete(arn: string, expected?: number): Promise<void>;
}

/** `columns`: what the table stores besides the ARN, the names and the document (as a load balancer's address). */
export function arnNamedRows<T extends ArnNamedRecord>(sql: Statements, table: string, kind: ChangeKind, columns: (record: T) => Record<string, unknown> = () => ({})): ArnNamedRows<T> {
  return {
    async get(arn) {
      const row = sql.get(`SELECT doc, version FROM ${table} WHERE arn = ?`).get(arn) as DocRow | undefined;
      return row && parse<T>(row);
    },
    async findByName(accountId, region, name) {
      const row = sql.get(`SELECT doc, version FROM ${table} WHERE account_id = ? AND region = ? AND name = ?`).get(accountId, region, name) as DocRow | undefined;
      return row && parse<T>(row);
    },
    async list(accountId, region, page) {
      const rows = sql
        .get(`SELECT seq, doc, version FROM ${table} WHERE account_id = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?`)
        .all(accountId, region, seqAfter(page), page.limit + 1) as (DocRow & { seq: number })[];
      return pageOf(rows, page, parse<T>, (row) => String(row.seq));
    },
    async put(record) {
      writeRow(sql, {
        table,
        kind,
        key: record.arn,
        keyColumns: { arn: record.arn },
        columns: { account_id: record.accountId, region: record.region, name: record.name, ...columns(record), doc: JSON.stringify(record) },
        expected: versionOf(record),
      });
    },
    async delete(arn, expected) {
      deleteRow(sql, { table, kind, key: arn, keyColumns: { arn }, expected });
    },
  };
}
