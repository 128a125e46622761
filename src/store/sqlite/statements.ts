/**
 * What every SQLite table module shares: the connection's statement cache, the documents read
 * with their row version, and the versioned write every tracked table goes through (see
 * `Versioned` in ../contract/core.ts for the rules).
 */
import type { Database, Statement } from 'better-sqlite3';
import type { ChangeKind } from '../changes.js';
import { StoreConflict, storeVersion, type Versioned } from '../contract/core.js';

/** Prepared statements are cached per SQL text on the connection. */
export class Statements {
  private readonly cache = new Map<string, Statement>();
  /**
   * The records the open transaction has written, by `<kind> <key>`: later writes of them in the
   * same transaction do not compare versions. Cleared when a transaction begins.
   */
  readonly written = new Set<string>();
  constructor(private readonly db: Database) {}
  get(sql: string): Statement {
    let statement = this.cache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }
}

export interface DocRow {
  doc: string;
  version: number;
}

/** A stored document as its record, carrying the row's version. */
export function parse<T>(row: DocRow): T {
  const record = JSON.parse(row.doc) as T & { [storeVersion]?: number };
  record[storeVersion] = row.version;
  return record;
}

/** `record` as read at `version`. */
export function versioned<T extends object>(record: T, version: number): T & Versioned {
  return Object.assign(record, { [storeVersion]: version });
}

/** One row of a tracked table to insert or update. */
export interface RowWrite {
  table: string;
  kind: ChangeKind;
  /** The change feed's key of the row, for the conflict and the transaction's own writes. */
  key: string;
  /** Columns that identify the row, with their values. */
  keyColumns: Record<string, unknown>;
  /** Every other column written, with its value. */
  columns: Record<string, unknown>;
  /** The version the record was read at; undefined to create it. */
  expected: number | undefined;
}

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

/**
 * Writes a row under optimistic concurrency: insert when `expected` is undefined, else update
 * where the row still has that version, setting the next; a row this transaction already wrote
 * is overwritten. Throws StoreConflict when nothing matched.
 */
export function writeRow(sql: Statements, write: RowWrite): void {
  const keyNames = Object.keys(write.keyColumns);
  const names = Object.keys(write.columns);
  const where = keyNames.map((name) => `${name} = ?`).join(' AND ');
  const set = [...names.map((name) => `${name} = ?`), 'version = version + 1'].join(', ');
  const own = `${write.kind} ${write.key}`;
  const keyValues = Object.values(write.keyColumns);
  const values = Object.values(write.columns);
  const insert = () =>
    sql
      .get(`INSERT INTO ${write.table} (${[...keyNames, ...names].join(', ')}) VALUES (${placeholders(keyNames.length + names.length)}) ON CONFLICT DO NOTHING`)
      .run(...keyValues, ...values).changes;
  let changed: number;
  if (sql.written.has(own)) {
    changed = sql.get(`UPDATE ${write.table} SET ${set} WHERE ${where}`).run(...values, ...keyValues).changes;
    if (changed === 0) changed = insert();
  } else if (write.expected === undefined) {
    changed = insert();
  } else {
    changed = sql.get(`UPDATE ${write.table} SET ${set} WHERE ${where} AND version = ?`).run(...values, ...keyValues, write.expected).changes;
  }
  if (changed === 0) throw new StoreConflict(write.kind, write.key, write.expected);
  sql.written.add(own);
}

/**
 * Deletes a row; with `expected`, only while it still has that version (else StoreConflict),
 * unless this transaction wrote it.
 */
export function deleteRow(
  sql: Statements,
  write: Pick<RowWrite, 'table' | 'kind' | 'key' | 'keyColumns' | 'expected'>,
): void {
  const keyNames = Object.keys(write.keyColumns);
  const where = keyNames.map((name) => `${name} = ?`).join(' AND ');
  const compare = write.expected !== undefined && !sql.written.has(`${write.kind} ${write.key}`);
  const changed = compare
    ? sql.get(`DELETE FROM ${write.table} WHERE ${where} AND version = ?`).run(...Object.values(write.keyColumns), write.expected).changes
    : sql.get(`DELETE FROM ${write.table} WHERE ${where}`).run(...Object.values(write.keyColumns)).changes;
  if (compare && changed === 0) throw new StoreConflict(write.kind, write.key, write.expected);
}
