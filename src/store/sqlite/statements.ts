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
  /** Each tracked table's writer (see rowWriter), made on its first write. */
  readonly writers = new Map<string, RowWriter>();
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

/** A tracked table as its writers see it: the columns that identify a row, and the others. */
export interface TrackedTable {
  table: string;
  kind: ChangeKind;
  keyColumns: readonly string[];
  columns: readonly string[];
}

export interface RowWriter {
  /**
   * Writes a row under optimistic concurrency: insert when `expected` is undefined, else update
   * where the row still has that version, setting the next; a row this transaction already wrote
   * is overwritten. Values in the order of the table's keyColumns and columns. Throws
   * StoreConflict when nothing matched.
   */
  put(key: string, keyValues: readonly unknown[], values: readonly unknown[], expected: number | undefined): void;
  /** Deletes a row; with `expected`, only while it still has that version (else StoreConflict), unless this transaction wrote it. */
  delete(key: string, keyValues: readonly unknown[], expected: number | undefined): void;
}

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

/** The SQL of a tracked table's writes, built once per table. `key` is the change feed's key of the row. */
export function rowWriter(sql: Statements, spec: TrackedTable): RowWriter {
  const where = spec.keyColumns.map((name) => `${name} = ?`).join(' AND ');
  const set = [...spec.columns.map((name) => `${name} = ?`), 'version = version + 1'].join(', ');
  const insertSql = `INSERT INTO ${spec.table} (${[...spec.keyColumns, ...spec.columns].join(', ')}) VALUES (${placeholders(spec.keyColumns.length + spec.columns.length)}) ON CONFLICT DO NOTHING`;
  const overwriteSql = `UPDATE ${spec.table} SET ${set} WHERE ${where}`;
  const compareSql = `${overwriteSql} AND version = ?`;
  const deleteSql = `DELETE FROM ${spec.table} WHERE ${where}`;
  const compareDeleteSql = `${deleteSql} AND version = ?`;
  const own = (key: string) => `${spec.kind} ${key}`;
  return {
    put(key, keyValues, values, expected) {
      const insert = () => sql.get(insertSql).run(...keyValues, ...values).changes;
      let changed: number;
      if (sql.written.has(own(key))) {
        changed = sql.get(overwriteSql).run(...values, ...keyValues).changes;
        if (changed === 0) changed = insert();
      } else if (expected === undefined) {
        changed = insert();
      } else {
        changed = sql.get(compareSql).run(...values, ...keyValues, expected).changes;
      }
      if (changed === 0) throw new StoreConflict(spec.kind, key, expected);
      sql.written.add(own(key));
    },
    delete(key, keyValues, expected) {
      const compare = expected !== undefined && !sql.written.has(own(key));
      const changed = compare ? sql.get(compareDeleteSql).run(...keyValues, expected).changes : sql.get(deleteSql).run(...keyValues).changes;
      if (compare && changed === 0) throw new StoreConflict(spec.kind, key, expected);
    },
  };
}

/** One row of a tracked table to insert or update, named by column. */
export interface RowWrite {
  table: string;
  kind: ChangeKind;
  /** The change feed's key of the row, for the conflict and the transaction's own writes. */
  key: string;
  /** Columns that identify the row, with their values. */
  keyColumns: Record<string, unknown>;
  /** Every other column written, with its value; a table's writes always name the same columns. */
  columns: Record<string, unknown>;
  /** The version the record was read at; undefined to create it. */
  expected: number | undefined;
}

function writerOf(sql: Statements, write: Pick<RowWrite, 'table' | 'kind' | 'keyColumns'> & { columns?: Record<string, unknown> }): RowWriter {
  let writer = sql.writers.get(write.table);
  if (!writer) {
    writer = rowWriter(sql, { table: write.table, kind: write.kind, keyColumns: Object.keys(write.keyColumns), columns: Object.keys(write.columns ?? {}) });
    if (write.columns) sql.writers.set(write.table, writer);
  }
  return writer;
}

/** `rowWriter(...).put` for a write named by column. */
export function writeRow(sql: Statements, write: RowWrite): void {
  writerOf(sql, write).put(write.key, Object.values(write.keyColumns), Object.values(write.columns), write.expected);
}

/** `rowWriter(...).delete` for a row named by column. */
export function deleteRow(sql: Statements, write: Pick<RowWrite, 'table' | 'kind' | 'key' | 'keyColumns' | 'expected'>): void {
  writerOf(sql, write).delete(write.key, Object.values(write.keyColumns), write.expected);
}
