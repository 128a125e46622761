/**
 * A Store that reports each transaction's duration and each write conflict to the telemetry, and
 * otherwise passes every call through to the store it wraps.
 */
import type { ChangeListener, Subscription, WatchOptions } from './changes.js';
import type { ResetScope, Store, StoreTx } from './types.js';
import { StoreConflict } from './types.js';
import type { StoreTelemetry } from '../telemetry/telemetry.js';

export class InstrumentedStore implements Store {
  constructor(
    private readonly inner: Store,
    private readonly telemetry: StoreTelemetry,
  ) {}

  get changes(): Store['changes'] {
    return this.inner.changes;
  }

  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.timed('read', () => this.inner.read(fn));
  }

  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    // The store runs `fn` once per attempt: every run after the first follows a conflict.
    let attempts = 0;
    const counted = (tx: StoreTx) => {
      if (++attempts > 1) this.telemetry.conflict(false);
      return fn(tx);
    };
    return this.timed('write', () => this.inner.write(counted));
  }

  readAndWatch<T>(fn: (tx: StoreTx) => Promise<T>, options: Omit<WatchOptions, 'after'>, listener: ChangeListener): Promise<{ value: T; subscription: Subscription }> {
    return this.inner.readAndWatch(fn, options, listener);
  }

  reset(scope: ResetScope): Promise<void> {
    return this.inner.reset(scope);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Plain promise callbacks, no async wrapper: this runs for every transaction. */
  private timed<T>(kind: 'read' | 'write', work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    return work().then(
      (result) => {
        this.telemetry.transaction(kind, (performance.now() - started) / 1000, false);
        return result;
      },
      (error: unknown) => {
        this.telemetry.transaction(kind, (performance.now() - started) / 1000, true);
        if (kind === 'write' && error instanceof StoreConflict) this.telemetry.conflict(true);
        throw error;
      },
    );
  }
}
