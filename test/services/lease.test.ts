/** The leader lease over a real SQLite store shared by two connections, as two processes would share it. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { LeaderLease } from '../../src/store/leader-lease.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

describe('leader lease', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-lease-'));
  const first = new SqliteStore(dir);
  const second = new SqliteStore(dir);
  after(async () => {
    await first.close();
    await second.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('one holder at a time; renewals keep it; it passes on when released or expired; a lapsed holder is fenced out', async () => {
    const clock = new ManualClock();
    const a = new LeaderLease(first, clock, 'a', 'scheduler', 10);
    const b = new LeaderLease(second, clock, 'b', 'scheduler', 10);
    assert.equal(await a.acquire(), true);
    assert.equal(await b.acquire(), false);
    clock.advance(8_000);
    assert.equal(await a.acquire(), true, 'renewed before expiry');
    clock.advance(8_000);
    assert.equal(await b.acquire(), false, 'the renewal counts from when it was made');
    assert.equal(await first.read((tx) => a.holds(tx)), true);

    clock.advance(3_000);
    assert.equal(await first.read((tx) => a.holds(tx)), false, 'an expired holder no longer holds, even before anyone else takes over');
    assert.equal(await b.acquire(), true, 'taken over after expiry');
    assert.equal(await a.acquire(), false);
    assert.equal(await second.read((tx) => b.holds(tx)), true);

    await b.release();
    assert.equal(await a.acquire(), true, 'taken at once after a release');
  });
});
