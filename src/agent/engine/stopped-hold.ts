/**
 * A task's STOPPED report waits until the output of its awslogs containers is acknowledged by
 * CloudWatch Logs. Docker's awslogs driver sends its last batch as the container stops, ahead of
 * the task's STOPPED, so ECS users take STOPPED (`aws ecs wait tasks-stopped`) to mean
 * GetLogEvents has every line; the agent ships from json-file after the fact, and holds the report
 * (the task shows DEPROVISIONING meanwhile) to keep that promise.
 *
 * The hold is bounded: after `stoppedHoldMs` on the agent's clock the task is reported STOPPED
 * anyway, with a warning saying which containers' output was not all shipped (it still follows).
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';

/**
 * 30 s: ECS's default stop timeout (ECS_CONTAINER_STOP_TIMEOUT), the longest a task's stop
 * usually takes. Not the task's own stopTimeout: that is how long the application may take to
 * shut down, which says nothing of how long its last output takes to ship (a stopTimeout of 2 s
 * would cut a burst short, one of 120 s would keep a task whose CloudWatch calls fail from
 * stopping for two minutes).
 */
export const stoppedHoldMs = 30_000;

/** A container whose output is not all acknowledged, and how many events of it wait in the agent. */
export interface UnshippedOutput {
  container: string;
  containerId: string;
  queuedEvents: number;
}

export class StoppedHold {
  /** When the STOPPED report was first held, on the agent's clock. */
  private since: number | undefined;

  constructor(
    private readonly taskArn: string,
    private readonly unshipped: (taskArn: string) => Promise<UnshippedOutput[]>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Whether the STOPPED report must wait yet. */
  async holds(): Promise<boolean> {
    const pending = await this.unshipped(this.taskArn);
    if (pending.length === 0) return false;
    const now = this.clock.now().getTime();
    this.since ??= now;
    if (now - this.since < stoppedHoldMs) return true;
    this.log.warn(
      { task: this.taskArn, unshipped: pending },
      `awslogs: the output of ${pending.map((output) => output.container).join(', ')} is not all acknowledged by CloudWatch Logs after ${stoppedHoldMs / 1000} s; the task is reported STOPPED anyway, and the rest is shipped as it is taken`,
    );
    return false;
  }
}
