/**
 * Deleted services stay describable for an hour after they drain, as in ECS; then their rows go.
 * One key, reconciled once a minute on the clock, by the holder of the service scheduler's lease.
 */
import type { Clock } from '../../core/clock.js';
import type { LeaderLease } from '../../store/leader-lease.js';
import type { Store } from '../../store/types.js';
import { requeueAfter, type Controller, type Reconciled } from '../controller.js';

const inactiveRetentionSeconds = 60 * 60;
const purgeEveryMs = 60_000;
const key = 'inactive-services';

export class InactiveServicePurge implements Controller {
  readonly name = 'inactive-service-purge';
  readonly lease: LeaderLease;
  /** Listed at start, then its own requeue keeps it going; the hourly listing only restarts it after another process led. */
  readonly resync = { everyMs: 60 * 60_000, firstAfterMs: 0 };

  constructor(private readonly deps: { store: Store; clock: Clock; lease: LeaderLease }) {
    this.lease = deps.lease;
  }

  async listKeys(): Promise<string[]> {
    return [key];
  }

  async reconcile(): Promise<Reconciled> {
    await this.deps.store.write(async (tx) => {
      if (await this.lease.holds(tx)) await tx.services.purgeInactive(this.deps.clock.now().getTime() / 1000 - inactiveRetentionSeconds);
    });
    return requeueAfter(purgeEveryMs);
  }
}
