/**
 * Runs one controller (controller.ts): turns store changes into dirty keys and reconciles them
 * one at a time.
 *
 * State of the runner:
 *
 *   stopped ──start──▶ starting ──listed, watching──▶ idle ◀──────────────┐
 *                        (readAndWatch: every key                │        │ nothing dirty, nothing due
 *                         dirty, changes after the             trigger    │
 *                         snapshot delivered)                    ▼        │
 *                                                             working ────┘
 *   A trigger is a change batch, a delayed key falling due (a real timer, at most `wakeCapMs`
 *   away, looks at the injected clock), a resync, a lease tick, settle() or kick().
 *
 *   working, one step per turn of the event loop:
 *     1. lease (when the controller has one): a leader renews it every third of its lifetime; a
 *        follower tries to take it on each lease tick. Not leading → forget every queued key and
 *        changes, back to idle (the leader does the work). Taking it after having forgotten → list
 *        every key again.
 *     2. a pending relist (resync, a `lost` batch, a new lease) → every key dirty.
 *     3. pending changes → controller.watch.keysOf → those keys dirty.
 *     4. delayed keys whose time (on the clock) has come → dirty.
 *     5. the oldest dirty key: take it out of the queue (and out of the delayed set), reconcile it.
 *        done → nothing; "requeue after N ms" → delayed until now + N (0: dirty at once);
 *        threw → logged, delayed by a back-off that doubles with each consecutive failure.
 *
 *   Per key: clean ──marked──▶ dirty ──taken──▶ reconciling ──▶ clean | delayed(due) | dirty
 *   A key is queued once however often it is marked; a key marked while it is being reconciled
 *   is queued again and reconciled after, so nothing that changed during a reconcile is missed.
 *
 * Worked example (the service controller, services A, B, C in cluster X):
 *   start: listing → dirty [A, B, C]; each reconciled in turn; B launched 2 tasks and answers
 *     "requeue after 10 000 ms" (its proving window) → delayed {B: t0+10s}; A and C done. idle.
 *   t0+1s: the 2 tasks of B report RUNNING → 2 task changes, group service:B → dirty [B] (once)
 *     → B reconciled (nothing to do yet; still "after 9 000 ms") → delayed {B: t0+10s}.
 *   t0+3s: UpdateService on A → a service change → dirty [A] → A reconciled alone; C untouched.
 *   t0+10s: B falls due → dirty [B] → B reconciled: tasks proven, deployment COMPLETED, done.
 *   An instance of cluster X that runs tasks of A and C disconnects → keysOf reads the tasks on
 *     that instance → dirty [A, C] (plus any service of X waiting for room, and DAEMON services).
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Clock } from '../core/clock.js';
import type { Change, ChangeBatch, Subscription } from '../store/changes.js';
import type { Store } from '../store/types.js';
import type { Controller } from './controller.js';
import type { ControllerTelemetry } from '../telemetry/telemetry.js';

export interface RunnerOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** The first retry of a key whose reconcile threw; each consecutive failure doubles it. */
  retryBaseMs?: number;
  /** The longest retry back-off. */
  retryCapMs?: number;
  /**
   * The longest a real timer sleeps before looking at the clock again: a test that moves the
   * clock ahead sees delayed keys fall due within this, without waiting for the delay itself.
   */
  wakeCapMs?: number;
  /** How often a watching controller that does not lead tries to take its lease. */
  leaseRetryMs?: number;
  /** Where reconcile times and queue depths are reported (Berth's own /metrics). */
  telemetry?: ControllerTelemetry;
}

