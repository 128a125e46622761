/**
 * A controller that owns its runner (runner.ts): start, stop and settle are the runner's. The
 * runner is made in the constructor, where it reads only the controller's name; the watch, resync
 * schedule and lease a subclass sets are read when it starts.
 */
import type { StoreTx } from '../store/types.js';
import type { Controller, Reconciled } from './controller.js';
import { ControllerRunner, type RunnerOptions } from './runner.js';

export abstract class RunnableController implements Controller {
  private readonly runner: ControllerRunner;

  constructor(
    readonly name: string,
    options: RunnerOptions,
  ) {
    this.runner = new ControllerRunner(this, options);
  }

  abstract listKeys(tx: StoreTx): Promise<Iterable<string>>;
  abstract reconcile(key: string): Promise<Reconciled>;

  start(): void {
    this.runner.start();
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** Runs every pass that is due now, and waits for it (tests call it after moving the clock). */
  settle(): Promise<void> {
    return this.runner.settle();
  }
}
