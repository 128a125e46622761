import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { storeConformance, type StoreLocation } from './conformance.js';

const writerScript = join(dirname(fileURLToPath(import.meta.url)), 'sqlite-writer.js');

storeConformance({
  name: 'SQLite',
  async create(): Promise<StoreLocation> {
    const root = mkdtempSync(join(tmpdir(), 'berth-store-'));
    const dataDir = join(root, 'data');
    const keyFile = join(root, 'key');
    return {
      async open(options = {}) {
        return new SqliteStore(dataDir, {
          keyFile,
          changes: { pollMs: options.pollMs ?? 0, ...(options.retain !== undefined ? { retain: options.retain } : {}) },
        });
      },
      writerProcess: (count) => ({ command: process.execPath, args: [writerScript, dataDir, keyFile, String(count)] }),
      async dispose() {
        rmSync(root, { recursive: true, force: true });
      },
    };
  },
});
