/**
 * The consumer of one target's due alarm actions (see action-targets.ts for the whole path): takes
 * each action record of the target's service from the change feed (or from its listing at start),
 * hands it to the target, then in one transaction records the outcome as an Action history item
 * and removes the record.
 *
 * Keyed by the action record's id. At least once: a crash after the target acted but before the
 * outcome committed leaves the record, and it is delivered again. A failed action (the target said
 * so, or threw) is recorded as failed and not retried, as CloudWatch records a failed action.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { done, type Reconciled } from '../../controllers/controller.js';
import { RunnableController } from '../../controllers/runnable.js';
import type { Change } from '../../store/changes.js';
import type { AlarmActionRecord, AlarmHistoryRecord } from '../../store/contract/alarms.js';
import type { LeaderLease } from '../../store/leader-lease.js';
import type { Store, StoreTx } from '../../store/types.js';
import type { ActionOutcome, ActionTarget } from './action-targets.js';

export interface ActionDeliveryDeps {
  store: Store;
  clock: Clock;
  log: FastifyBaseLogger;
  target: ActionTarget;
  lease?: LeaderLease;
}

/** The Action history item of an outcome, in CloudWatch's words. */
export function actionHistoryItem(action: AlarmActionRecord, outcome: ActionOutcome, at: number): AlarmHistoryRecord {
  return {
    accountId: action.accountId,
    region: action.region,
    alarmName: action.alarmName,
    timestamp: at,
    type: 'Action',
    summary: outcome.succeeded ? `Successfully executed action ${action.action}` : `Failed to execute action ${action.action}. Reason: ${outcome.reason}`,
    data: JSON.stringify({
      actionState: outcome.succeeded ? 'Succeeded' : 'Failed',
      stateUpdateTimestamp: action.state.updatedAt,
      notificationResource: action.action,
      ...(outcome.succeeded ? outcome.data : {}),
    }),
  };
}

export class AlarmActionDelivery extends RunnableController {
  readonly watch = {
    kinds: ['alarmAction'] as const,
    keysOf: (changes: readonly Change[]) => changes.filter((change) => change.op !== 'deleted' && change.labels.actionService === this.deps.target.service).map((change) => change.key),
  };
  readonly lease?: LeaderLease;

  constructor(private readonly deps: ActionDeliveryDeps) {
    super(`alarm-actions-${deps.target.service}`, deps);
    if (deps.lease) this.lease = deps.lease;
  }

  async listKeys(tx: StoreTx): Promise<string[]> {
    return (await tx.alarmActions.pending(this.deps.target.service)).map((action) => action.id);
  }

  async reconcile(id: string): Promise<Reconciled> {
    const action = await this.deps.store.read((tx) => tx.alarmActions.get(id));
    if (!action) return done;
    let outcome: ActionOutcome;
    try {
      outcome = await this.deps.target.deliver(action);
    } catch (error) {
      outcome = { succeeded: false, reason: error instanceof Error ? error.message : String(error) };
    }
    const at = this.deps.clock.now().getTime();
    await this.deps.store.write(async (tx) => {
      const current = await tx.alarmActions.get(id);
      // Recorded already by another delivery of the same record.
      if (!current) return;
      await tx.metricAlarms.appendHistory(actionHistoryItem(current, outcome, at));
      await tx.alarmActions.complete(current);
    });
    if (!outcome.succeeded) this.deps.log.warn({ alarm: action.alarmArn, action: action.action, reason: outcome.reason }, 'alarm action failed');
    return done;
  }
}
