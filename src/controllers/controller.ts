/**
 * The one shape every long-running controller has (runner.ts runs it).
 *
 * A controller owns a set of keys (service ARNs, repository ARNs, or a single fixed key for a job
 * that is global by nature). It says which store changes concern which of its keys, how to list
 * all of them, and how to reconcile one: re-read what that key names, take one step towards what
 * it should be, and answer whether it is done or wants to be looked at again after a delay (a
 * proving window that ends, a back-off that runs out, a launch batch cut short).
 *
 * Level-triggered: reconcile(key) must act on what the store says now, never on the change that
 * made the key dirty, so a missed, repeated or merged trigger costs at most a delay.
 *
 * Glossary:
 * - dirty key: a key some change (or a listing) marked for reconciling; queued once however often marked.
 * - requeue after N ms: the key is reconciled again once the clock has moved N ms on, unless a
 *   change marks it dirty sooner.
 * - resync: list every key and mark it dirty, as a safety net for anything missed.
 */
import type { Change, ChangeKind } from '../store/changes.js';
import type { LeaderLease } from '../store/leader-lease.js';
import type { StoreTx } from '../store/types.js';

/** What one reconcile answers: done, or look at this key again after `requeueAfterMs`. */
export interface Reconciled {
  readonly requeueAfterMs?: number;
}

export const done: Reconciled = Object.freeze({});

export function requeueAfter(ms: number): Reconciled {
  return { requeueAfterMs: Math.max(0, ms) };
}

/** The earlier of two outcomes' requeues (done when neither asks for one). */
export function sooner(a: Reconciled, b: Reconciled): Reconciled {
  if (a.requeueAfterMs === undefined) return b;
  if (b.requeueAfterMs === undefined) return a;
  return a.requeueAfterMs <= b.requeueAfterMs ? a : b;
}

export interface ControllerWatch {
  /** The change kinds the controller is triggered by. */
  readonly kinds: readonly ChangeKind[];
  /**
   * The keys a batch of committed changes makes dirty. Usually pure (from a change's key and
   * labels); may read the store when a change concerns keys it does not name (a container
   * instance concerns every service of its cluster).
   */
  keysOf(changes: readonly Change[]): Iterable<string> | Promise<Iterable<string>>;
}

export interface Controller {
  /** For logs. */
  readonly name: string;
  /** Absent for a controller that only runs on its resync schedule. */
  readonly watch?: ControllerWatch;
  /** Every key, read in the snapshot the watch starts from: the first pass, a resync, after a `lost` batch. */
  listKeys(tx: StoreTx): Promise<Iterable<string>>;
  /** Re-reads what `key` names, takes one step, and says whether it is done. */
  reconcile(key: string): Promise<Reconciled>;
  /**
   * Lists every key again every `everyMs`, the first time `firstAfterMs` after start. A watching
   * controller lists at start anyway; for one without a watch this is its schedule.
   */
  readonly resync?: { readonly everyMs: number; readonly firstAfterMs?: number };
  /** Held while reconciling when only one process among those sharing the store may run this controller. */
  readonly lease?: LeaderLease;
}
