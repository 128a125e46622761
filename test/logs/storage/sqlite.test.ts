/** The SQLite log event storage passes the conformance suite, and keeps to a disk budget. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openLogStorage } from '../../../src/logs/storage/open.js';
import { LogStorageFull } from '../../../src/logs/storage/types.js';
import { storageConformance } from './conformance.js';

storageConformance({
  name: 'SQLite',
  open: (dir) => openLogStorage(dir),
  writer: (dir, batch) => spawn(process.execPath, [fileURLToPath(new URL('./sqlite-writer.js', import.meta.url)), dir, String(batch)], { stdio: ['ignore', 'pipe', 'inherit'] }),
});

describe('SQLite log event storage with a disk budget', () => {
  it('refuses appends once the file passes it, keeping what was acknowledged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-log-budget-'));
    try {
      const storage = openLogStorage(dir, { maxDiskBytes: 256 * 1024 });
      storage.createStream('g', 's', 0);
      let acknowledged = 0;
      assert.throws(() => {
        for (let n = 0; n < 100; n++) {
          storage.append('g', 's', Array.from({ length: 100 }, (_, i) => ({ timestamp: n, message: `${n}-${i} ${'x'.repeat(100)}` })), n);
          acknowledged += 100;
        }
      }, LogStorageFull);
      assert.ok(acknowledged > 0);
      assert.equal(storage.read('g', 's', { direction: 'forward', limit: 100_000 }).length, acknowledged);
      storage.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
