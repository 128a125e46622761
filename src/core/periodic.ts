/**
 * A pass that runs on a timer and on demand: one at a time (a call during a pass shares it), the
 * next timed pass only after the last one ended, and a failed pass simply waits for the next.
 */
export class PeriodicPass<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T> | undefined;

  constructor(private readonly pass: () => Promise<T>) {}

  /**
   * Runs every `intervalMs`, first after `firstDelayMs`; each outcome goes to `report`. A timed
   * pass is skipped when `mayRun` says no (another process leads).
   */
  start(
    intervalMs: number,
    report: (outcome: { result: T } | { error: unknown }) => void,
    firstDelayMs = intervalMs,
    mayRun: () => Promise<boolean> = async () => true,
  ): void {
    const tick = () => {
      mayRun()
        .then((allowed) => (allowed ? this.run().then((result) => report({ result })) : undefined))
        .catch((error: unknown) => report({ error }))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, firstDelayMs).unref();
  }

  /** Stops the timer and waits for a pass under way. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  run(): Promise<T> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
}
