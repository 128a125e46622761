/**
 * Deletes temporary credentials (AssumeRole, GetSessionToken, task roles) once they have expired.
 * Signature verification already refuses them from their expiry on (ExpiredToken); this only
 * keeps the credentials table from growing with sessions nobody can use.
 *
 * A controller keyed by access key id, triggered by credentials being created: a key not yet
 * expired is looked at again when it expires; an expired one is deleted. It reads the credential
 * as it is now, so a key already gone (deleted with its account, or by another process sharing the
 * store) is simply done. No lease: deleting an expired key twice is harmless.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../core/clock.js';
import type { Change } from '../store/changes.js';
import type { Store, StoreTx } from '../store/types.js';
import { done, requeueAfter, type Reconciled } from './controller.js';
import { RunnableController } from './runnable.js';
import type { ControllerTelemetry } from '../telemetry/telemetry.js';

export interface ExpiredSessionsDeps {
  /** Where the runner reports reconcile times and queue depths. */
  telemetry?: ControllerTelemetry;
  store: Store;
  clock: Clock;
  log: FastifyBaseLogger;
  /** How often every temporary key is listed again, as a safety net. */
  resyncIntervalMs?: number;
}

const isTemporary = (accessKeyId: string) => accessKeyId.startsWith('ASIA');

export class ExpiredSessionSweep extends RunnableController {
  readonly watch = {
    kinds: ['credential'] as const,
    keysOf: (changes: readonly Change[]) => changes.filter((change) => change.op !== 'deleted' && isTemporary(change.key)).map((change) => change.key),
  };
  readonly resync: { everyMs: number };

  constructor(private readonly deps: ExpiredSessionsDeps) {
    super('expired-sessions', deps);
    this.resync = { everyMs: deps.resyncIntervalMs ?? 60 * 60 * 1000 };
  }

  async listKeys(tx: StoreTx): Promise<string[]> {
    return (await tx.credentials.temporary()).map((record) => record.accessKeyId);
  }

  async reconcile(accessKeyId: string): Promise<Reconciled> {
    const nowMs = this.deps.clock.now().getTime();
    return this.deps.store.write(async (tx) => {
      const record = await tx.credentials.get(accessKeyId);
      if (!record?.session) return done;
      const expiresAtMs = record.session.expiresAt * 1000;
      if (nowMs < expiresAtMs) return requeueAfter(expiresAtMs - nowMs);
      await tx.credentials.delete(accessKeyId);
      this.deps.log.debug({ accessKeyId, principal: record.principalArn }, 'expired temporary credentials deleted');
      return done;
    });
  }
}
