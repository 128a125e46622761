/**
 * The service scheduler's delays. Configurable so a test can run them on a clock it moves; the
 * defaults are the scheduler's behaviour.
 */
export interface SchedulerTiming {
  /**
   * How long a task must stay healthy to prove itself: before that, a deployment of it is not
   * COMPLETED (nor the service steady), and it clears no earlier failure from the circuit breaker.
   * A container that crashes a few seconds after it starts is RUNNING, even healthy, for a moment;
   * were that enough, such a revision would complete, and never trip the breaker.
   */
  provenAfterSeconds: number;
  /** The launch back-off's first wait, after the third consecutive failure to start; it doubles from there. */
  backoffBaseSeconds: number;
  /** The launch back-off's longest wait. */
  backoffCapSeconds: number;
}

export const defaultSchedulerTiming: SchedulerTiming = { provenAfterSeconds: 10, backoffBaseSeconds: 5, backoffCapSeconds: 300 };