export class ControllerRunner {
  private readonly dirty = new Set<string>();
  /** Key → when it is due, in the clock's milliseconds. */
  private readonly delayed = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private changes: Change[] = [];
  private relistWanted = false;
  /** The queue holds a full listing made since the last time it was forgotten. */
  private listed = false;
  private running = false;
  private leading = false;
  private leaseTick = false;
  private leaseRenewedAt = Number.NEGATIVE_INFINITY;
  /** Each start begins a generation; a listing that completes after a stop belongs to an old one. */
  private generation = 0;
  private subscription: Subscription | undefined;
  private starting: Promise<void> | undefined;
  private working: Promise<void> | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    readonly controller: Controller,
    private readonly options: RunnerOptions,
  ) {
    options.telemetry?.observeQueue(controller.name, () => this.queued());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const generation = ++this.generation;
    this.leading = this.controller.lease === undefined;
    this.leaseTick = true;
    this.starting = this.begin(generation).catch((error: unknown) => {
      this.options.log.error({ err: error, controller: this.controller.name }, 'controller could not start watching; its resync will list again');
    });
  }

  async stop(): Promise<void> {
    if (!this.running) {
      await this.starting;
      return;
    }
    this.running = false;
    this.generation++;
    for (const timer of this.timers.splice(0)) clearTimeout(timer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    await this.starting;
    this.subscription?.close();
    this.subscription = undefined;
    while (this.working) await this.working;
    if (this.controller.lease && this.leading) await this.controller.lease.release().catch(() => undefined);
    this.leading = false;
    this.forget();
  }

  /** Looks at the queue now (a no-op when a step is under way: it looks again after). */
  kick(): void {
    if (!this.running) return;
    this.working ??= this.drain().finally(() => {
      this.working = undefined;
      if (this.running && (this.changes.length > 0 || this.dirty.size > 0 || this.relistWanted)) this.kick();
      else this.armWakeTimer();
    });
  }

  /**
   * Reconciles every dirty key and every delayed key the clock has reached (trying for the lease
   * first), and resolves once none is left. For tests and benchmarks: move the clock, then settle.
   */
  async settle(): Promise<void> {
    await this.starting;
    this.leaseTick = true;
    this.kick();
    while (this.working) await this.working;
  }

  /** How many keys wait: dirty, and delayed. For tests and benchmarks. */
  queued(): { dirty: number; delayed: number } {
    return { dirty: this.dirty.size, delayed: this.delayed.size };
  }

  private async begin(generation: number): Promise<void> {
    const { controller } = this;
    if (controller.watch) {
      const { value, subscription } = await this.options.store.readAndWatch(
        async (tx) => [...(await controller.listKeys(tx))],
        { kinds: controller.watch.kinds },
        (batch) => this.onChanges(batch),
      );
      if (generation !== this.generation) {
        subscription.close();
        return;
      }
      this.subscription = subscription;
      for (const key of value) this.dirty.add(key);
      this.listed = true;
      if (controller.lease) this.every(this.options.leaseRetryMs ?? 2_000, () => (this.leaseTick = true));
      this.kick();
    }
    if (controller.resync) {
      const { everyMs, firstAfterMs = everyMs } = controller.resync;
      const resync = () => {
        this.relistWanted = true;
        this.leaseTick = true;
        this.kick();
      };
      this.timers.push(
        setTimeout(() => {
          resync();
          this.every(everyMs, resync);
        }, firstAfterMs).unref(),
      );
    }
  }

  /** Runs `action` and kicks every `ms` until stopped. */
  private every(ms: number, action: () => void): void {
    this.timers.push(
      setInterval(() => {
        action();
        this.kick();
      }, ms).unref(),
    );
  }

  private onChanges(batch: ChangeBatch): void {
    if (!this.running) return;
    if (batch.lost) this.relistWanted = true;
    else this.changes.push(...batch.changes);
    this.kick();
  }

  private now(): number {
    return this.options.clock.now().getTime();
  }

  private async drain(): Promise<void> {
    const { controller, options } = this;
    while (this.running) {
      // One step per turn of the event loop: requests and reports keep flowing between keys, and
      // changes committed together arrive before the next step looks at the queue.
      await new Promise((resolve) => setImmediate(resolve));
      if (!this.running) return;
      if (!(await this.holdsLease())) {
        this.forget();
        return;
      }
      if (this.relistWanted) {
        this.relistWanted = false;
        // A listing read now is newer than every change waiting: they are covered by it.
        this.changes = [];
        try {
          for (const key of await options.store.read((tx) => controller.listKeys(tx))) this.dirty.add(key);
          this.listed = true;
        } catch (error) {
          options.log.error({ err: error, controller: controller.name }, 'controller could not list its keys; trying again');
          this.retryListing();
        }
      }
      if (this.changes.length > 0 && controller.watch) {
        const changes = this.changes;
        this.changes = [];
        try {
          for (const key of await controller.watch.keysOf(changes)) this.dirty.add(key);
        } catch (error) {
          options.log.error({ err: error, controller: controller.name }, 'controller could not tell which keys changed; listing them all');
          this.retryListing();
        }
      }
      this.promoteDue();
      const key = this.dirty.values().next().value;
      if (key === undefined) return;
      this.dirty.delete(key);
      this.delayed.delete(key);
      await this.reconcile(key);
    }
  }

  private retryListing(): void {
    const timer = setTimeout(() => {
      this.relistWanted = true;
      this.kick();
    }, this.options.retryBaseMs ?? 1_000).unref();
    this.timers.push(timer);
  }

  private async reconcile(key: string): Promise<void> {
    // Real elapsed time, not the injected clock: this measures the work, it decides nothing.
    const started = performance.now();
    const report = (failed: boolean) => this.options.telemetry?.reconciled(this.controller.name, (performance.now() - started) / 1000, failed);
    try {
      const result = await this.controller.reconcile(key);
      report(false);
      this.failures.delete(key);
      if (result.requeueAfterMs !== undefined) this.delay(key, result.requeueAfterMs);
    } catch (error) {
      report(true);
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      const retryInMs = Math.min(this.options.retryCapMs ?? 60_000, (this.options.retryBaseMs ?? 1_000) * 2 ** (failures - 1));
      this.options.log.error({ err: error, controller: this.controller.name, key, failures, retryInMs }, 'reconcile failed; it is retried after a back-off');
      this.delay(key, retryInMs);
    }
  }

  private delay(key: string, ms: number): void {
    if (ms <= 0) {
      this.dirty.add(key);
      return;
    }
    const due = this.now() + ms;
    const earlier = this.delayed.get(key);
    if (earlier === undefined || due < earlier) this.delayed.set(key, due);
  }

  private promoteDue(): void {
    if (this.delayed.size === 0) return;
    const now = this.now();
    for (const [key, due] of this.delayed) {
      if (due <= now) {
        this.delayed.delete(key);
        this.dirty.add(key);
      }
    }
  }

  private armWakeTimer(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    if (!this.running || this.delayed.size === 0) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const due of this.delayed.values()) earliest = Math.min(earliest, due);
    const wait = Math.max(0, Math.min(earliest - this.now(), this.options.wakeCapMs ?? 1_000));
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.kick();
    }, wait).unref();
  }

  /**
   * Whether this process may reconcile now. A leader renews its lease once a third of its
   * lifetime has passed on the clock; a follower tries on each lease tick.
   */
  private async holdsLease(): Promise<boolean> {
    const lease = this.controller.lease;
    if (!lease) return true;
    const now = this.now();
    const due = this.leading ? now - this.leaseRenewedAt >= (lease.ttlSeconds * 1000) / 3 || this.leaseTick : this.leaseTick;
    if (!due) return this.leading;
    this.leaseTick = false;
    const wasLeading = this.leading;
    try {
      this.leading = await lease.acquire();
    } catch (error) {
      this.options.log.error({ err: error, controller: this.controller.name }, 'could not renew the leader lease');
      this.leading = false;
    }
    this.leaseRenewedAt = now;
    if (this.leading && !wasLeading && !this.listed && this.controller.watch) this.relistWanted = true;
    return this.leading;
  }

  /** Drops all queued work: another process does it, or the runner stopped. */
  private forget(): void {
    this.dirty.clear();
    this.delayed.clear();
    this.failures.clear();
    this.changes = [];
    this.relistWanted = false;
    this.listed = false;
  }
}
