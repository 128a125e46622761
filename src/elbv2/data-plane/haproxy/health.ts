/**
 * haproxy's view of a server (`show stat`: status, check_status, chkdown, chkfail, lastchg) as
 * ELB's target health. haproxy says UP / DOWN with a count toward the threshold ("UP 1/2" is up,
 * failing once); ELB says:
 *
 *   healthy     the server is UP (also while it fails fewer than `fall` checks in a row);
 *   initial     DOWN and not checked yet, or never up since it was added and passing checks on
 *               its way up: Elb.InitialHealthChecking (Elb.RegistrationInProgress before haproxy
 *               has it). A new target whose check fails is unhealthy at once (ELB waits for
 *               `unhealthyThreshold` failures: haproxy does not count failures of a down server);
 *   unhealthy   DOWN otherwise, with the reason of the last check:
 *                 L7STS (wrong status code)      → Target.ResponseCodeMismatch
 *                 L4TOUT, L6TOUT, L7TOUT         → Target.Timeout
 *                 L4CON, L6RSP, L7RSP, SOCKERR … → Target.FailedHealthChecks
 *   draining    deregistered, still finishing requests: Target.DeregistrationInProgress;
 *   unused      no listener forwards to its target group: Target.NotInUse;
 *   unavailable health checks are disabled: Target.HealthCheckDisabled.
 */
import type { TargetGroupConfig, TargetHealthReport } from '../types.js';
import { backendName, serverName } from './names.js';
import { numberField, textField, type StatRow } from './stats.js';

export interface HealthInput {
  targetGroups: readonly TargetGroupConfig[];
  inUse: ReadonlySet<string>;
  /** Server rows by "backend/server". */
  servers: ReadonlyMap<string, StatRow>;
  now: number;
}

const reasons: Record<string, { reason: string; description: string }> = {
  L7STS: { reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [%code]' },
  L4TOUT: { reason: 'Target.Timeout', description: 'Request timed out' },
  L6TOUT: { reason: 'Target.Timeout', description: 'Request timed out' },
  L7TOUT: { reason: 'Target.Timeout', description: 'Request timed out' },
};

export function targetHealth(input: HealthInput): TargetHealthReport[] {
  const reports: TargetHealthReport[] = [];
  for (const group of input.targetGroups) {
    const backend = backendName(group.arn, group.name);
    for (const target of group.targets) {
      const row = input.servers.get(`${backend}/${serverName(target)}`);
      const base = { targetGroupArn: group.arn, targetId: target.id, port: target.port };
      const since = row === undefined ? target.registeredAt : input.now - numberField(row, 'lastchg') * 1000;
      if (target.state === 'draining') {
        // Gone from haproxy: its deregistration is complete, and ELB no longer lists it.
        if (row !== undefined) reports.push({ ...base, state: 'draining', reason: 'Target.DeregistrationInProgress', description: 'Target deregistration is in progress', since });
        continue;
      }
      if (!input.inUse.has(group.arn)) {
        reports.push({ ...base, state: 'unused', reason: 'Target.NotInUse', description: 'Target group is not configured to receive traffic from the load balancer', since: target.registeredAt });
        continue;
      }
      if (!group.healthCheck.enabled) {
        reports.push({ ...base, state: 'unavailable', reason: 'Target.HealthCheckDisabled', description: 'Health checks are disabled', since: target.registeredAt });
        continue;
      }
      reports.push({ ...base, ...serverHealth(row), since });
    }
  }
  return reports;
}

function serverHealth(row: StatRow | undefined): Pick<TargetHealthReport, 'state' | 'reason' | 'description'> {
  if (row === undefined) return { state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress' };
  const status = textField(row, 'status');
  if (status.startsWith('UP') || status.startsWith('NOLB')) return { state: 'healthy' };
  const check = textField(row, 'check_status').replace(/^\* /, '');
  // A new server is forced down once on its way in (server-sync.ts): that transition is not a failure.
  const neverUp = numberField(row, 'chkdown') <= 1;
  const passing = check === 'L4OK' || check === 'L6OK' || check === 'L7OK' || check === 'L7OKC';
  if (check === 'INI' || check === '' || (neverUp && passing)) {
    return { state: 'initial', reason: 'Elb.InitialHealthChecking', description: 'Initial health checking in progress' };
  }
  const known = reasons[check];
  if (known !== undefined) {
    return { state: 'unhealthy', reason: known.reason, description: known.description.replace('%code', textField(row, 'check_code')) };
  }
  return { state: 'unhealthy', reason: 'Target.FailedHealthChecks', description: 'Health checks failed' };
}

/**
 * haproxy says how long ago a server last changed state in whole seconds (`lastchg`), so `since`
 * computed from it moves by up to a second from one reading to the next. A report whose state and
 * reason are unchanged and whose `since` is within that second of the previous reading's is the
 * same state as before: it keeps the previous `since`, so that reading health twice (or applying
 * the same configuration again) does not look like a change.
 */
export function steadySince(previous: readonly TargetHealthReport[], next: readonly TargetHealthReport[]): TargetHealthReport[] {
  const key = (r: TargetHealthReport) => `${r.targetGroupArn}\n${r.targetId}\n${r.port}`;
  const before = new Map(previous.map((r) => [key(r), r]));
  return next.map((report) => {
    const was = before.get(key(report));
    const same = was !== undefined && was.state === report.state && was.reason === report.reason && Math.abs(was.since - report.since) < 1000;
    return same ? { ...report, since: was.since } : report;
  });
}
