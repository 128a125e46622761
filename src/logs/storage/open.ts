/** The log event storage of a data directory: its own SQLite file beside the record store's, 0600 as that one is. */
import { join } from 'node:path';
import { createPrivateFile } from '../../store/data-dir.js';
import { logsDatabaseFileName, SqliteLogStorage, type SqliteLogStorageOptions } from './sqlite.js';
import type { LogEventStorage } from './types.js';

export function openLogStorage(dataDir: string, options: SqliteLogStorageOptions = {}): LogEventStorage {
  const path = join(dataDir, logsDatabaseFileName);
  createPrivateFile(path);
  return new SqliteLogStorage(path, options);
}
