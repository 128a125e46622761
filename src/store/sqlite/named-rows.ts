/**
 * A table of records named within an account and region (CloudWatch alarms, log groups, SSM
 * parameters): columns `account_id`, `region`, `name`, `doc` and `version`, and the reads and
 * versioned writes every such table has. The change feed's key of a row is `<account>/<region>/<name>`.
 */
import type { ChangeKind } from '../changes.js';
import { versionOf, type Versioned } from '../contract/core.js';
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
