/**
 * The registry's garbage collection (the collection itself: registry/gc.ts). A controller with one
 * key, run by the one process holding the lease:
 * - when a manifest or a repository is deleted: the blobs only it referenced and that no push
 *   touched within the grace period can go at once (deleting an old image frees its space now);
 * - every `intervalMs` (the first time within ten seconds of start, so a reset's orphaned files go
 *   soon), for blobs whose grace period ended since, and stale uploads.
 */
import type { Change } from '../store/changes.js';
import type { FastifyBaseLogger } from 'fastify';
import type { GarbageCollector } from '../registry/gc.js';
import type { LeaderLease } from '../store/leader-lease.js';
import type { Store } from '../store/types.js';
import { done, type Reconciled } from './controller.js';
import { RunnableController } from './runnable.js';
import type { Clock } from '../core/clock.js';
import type { ControllerTelemetry } from '../telemetry/telemetry.js';

const key = 'registry-blobs';

export interface RegistryGcDeps {
  /** Where the runner reports reconcile times and queue depths. */
  telemetry?: ControllerTelemetry;
  store: Store;
  clock: Clock;
  log: FastifyBaseLogger;
  gc: GarbageCollector;
  intervalMs: number;
  lease?: LeaderLease;
}

export class RegistryGarbageCollection extends RunnableController {
  readonly resync: { everyMs: number; firstAfterMs: number };
  readonly watch = {
    kinds: ['manifest', 'repository'] as const,
    keysOf: (changes: readonly Change[]) => (changes.some((change) => change.op === 'deleted') ? [key] : []),
  };
  readonly lease?: LeaderLease;

  constructor(private readonly deps: RegistryGcDeps) {
    super('registry-gc', deps);
    this.resync = { everyMs: deps.intervalMs, firstAfterMs: Math.min(deps.intervalMs, 10_000) };
    if (deps.lease) this.lease = deps.lease;
  }

  async listKeys(): Promise<string[]> {
    return [key];
  }

  /** A failed collection waits for the next scheduled one, as a retry would find the same fault. */
  async reconcile(): Promise<Reconciled> {
    try {
      const result = await this.deps.gc.collect();
      if (result.blobsDeleted + result.uploadsDropped + result.orphansDeleted > 0) this.deps.log.info(result, 'registry garbage collected');
    } catch (error) {
      this.deps.log.error({ err: error }, 'registry garbage collection failed; it runs again later');
    }
    return done;
  }
}
