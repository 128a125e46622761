/**
 * `show stat` as ALB's and NLB's CloudWatch counts (DataPlaneCounters).
 *
 *   per load balancer (its frontends):
 *     requestCount            req_tot (HTTP) or stot (TCP: NLB counts flows)
 *     httpCodeElb4xx/5xx      responses the frontend sent minus those its targets sent: what
 *                             haproxy answered itself (503 no target, 502, 504, 400 …)
 *     activeConnectionCount   scur;  newConnectionCount conn_tot;  processedBytes bin + bout
 *   per target group (its checked and fail-open backends' servers):
 *     requestCount, httpCodeTarget*   the servers' req_tot/stot and hrsp_*
 *     targetResponseTimeSum   rtime × requests: haproxy keeps rtime as the mean of the last 1024
 *                             requests, not a sum, so this is exact only for steady response times
 *     healthy/unhealthyHostCount      from the target health (see health.ts)
 */
import type { DataPlaneConfig, DataPlaneCounters, TargetHealthReport } from '../types.js';
import { backendName, failOpenBackendName, frontendName } from './names.js';
import { isServerRow, numberField, textField, type StatRow } from './stats.js';

export function countersOf(config: DataPlaneConfig, rows: readonly StatRow[], health: readonly TargetHealthReport[]): DataPlaneCounters {
  const frontends = new Map(rows.filter((r) => r.service === 'FRONTEND').map((r) => [r.proxy, r]));
  const serversOf = (backend: string) => rows.filter((r) => r.proxy === backend && isServerRow(r));
  const result: DataPlaneCounters = { loadBalancers: {}, targetGroups: {} };

  const targetGroupResponses = new Map<string, { c4: number; c5: number }>();
  for (const group of config.targetGroups) {
    const checked = backendName(group.arn, group.name);
    const servers = [...serversOf(checked), ...serversOf(failOpenBackendName(checked))];
    const sum = (column: string) => servers.reduce((total, r) => total + numberField(r, column), 0);
    const http = group.protocol === 'HTTP' || group.protocol === 'HTTPS';
    const requestCount = http ? sum('req_tot') : sum('stot');
    const responseTime = servers.reduce((total, r) => total + (numberField(r, 'rtime') / 1000) * (http ? numberField(r, 'req_tot') : numberField(r, 'stot')), 0);
    const states = health.filter((h) => h.targetGroupArn === group.arn);
    result.targetGroups[group.arn] = {
      requestCount,
      httpCodeTarget2xx: sum('hrsp_2xx'),
      httpCodeTarget3xx: sum('hrsp_3xx'),
      httpCodeTarget4xx: sum('hrsp_4xx'),
      httpCodeTarget5xx: sum('hrsp_5xx'),
      targetResponseTimeSum: responseTime,
      healthyHostCount: states.filter((h) => h.state === 'healthy').length,
      unhealthyHostCount: states.filter((h) => h.state === 'unhealthy').length,
    };
    targetGroupResponses.set(group.arn, { c4: sum('hrsp_4xx'), c5: sum('hrsp_5xx') });
  }

  for (const lb of config.loadBalancers) {
    const own = lb.listeners.map((l) => frontends.get(frontendName(lb.name, lb.address, l.port))).filter((r): r is StatRow => r !== undefined);
    const sum = (column: string) => own.reduce((total, r) => total + numberField(r, column), 0);
    // Responses from this load balancer's targets, to tell them from the ones haproxy made.
    const forwarded = new Set(lb.listeners.flatMap((l) => l.rules.flatMap((r) => r.actions.flatMap((a) => (a.type === 'forward' ? a.targetGroups.map((g) => g.targetGroupArn) : [])))));
    const fromTargets = [...forwarded].reduce((t, arn) => ({ c4: t.c4 + (targetGroupResponses.get(arn)?.c4 ?? 0), c5: t.c5 + (targetGroupResponses.get(arn)?.c5 ?? 0) }), { c4: 0, c5: 0 });
    result.loadBalancers[lb.arn] = {
      requestCount: lb.type === 'application' ? sum('req_tot') : sum('stot'),
      httpCodeElb4xx: Math.max(0, sum('hrsp_4xx') - fromTargets.c4),
      httpCodeElb5xx: Math.max(0, sum('hrsp_5xx') - fromTargets.c5),
      activeConnectionCount: sum('scur'),
      newConnectionCount: sum('conn_tot'),
      processedBytes: sum('bin') + sum('bout'),
    };
  }
  return result;
}

const responseColumns = ['hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other'];

/**
 * Whether an HTTP frontend has requests whose answers are not counted yet. haproxy counts a
 * response when its stream ends, a moment after the client has it: a reading taken right after a
 * response may miss it. Open sessions with more requests than counted responses are such streams
 * (or requests still in progress, or ones the client gave up on, which no reading will count).
 */
export function answersPending(rows: readonly StatRow[]): boolean {
  return rows.some((row) => {
    if (row.service !== 'FRONTEND' || textField(row, 'mode') !== 'http' || numberField(row, 'scur') === 0) return false;
    const answered = responseColumns.reduce((total, column) => total + numberField(row, column), 0);
    return numberField(row, 'req_tot') > answered;
  });
}
