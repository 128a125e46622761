/**
 * A pass that runs on a timer and on demand: one at a time (a call during a pass shares it), the
 * next timed pass only after the last one ended, and a failed pass simply waits for the next.
 */
export class PeriodicPass<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T> | undefined;
  /** The timed tick under way (asking `mayRun`, then running), which `stop` waits for. */
  private ticking: Promise<void> | undefined;
  /** Each start begins a new chain of ticks; a tick of an earlier chain schedules nothing. */
  private chain = 0;

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
    const chain = ++this.chain;
    const tick = () => {
      this.timer = undefined;
      this.ticking = mayRun()
        .then((allowed) => (allowed && chain === this.chain ? this.run().then((result) => report({ result })) : undefined))
        .catch((error: unknown) => report({ error }))
        .finally(() => {
          this.ticking = undefined;
          if (chain === this.chain) this.timer = setTimeout(tick, intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, firstDelayMs).unref();
  }

  /** Stops the timer and waits for a tick or pass under way; nothing of this start runs after. */
  async stop(): Promise<void> {
    this.chain++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
    await this.running?.catch(() => undefined);
  }

  run(): Promise<T> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
}
