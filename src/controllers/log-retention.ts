/**
 * Enforces log groups' retention policies: deletes the events older than a group's retention and
 * gives their space back to the file system.
 *
 * A controller keyed by log group (`<account>/<region>/<name>`, the record's key),
 * triggered by log groups being created or changed (PutRetentionPolicy). Each pass expires what is
 * past the cut-off now, then asks to be looked at again when the oldest event left will pass it
 * (at most an hour on, since events may arrive with timestamps older than those kept). No lease:
 * deleting expired events twice is harmless. At start, and then at most an hour apart, it also
 * removes the events of log groups that no longer exist (see sweepOrphans).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../core/clock.js';
import { storageKey } from '../logs/names.js';
import { retentionCutoff } from '../logs/retention.js';
import type { LogEventStorage } from '../logs/storage/types.js';
import type { Change } from '../store/changes.js';
import type { Store, StoreTx } from '../store/types.js';
import { done, requeueAfter, type Reconciled } from './controller.js';
import { RunnableController } from './runnable.js';

export interface LogRetentionDeps {
  store: Store;
  clock: Clock;
  log: FastifyBaseLogger;
  events: LogEventStorage;
  /** The longest a group with retention goes without a pass. */
  maxIntervalMs?: number;
}

const hourMs = 60 * 60 * 1000;

/** The key of the pass that looks for events whose log group is gone (never a group's key: those have two slashes). */
const orphansKey = 'orphans';

/** `<account>/<region>/<name>`: names may hold slashes, accounts and regions never do. */
function splitKey(key: string): { accountId: string; region: string; name: string } | undefined {
  const first = key.indexOf('/');
  const second = key.indexOf('/', first + 1);
  if (first < 0 || second < 0) return undefined;
  return { accountId: key.slice(0, first), region: key.slice(first + 1, second), name: key.slice(second + 1) };
}

export class LogRetention extends RunnableController {
  readonly watch = {
    kinds: ['logGroup'] as const,
    keysOf: (changes: readonly Change[]) => changes.filter((change) => change.op !== 'deleted').map((change) => change.key),
  };
  readonly resync: { everyMs: number };
  private readonly maxIntervalMs: number;

  constructor(private readonly deps: LogRetentionDeps) {
    super('log-retention', deps);
    this.maxIntervalMs = deps.maxIntervalMs ?? hourMs;
    this.resync = { everyMs: this.maxIntervalMs };
  }

  async listKeys(tx: StoreTx): Promise<string[]> {
    return [orphansKey, ...(await tx.logGroups.listWithRetention()).map((group) => `${group.accountId}/${group.region}/${group.name}`)];
  }

  /**
   * Deletes the events of log groups that are gone: what a crash between deleting a group's record
   * and its events left. The storage is listed before the records, so a group created meanwhile
   * (its record always comes before its first stream) is never taken for an orphan.
   */
  private async sweepOrphans(): Promise<Reconciled> {
    const stored = this.deps.events.groups();
    const live = new Set((await this.deps.store.read((tx) => tx.logGroups.listAll())).map(storageKey));
    const orphans = stored.filter((key) => !live.has(key));
    for (const key of orphans) this.deps.events.deleteGroup(key);
    if (orphans.length > 0) {
      this.deps.events.compact();
      this.deps.log.info({ groups: orphans.length }, 'events of deleted log groups removed');
    }
    // Again after the interval, on the injected clock.
    return requeueAfter(this.maxIntervalMs);
  }

  async reconcile(key: string): Promise<Reconciled> {
    if (key === orphansKey) return this.sweepOrphans();
    const parts = splitKey(key);
    if (!parts) return done;
    const group = await this.deps.store.read((tx) => tx.logGroups.get(parts.accountId, parts.region, parts.name));
    if (group?.retentionInDays === undefined) return done;
    const nowMs = this.deps.clock.now().getTime();
    const cutoff = retentionCutoff(group.retentionInDays, nowMs);
    const storage = storageKey(group);
    const deleted = this.deps.events.expire(storage, cutoff);
    if (deleted > 0) {
      this.deps.events.compact();
      this.deps.log.debug({ logGroup: group.name, accountId: group.accountId, region: group.region, deleted }, 'expired log events deleted');
    }
    const oldest = Math.min(...this.deps.events.listStreams(storage).map((stream) => stream.firstEventTimestamp ?? Number.POSITIVE_INFINITY));
    const dueInMs = Number.isFinite(oldest) ? oldest - cutoff : this.maxIntervalMs;
    return requeueAfter(Math.min(Math.max(dueInMs, 1), this.maxIntervalMs));
  }
}
