/**
 * The store conformance suite: what every backend of `Store` (store/contract/store.ts) must do,
 * registered for one backend by `storeConformance(backend)`. SQLite runs it in sqlite.test.ts; a
 * PostgreSQL backend runs the same function with its own factory.
 *
 * It covers each table kind's reads and writes, paging, optimistic concurrency (stale put, double
 * insert, stale delete, the bounded retry), the change feed (order, completeness under concurrent
 * writers, no phantom, readAndWatch, a second store object on the same data, `lost` after
 * pruning), atomicity, and durability across a restart and a SIGKILL.
 */
import { after, before, describe } from 'node:test';
import type { Store } from '../../src/store/types.js';
import { durabilityCases } from './conformance/durability.js';
import { feedCases } from './conformance/feed.js';
import type { ConformanceSuite } from './conformance/support.js';
import { tableCases } from './conformance/tables.js';
import { versionCases } from './conformance/versions.js';

export interface StoreLocation {
  /** Opens a store object on this location's data; several may be open at once. */
  open(options?: { retain?: number; pollMs?: number }): Promise<Store>;
  /** A process that opens the store here, writes `count` tasks one transaction each, and prints `ack <taskArn>` after each commit. */
  writerProcess(count: number): { command: string; args: string[] };
  dispose(): Promise<void>;
}

export interface StoreBackend {
  name: string;
  /** A new, empty location (data directory, database). */
  create(): Promise<StoreLocation>;
}

export function storeConformance(backend: StoreBackend): void {
  describe(`store conformance: ${backend.name}`, () => {
    let location: StoreLocation;
    let store: Store;
    before(async () => {
      location = await backend.create();
      store = await location.open();
    });
    after(async () => {
      await store.close();
      await location.dispose();
    });
    const suite: ConformanceSuite = { backend, store: () => store, location: () => location };
    tableCases(suite);
    versionCases(suite);
    feedCases(suite);
    durabilityCases(suite);
  });
}
