/**
 * Leadership among control-plane processes sharing one store: a named lease with a holder and an
 * expiry, taken or renewed in a store transaction. Only the holder reconciles, and every one of
 * its reconciling transactions first checks, inside the transaction, that it still holds an
 * unexpired lease. Store writes are serialized (SQLite's write lock spans processes), so a
 * process that lost the lease while paused can never write on stale authority: no double launches.
 */
import type { Clock } from '../core/clock.js';
import { withVersionOf, type Store, type StoreTx } from './types.js';

export class LeaderLease {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly holder: string,
    readonly name = 'service-scheduler',
    readonly ttlSeconds = 15,
  ) {}

  private now(): number {
    return this.clock.now().getTime() / 1000;
  }

  /** Takes the lease if free or expired, renews it if ours. True while this process leads. */
  acquire(): Promise<boolean> {
    return this.store.write(async (tx) => {
      const lease = await tx.leases.get(this.name);
      const now = this.now();
      if (lease && lease.holder !== this.holder && lease.expiresAt > now) return false;
      await tx.leases.put(withVersionOf({ name: this.name, holder: this.holder, expiresAt: now + this.ttlSeconds }, lease));
      return true;
    });
  }

  /** Within a transaction: whether this process holds the lease right now. */
  async holds(tx: StoreTx): Promise<boolean> {
    const lease = await tx.leases.get(this.name);
    return lease !== undefined && lease.holder === this.holder && lease.expiresAt > this.now();
  }

  /** Gives the lease up (on shutdown), so another process need not wait for it to expire. */
  async release(): Promise<void> {
    await this.store.write(async (tx) => {
      const lease = await tx.leases.get(this.name);
      if (lease?.holder === this.holder) await tx.leases.put({ ...lease, expiresAt: 0 });
    });
  }
}
