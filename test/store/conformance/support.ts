/** What the conformance suite's sections share: the suite's store and backend, and ways to wait for changes. */
import type { Change, ChangeBatch } from '../../../src/store/changes.js';
import type { Store } from '../../../src/store/types.js';
import type { StoreBackend, StoreLocation } from '../conformance.js';

/** The store the suite opened for a backend, valid once the suite's `before` has run. */
export interface ConformanceSuite {
  backend: StoreBackend;
  store(): Store;
  location(): StoreLocation;
}

/** Resolves once `predicate` holds, checked whenever `notify` is called; fails after `ms`. */
function waitFor(predicate: () => boolean, ms = 10_000): { notify(): void; done: Promise<void> } {
  let resolve!: () => void;
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((ok, fail) => {
    resolve = ok;
    timer = setTimeout(() => fail(new Error(`condition not met within ${ms} ms`)), ms);
  }).finally(() => clearTimeout(timer));
  const notify = () => {
    if (predicate()) resolve();
  };
  return { notify, done };
}

/** Collects a subscription's changes. */
export function collector() {
  const changes: Change[] = [];
  const batches: ChangeBatch[] = [];
  let onBatch = () => {};
  return {
    changes,
    batches,
    listener: (batch: ChangeBatch) => {
      batches.push(batch);
      changes.push(...batch.changes);
      onBatch();
    },
    until(predicate: () => boolean, ms?: number): Promise<void> {
      const wait = waitFor(predicate, ms);
      onBatch = wait.notify;
      wait.notify();
      return wait.done;
    },
  };
}

export const page = (limit: number, after?: string) => ({ limit, ...(after !== undefined ? { after } : {}) });
