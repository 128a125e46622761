/**
 * What every log event storage (src/logs/storage/types.ts) must do, as a suite each backend runs
 * with its own factory: order and ties, positions both ways, interleaved scans with predicates,
 * budgets and byte limits, retention, deletion, big batches, restart, and a writer killed with
 * SIGKILL losing nothing it had acknowledged.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { LogEventStorage, StoredLogEvent } from '../../../src/logs/storage/types.js';

export interface StorageUnderTest {
  name: string;
  /** Opens the storage kept in `dir` (the same data after a reopen). */
  open(dir: string): LogEventStorage;
  /**
   * Starts a process that appends to group `g`, stream `s` of the storage in `dir`, batches of
   * `batch` events with messages `<batch>-<index>`, and prints `acked <batch>` after each append returns.
   */
  writer(dir: string, batch: number): ChildProcess;
}

const messages = (events: readonly StoredLogEvent[]) => events.map((event) => event.message);

export function storageConformance(backend: StorageUnderTest): void {
  describe(`log event storage: ${backend.name}`, () => {
    const dirs: string[] = [];
    const fresh = () => {
      const dir = mkdtempSync(join(tmpdir(), 'berth-log-storage-'));
      dirs.push(dir);
      return { dir, storage: backend.open(dir) };
    };
    after(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    it('creates streams once, counts them, and appends only to existing ones', () => {
      const { storage } = fresh();
      assert.equal(storage.createStream('g', 's', 5), true);
      assert.equal(storage.createStream('g', 's', 6), false);
      assert.equal(storage.append('g', 'absent', [{ timestamp: 1, message: 'x' }], 10), undefined);
      const info = storage.append('g', 's', [{ timestamp: 3, message: 'é' }, { timestamp: 7, message: 'ab' }], 10);
      assert.deepEqual(info, { name: 's', creationTime: 5, firstEventTimestamp: 3, lastEventTimestamp: 7, lastIngestionTime: 10, storedBytes: 2 + 26 + 2 + 26, appends: 1 });
      assert.equal(storage.groupBytes('g'), 56);
      assert.deepEqual(storage.groups(), ['g']);
      storage.close();
    });

    it('keeps append order among equal timestamps and reads both ways from positions', () => {
      const { storage } = fresh();
      storage.createStream('g', 's', 0);
      storage.append('g', 's', [{ timestamp: 10, message: 'a' }, { timestamp: 10, message: 'b' }], 1);
      storage.append('g', 's', [{ timestamp: 5, message: 'earlier, later appended' }, { timestamp: 10, message: 'c' }, { timestamp: 20, message: 'd' }], 2);
      const all = storage.read('g', 's', { direction: 'forward', limit: 100 });
      assert.deepEqual(messages(all), ['earlier, later appended', 'a', 'b', 'c', 'd']);
      assert.ok(all.every((event, i) => i === 0 || event.seq !== (all[i - 1] as StoredLogEvent).seq));
      const b = all[2] as StoredLogEvent;
      assert.deepEqual(messages(storage.read('g', 's', { direction: 'forward', from: b, limit: 100 })), ['c', 'd']);
      assert.deepEqual(messages(storage.read('g', 's', { direction: 'backward', from: b, limit: 2 })), ['earlier, later appended', 'a']);
      assert.deepEqual(messages(storage.read('g', 's', { direction: 'backward', limit: 2 })), ['c', 'd']);
      assert.deepEqual(messages(storage.read('g', 's', { direction: 'forward', startTime: 10, endTime: 20, limit: 100 })), ['a', 'b', 'c']);
      assert.deepEqual(messages(storage.read('g', 's', { direction: 'forward', limit: 100, maxBytes: 2 * 27 })), ['earlier, later appended']);
      assert.deepEqual(messages(storage.read('g', 's', { direction: 'forward', from: all.at(-1) as StoredLogEvent, limit: 100 })), []);
      storage.close();
    });

    it('scans a group interleaved by time with a predicate, stream choices, ranges, limits and budgets', () => {
      const { storage } = fresh();
      for (const stream of ['a', 'b', 'c']) storage.createStream('g', stream, 0);
      storage.createStream('other', 'a', 0);
      storage.append('g', 'a', [{ timestamp: 1, message: 'a1 ERROR' }, { timestamp: 4, message: 'a4' }], 1);
      storage.append('g', 'b', [{ timestamp: 2, message: 'b2 ERROR' }, { timestamp: 4, message: 'b4 ERROR' }], 1);
      storage.append('g', 'c', [{ timestamp: 3, message: 'c3' }], 1);
      storage.append('other', 'a', [{ timestamp: 1, message: 'not this group ERROR' }], 1);
      const everything = () => true;
      assert.deepEqual(messages(storage.scan('g', { limit: 100, matches: everything }).events), ['a1 ERROR', 'b2 ERROR', 'c3', 'a4', 'b4 ERROR']);
      const errors = storage.scan('g', { limit: 100, matches: (event) => event.message.includes('ERROR') });
      assert.deepEqual(messages(errors.events), ['a1 ERROR', 'b2 ERROR', 'b4 ERROR']);
      assert.deepEqual(errors.searchedStreams, ['a', 'b', 'c']);
      assert.equal(errors.resumeAfter, undefined);
      assert.deepEqual(messages(storage.scan('g', { limit: 100, streams: ['a', 'c'], matches: everything }).events), ['a1 ERROR', 'c3', 'a4']);
      assert.deepEqual(storage.scan('g', { limit: 100, streamPrefix: 'b', matches: everything }).searchedStreams, ['b']);
      assert.deepEqual(messages(storage.scan('g', { limit: 100, startTime: 2, endTime: 3, matches: everything }).events), ['b2 ERROR', 'c3']);

      // Paging by limit, then by budget: resuming gives each event exactly once.
      const pages = (options: { limit: number; budget?: number }) => {
        const seen: string[] = [];
        let after: StoredLogEvent | { timestamp: number; seq: number } | undefined;
        for (let calls = 0; calls < 20; calls++) {
          const page = storage.scan('g', { ...options, matches: (event) => event.message.includes('ERROR'), ...(after ? { after } : {}) });
          seen.push(...messages(page.events));
          if (!page.resumeAfter) return seen;
          after = page.resumeAfter;
        }
        assert.fail('the scan never finished');
      };
      assert.deepEqual(pages({ limit: 1 }), ['a1 ERROR', 'b2 ERROR', 'b4 ERROR']);
      assert.deepEqual(pages({ limit: 100, budget: 2 }), ['a1 ERROR', 'b2 ERROR', 'b4 ERROR']);
      assert.deepEqual(storage.scan('absent', { limit: 10, matches: everything }), { events: [], searchedStreams: [] });
      storage.close();
    });

    it('expires events before a cut-off, updating counters, and deletes streams and groups', () => {
      const { storage } = fresh();
      storage.createStream('g', 'a', 0);
      storage.createStream('g', 'b', 0);
      storage.append('g', 'a', [{ timestamp: 1, message: 'old' }, { timestamp: 100, message: 'new' }], 1);
      storage.append('g', 'b', [{ timestamp: 2, message: 'old' }], 1);
      assert.equal(storage.expire('g', 50), 2);
      assert.equal(storage.expire('g', 50), 0);
      assert.deepEqual(messages(storage.read('g', 'a', { direction: 'forward', limit: 10 })), ['new']);
      assert.equal(storage.getStream('g', 'a')?.firstEventTimestamp, 100);
      assert.equal(storage.getStream('g', 'b')?.storedBytes, 0);
      assert.equal(storage.groupBytes('g'), 3 + 26);
      storage.compact();
      assert.equal(storage.deleteStream('g', 'a'), true);
      assert.equal(storage.deleteStream('g', 'a'), false);
      assert.deepEqual(storage.read('g', 'a', { direction: 'forward', limit: 10 }), []);
      storage.deleteGroup('g');
      assert.deepEqual(storage.listStreams('g'), []);
      assert.deepEqual(storage.groups(), []);
      storage.close();
    });

    it('never gives a sequence number again, even once its event is deleted, nor after a reopen', () => {
      const { dir, storage } = fresh();
      storage.createStream('g', 'a', 0);
      storage.append('g', 'a', [{ timestamp: 1, message: 'kept' }], 1);
      storage.createStream('g', 'b', 0);
      storage.append('g', 'b', [{ timestamp: 1, message: 'gone' }, { timestamp: 1, message: 'gone too' }], 1);
      const highest = Math.max(...storage.scan('g', { limit: 10, matches: () => true }).events.map((event) => event.seq));
      storage.deleteStream('g', 'b');
      storage.createStream('g', 'b', 0);
      storage.append('g', 'b', [{ timestamp: 1, message: 'new' }], 2);
      const [again] = storage.read('g', 'b', { direction: 'forward', limit: 1 });
      assert.ok((again as StoredLogEvent).seq > highest, `${(again as StoredLogEvent).seq} is new, above ${highest}`);
      storage.deleteGroup('g');
      storage.close();
      const reopened = backend.open(dir);
      reopened.createStream('g', 'c', 0);
      reopened.append('g', 'c', [{ timestamp: 1, message: 'after reopen' }], 3);
      assert.ok((reopened.read('g', 'c', { direction: 'forward', limit: 1 })[0] as StoredLogEvent).seq > (again as StoredLogEvent).seq);
      reopened.close();
    });

    it('takes batches of 10,000 events whole, and keeps them across a reopen', () => {
      const { dir, storage } = fresh();
      storage.createStream('g', 's', 0);
      for (let batch = 0; batch < 5; batch++) {
        storage.append('g', 's', Array.from({ length: 10_000 }, (_, i) => ({ timestamp: batch * 10_000 + i, message: `${batch}-${i} ${'x'.repeat(64)}` })), batch);
      }
      storage.close();
      const reopened = backend.open(dir);
      const info = reopened.getStream('g', 's');
      assert.equal(info?.appends, 5);
      assert.equal(info?.lastEventTimestamp, 49_999);
      const tail = reopened.read('g', 's', { direction: 'backward', limit: 3 });
      assert.deepEqual(messages(tail).map((message) => message.split(' ')[0]), ['4-9997', '4-9998', '4-9999']);
      assert.equal(reopened.scan('g', { limit: 100_000, matches: () => true }).events.length, 50_000);
      reopened.close();
    });

    it('loses nothing it acknowledged when the writing process is killed with SIGKILL', async () => {
      const { dir, storage } = fresh();
      storage.createStream('g', 's', 0);
      storage.close();
      const batch = 2_000;
      const child = backend.writer(dir, batch);
      let acked = 0;
      let output = '';
      child.stdout?.setEncoding('utf8');
      await new Promise<void>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code) => reject(new Error(`the writer exited (${code}) before it was killed`)));
        child.stdout?.on('data', (chunk: string) => {
          output += chunk;
          const lines = output.split('\n');
          output = lines.pop() ?? '';
          for (const line of lines) if (line.startsWith('acked ')) acked = Number(line.slice(6)) + 1;
          if (acked >= 5) resolve();
        });
      });
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
      const reopened = backend.open(dir);
      const kept = reopened.read('g', 's', { direction: 'forward', limit: 10_000_000 });
      assert.ok(kept.length >= acked * batch, `${acked} batches acknowledged, ${kept.length} events kept`);
      // Whole batches only, in order.
      assert.equal(kept.length % batch, 0);
      kept.forEach((event, i) => assert.equal(event.message, `${Math.floor(i / batch)}-${i % batch}`));
      reopened.close();
    });
  });
}
