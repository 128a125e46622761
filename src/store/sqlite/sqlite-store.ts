/**
 * The embedded SQLite backend.
 *
 * Two connections: writes go through one, serialized by a mutex so that an async operation's
 * transaction never interleaves with another's; reads use a second connection that only ever sees
 * committed data (WAL mode lets it read while the writer writes).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { Mutex } from '../../core/mutex.js';
import type { Store, StoreTx } from '../types.js';
import { migrations, resourceTables } from './schema.js';
import { sqliteTables } from './tables.js';

export const databaseFileName = 'berth.db';

function open(path: string): Database {
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  // NORMAL keeps every committed transaction across a process crash; only an OS crash or power
  // loss can drop the last commits, and never corrupts the file.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}

function migrate(db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < migrations.length; version++) {
    const step = migrations[version] as string;
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

export class SqliteStore implements Store {
  private readonly writer: Database;
  private readonly reader: Database;
  private readonly writeTables: StoreTx;
  private readonly readTables: StoreTx;
  private readonly writeLock = new Mutex();
  private readonly readLock = new Mutex();

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, databaseFileName);
    this.writer = open(path);
    migrate(this.writer);
    this.reader = open(path);
    this.writeTables = sqliteTables(this.writer);
    this.readTables = sqliteTables(this.reader);
  }

  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.readLock.run(async () => {
      this.reader.exec('BEGIN');
      try {
        return await fn(this.readTables);
      } finally {
        this.reader.exec('COMMIT');
      }
    });
  }

  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.writeLock.run(async () => {
      this.writer.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.writeTables);
        this.writer.exec('COMMIT');
        return result;
      } catch (error) {
        this.writer.exec('ROLLBACK');
        throw error;
      }
    });
  }

  reset(): Promise<void> {
    return this.writeLock.run(async () => {
      this.writer.transaction(() => {
        for (const table of resourceTables) this.writer.exec(`DELETE FROM ${table}`);
      })();
    });
  }

  async close(): Promise<void> {
    await this.writeLock.run(async () => undefined);
    this.reader.close();
    this.writer.close();
  }
}
