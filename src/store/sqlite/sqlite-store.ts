/**
 * The embedded SQLite backend.
 *
 * The database file (and SQLite's -wal and -shm files, which take its mode) is 0600, in a data
 * directory that only its owner may read (see ../data-dir.ts). Secret values, credentials and
 * registry settings are sealed with the key in `keyFile` (see ../sealing.ts).
 *
 * Two connections: writes go through one, serialized by a mutex so that an async operation's
 * transaction never interleaves with another's; reads use a second connection that only ever sees
 * committed data (WAL mode lets it read while the writer writes). A third connection reads the
 * change log for the change feed (change-log.ts), outside any transaction of the other two.
 */
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { Mutex } from '../../core/mutex.js';
import { createPrivateFile, createSealingKey, DataDirectoryError, defaultKeyFile, readSealingKey, restrictFile, secureDirectory } from '../data-dir.js';
import { Sealer, SealedValueError } from '../sealing.js';
import type { ChangeListener, Subscription, WatchOptions } from '../changes.js';
import { StoreConflict } from '../contract/core.js';
import { writeAttempts, type ResetScope, type Store, type StoreTx } from '../contract/store.js';
import { SqliteChangeLog, type SqliteChangeLogOptions } from './change-log.js';
import { resetIn, registerArnFunctions } from './reset.js';
import { migrations } from './schema.js';
import { checkSealingKey, holdsSealedValues, sealPlainValues } from './sealed-rows.js';
import { Statements } from './statements.js';
import { sqliteTables } from './tables.js';

export interface SqliteStoreOptions {
  /** The sealing key's file; by default defaultKeyFile(). */
  keyFile?: string;
  /** The change feed's poll for other processes' commits, and how much history it keeps. */
  changes?: SqliteChangeLogOptions;
}

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

/**
 * The sealer of this database: its key file is read, or created when the database holds nothing
 * sealed yet. A missing or different key fails here, saying which file was used.
 */
function sealerFor(db: Database, keyFile: string, databasePath: string): Sealer {
  const existing = readSealingKey(keyFile);
  if (!existing && holdsSealedValues(db)) {
    throw new DataDirectoryError(
      `the secrets in ${databasePath} were sealed with a key that is not at ${keyFile}; pass the key file they were sealed with (--key-file or BERTH_KEY_FILE)`,
    );
  }
  const sealer = new Sealer(existing ?? createSealingKey(keyFile));
  try {
    checkSealingKey(db, sealer);
  } catch (error) {
    if (error instanceof SealedValueError) {
      throw new DataDirectoryError(
        `the key in ${keyFile} does not open the secrets in ${databasePath}; pass the key file they were sealed with (--key-file or BERTH_KEY_FILE)`,
      );
    }
    throw error;
  }
  return sealer;
}

export class SqliteStore implements Store {
  private readonly writer: Database;
  private readonly reader: Database;
  private readonly writeStatements: Statements;
  private readonly writeTables: StoreTx;
  private readonly readTables: StoreTx;
  private readonly writeLock = new Mutex();
  private readonly readLock = new Mutex();
  private readonly feedConnection: Database;
  readonly changes: SqliteChangeLog;

  constructor(dataDir: string, options: SqliteStoreOptions = {}) {
    secureDirectory(dataDir);
    const path = join(dataDir, databaseFileName);
    // SQLite gives its -wal and -shm files the database file's mode.
    createPrivateFile(path);
    for (const suffix of ['-wal', '-shm']) restrictFile(`${path}${suffix}`);
    this.writer = open(path);
    try {
      migrate(this.writer);
      registerArnFunctions(this.writer);
      const sealer = sealerFor(this.writer, options.keyFile ?? defaultKeyFile(), path);
      sealPlainValues(this.writer, sealer);
      this.reader = open(path);
      this.feedConnection = open(path);
      this.changes = new SqliteChangeLog(this.feedConnection, this.writer, options.changes);
      this.writeStatements = new Statements(this.writer);
      this.writeTables = sqliteTables(this.writeStatements, sealer);
      this.readTables = sqliteTables(new Statements(this.reader), sealer);
    } catch (error) {
      this.writer.close();
      throw error;
    }
  }

  readAndWatch<T>(fn: (tx: StoreTx) => Promise<T>, options: Omit<WatchOptions, 'after'>, listener: ChangeListener): Promise<{ value: T; subscription: Subscription }> {
    return this.readLock.run(async () => {
      this.reader.exec('BEGIN');
      let position: number;
      let value: T;
      try {
        // Read inside the snapshot: the changes up to here are in what fn reads, the later ones are delivered.
        position = this.reader.prepare('SELECT COALESCE(MAX(seq), 0) FROM changes').pluck().get() as number;
        value = await fn(this.readTables);
      } finally {
        this.reader.exec('COMMIT');
      }
      return { value, subscription: this.changes.watch({ ...options, after: position }, listener) };
    });
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

  /**
   * Runs `fn` in a transaction; on a StoreConflict rolls back and runs it again, up to
   * `writeAttempts` times. The lock is let go between attempts (a yield, no timer), so a writer
   * queued behind this one gets its turn first.
   */
  async write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.writeLock.run(() => this.attempt(fn));
      } catch (error) {
        if (!(error instanceof StoreConflict) || attempt >= writeAttempts) throw error;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  private async attempt<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    this.writer.exec('BEGIN IMMEDIATE');
    this.writeStatements.written.clear();
    try {
      const result = await fn(this.writeTables);
      this.writer.exec('COMMIT');
      this.changes.publishCommitted();
      return result;
    } catch (error) {
      this.writer.exec('ROLLBACK');
      throw error;
    }
  }

  reset(scope: ResetScope): Promise<void> {
    return this.writeLock.run(async () => {
      resetIn(this.writer, scope);
      this.changes.publishCommitted();
    });
  }

  async close(): Promise<void> {
    await this.writeLock.run(async () => undefined);
    this.changes.close();
    this.feedConnection.close();
    this.reader.close();
    this.writer.close();
  }
}
