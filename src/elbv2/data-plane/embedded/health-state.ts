/**
 * A target's health as ELB's checks decide it: a pure state machine fed with probe results and
 * the time. The shell that probes (health-prober.ts) owns no decision.
 *
 *                 healthyThreshold successes in a row
 *        ┌──────────────────────────────────────────────────┐
 *   initial ──unhealthyThreshold failures in a row──► unhealthy ──healthyThreshold successes──► healthy
 *        │                                                ▲                                        │
 *        └────healthyThreshold successes──► healthy ──────┴──unhealthyThreshold failures in a row──┘
 *
 *  - initial (Elb.InitialHealthChecking): registered, not yet decided; counts both ways from zero.
 *  - healthy: takes traffic.
 *  - unhealthy: the reason is the latest failure's: Target.ResponseCodeMismatch (answered with a
 *    code the matcher refuses), Target.Timeout (no answer within the timeout) or
 *    Target.FailedHealthChecks (connection refused or reset).
 *  - draining (Target.DeregistrationInProgress) is not decided here: it follows from the target's
 *    registration state, and a draining target is no longer probed.
 *
 * A success resets the failure count and a failure the success count: thresholds count probes in
 * a row. An unhealthy target that keeps failing keeps its state (and `since`) but takes the
 * latest reason.
 *
 * Worked example: healthyThreshold 2, unhealthyThreshold 3, interval 1 s, registered at t=0.
 *   t=0 ok   → initial (1 success)
 *   t=1 ok   → healthy since t=1
 *   t=2 500  → healthy (1 failure)
 *   t=3 500  → healthy (2 failures)
 *   t=4 ok   → healthy (the failures no longer count)
 *   t=5..7 timeouts → unhealthy since t=7, Target.Timeout
 *   t=8 500  → unhealthy since t=7, Target.ResponseCodeMismatch
 *   t=9, t=10 ok → healthy since t=10
 */

export type DecidedState = 'initial' | 'healthy' | 'unhealthy';

export type FailureReason = 'Target.ResponseCodeMismatch' | 'Target.Timeout' | 'Target.FailedHealthChecks';

export type ProbeResult = { ok: true } | { ok: false; reason: FailureReason; description: string };

export interface HealthStatus {
  state: DecidedState;
  reason?: string;
  description?: string;
  /** When the state last changed (epoch ms). */
  since: number;
  /** Probes in a row that succeeded / failed. */
  successes: number;
  failures: number;
}

export interface Thresholds {
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export function initialHealth(now: number): HealthStatus {
  return { state: 'initial', reason: 'Elb.InitialHealthChecking', description: 'Initial health checks in progress', since: now, successes: 0, failures: 0 };
}

export function afterProbe(status: HealthStatus, result: ProbeResult, thresholds: Thresholds, now: number): HealthStatus {
  if (result.ok) {
    const successes = status.successes + 1;
    if (status.state !== 'healthy' && successes >= thresholds.healthyThreshold) {
      return { state: 'healthy', since: now, successes, failures: 0 };
    }
    return { ...status, successes, failures: 0 };
  }
  const failures = status.failures + 1;
  if (status.state === 'unhealthy') {
    return { ...status, reason: result.reason, description: result.description, successes: 0, failures };
  }
  if (failures >= thresholds.unhealthyThreshold) {
    return { state: 'unhealthy', reason: result.reason, description: result.description, since: now, successes: 0, failures };
  }
  return { ...status, successes: 0, failures };
}

/**
 * Whether an HTTP status satisfies a matcher: "200", "200,202", "200-299", or a mix of both.
 */
export function matcherAccepts(matcher: string, statusCode: number): boolean {
  return matcher.split(',').some((part) => {
    const [low, high] = part.trim().split('-').map((text) => Number(text.trim()));
    if (low === undefined || Number.isNaN(low)) return false;
    return high === undefined ? statusCode === low : statusCode >= low && statusCode <= high;
  });
}
