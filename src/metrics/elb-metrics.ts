/**
 * The AWS/ApplicationELB and AWS/NetworkELB metrics of one period, from two samples of the data
 * plane's cumulative counters (DataPlaneCounters) and the load balancers' configuration. Pure: no
 * I/O, no clock; the publisher (controllers/load-balancer-metrics.ts) samples and puts.
 *
 * Names, units and dimensions are AWS's. LoadBalancer is the ARN's suffix after "loadbalancer/"
 * ("app/<name>/<id>", "net/<name>/<id>"); TargetGroup the suffix "targetgroup/<name>/<id>". A target
 * group serves one load balancer, as in AWS.
 *
 * Application Load Balancers:
 *   {LoadBalancer}               RequestCount, HTTPCode_ELB_4XX_Count, HTTPCode_ELB_5XX_Count,
 *                                NewConnectionCount, ProcessedBytes (Bytes), ActiveConnectionCount,
 *                                HTTPCode_Target_2XX..5XX_Count, TargetResponseTime (Seconds)
 *   {LoadBalancer, TargetGroup}  RequestCount, HTTPCode_Target_2XX..5XX_Count, TargetResponseTime,
 *                                RequestCountPerTarget, HealthyHostCount, UnHealthyHostCount
 *   {TargetGroup}                RequestCount, HTTPCode_Target_2XX..5XX_Count, RequestCountPerTarget
 * Network Load Balancers:
 *   {LoadBalancer}               NewFlowCount, ActiveFlowCount, ProcessedBytes (Bytes)
 *   {LoadBalancer, TargetGroup}  HealthyHostCount, UnHealthyHostCount
 *
 * As in AWS, a count is reported only for a period in which it counted something (no requests, no
 * RequestCount point), while HealthyHostCount and UnHealthyHostCount are reported every period.
 * ActiveConnectionCount/ActiveFlowCount are the connections open at the sample, reported while any
 * are open or new ones came.
 *
 * TargetResponseTime: the data plane keeps only the sum of response times, so each period's point
 * is a statistic set {SampleCount: requests, Sum: the sum, Minimum = Maximum = the average}: Average,
 * Sum and SampleCount read as in AWS; Minimum, Maximum and percentiles read as the period's average.
 *
 * RequestCountPerTarget = the target group's requests ÷ its healthy targets at the sample (all its
 * targets when none is healthy; not reported when it has none).
 *
 * Worked example, one ALB "app/web/1" forwarding to "targetgroup/tg/2" with 2 healthy targets:
 * counters went from {lb requests 100, tg requests 90, tg 2xx 88, tg response sum 9.0} to
 * {lb 130, tg 120, 2xx 118, sum 12.0} → RequestCount{LoadBalancer} 30, RequestCount{LoadBalancer,
 * TargetGroup} 30, HTTPCode_Target_2XX_Count 30, TargetResponseTime {n 30, sum 3.0, avg 0.1},
 * RequestCountPerTarget 15, HealthyHostCount 2, UnHealthyHostCount 0.
 */
import type { PublishedPoint } from '../cloudwatch/publisher.js';
import type { Dimension } from '../cloudwatch/storage/types.js';
import type { DataPlaneConfig, DataPlaneCounters, LoadBalancerType } from '../elbv2/data-plane/types.js';
import { counterDeltas } from './counter-deltas.js';

export interface ElbTopology {
  loadBalancers: { arn: string; type: LoadBalancerType }[];
  /** Each target group and the load balancer that forwards to it (none: not in use). */
  targetGroups: { arn: string; loadBalancerArn?: string }[];
}

export interface ScopedPoints {
  scope: { accountId: string; region: string };
  points: PublishedPoint[];
}

/** Which load balancer forwards to which target group, from the data plane's configuration. */
export function topologyOf(config: DataPlaneConfig): ElbTopology {
  const owner = new Map<string, string>();
  for (const lb of config.loadBalancers) {
    for (const listener of lb.listeners) {
      for (const rule of listener.rules) {
        for (const action of rule.actions) {
          if (action.type !== 'forward') continue;
          for (const group of action.targetGroups) if (!owner.has(group.targetGroupArn)) owner.set(group.targetGroupArn, lb.arn);
        }
      }
    }
  }
  return {
    loadBalancers: config.loadBalancers.map((lb) => ({ arn: lb.arn, type: lb.type })),
    targetGroups: config.targetGroups.map((group) => {
      const loadBalancerArn = owner.get(group.arn);
      return loadBalancerArn === undefined ? { arn: group.arn } : { arn: group.arn, loadBalancerArn };
    }),
  };
}

/** arn:aws:elasticloadbalancing:<region>:<account>:<resource> → its parts. */
function arnParts(arn: string): { region: string; accountId: string; resource: string } {
  const parts = arn.split(':');
  return { region: parts[3] ?? '', accountId: parts[4] ?? '', resource: parts.slice(5).join(':') };
}

/** The LoadBalancer dimension's value: "app/<name>/<id>" or "net/<name>/<id>". */
export function loadBalancerDimension(arn: string): string {
  return arnParts(arn).resource.replace(/^loadbalancer\//, '');
}

/** The TargetGroup dimension's value: "targetgroup/<name>/<id>". */
export function targetGroupDimension(arn: string): string {
  return arnParts(arn).resource;
}

const lbCumulative = ['requestCount', 'httpCodeElb4xx', 'httpCodeElb5xx', 'newConnectionCount', 'processedBytes'] as const;
const tgCumulative = ['requestCount', 'httpCodeTarget2xx', 'httpCodeTarget3xx', 'httpCodeTarget4xx', 'httpCodeTarget5xx', 'targetResponseTimeSum'] as const;
const targetCodes = [
  ['HTTPCode_Target_2XX_Count', 'httpCodeTarget2xx'],
  ['HTTPCode_Target_3XX_Count', 'httpCodeTarget3xx'],
  ['HTTPCode_Target_4XX_Count', 'httpCodeTarget4xx'],
  ['HTTPCode_Target_5XX_Count', 'httpCodeTarget5xx'],
] as const;

type TgDeltas = Record<(typeof tgCumulative)[number], number>;

/**
 * The points of the period that ends at `current`, stamped `timestamp` (the period's start), per
 * account and Region. `previous` is the sample at the period's start (undefined: none was taken,
 * so everything counted so far belongs to this period).
 */
export function loadBalancerMetricPoints(topology: ElbTopology, previous: DataPlaneCounters | undefined, current: DataPlaneCounters, timestamp: number): ScopedPoints[] {
  const byScope = new Map<string, ScopedPoints>();
  const add = (arn: string, point: Omit<PublishedPoint, 'timestamp'>) => {
    const { accountId, region } = arnParts(arn);
    const key = `${accountId}/${region}`;
    let entry = byScope.get(key);
    if (!entry) byScope.set(key, (entry = { scope: { accountId, region }, points: [] }));
    entry.points.push({ ...point, timestamp });
  };
  const count = (arn: string, namespace: string, metricName: string, dimensions: Dimension[], value: number, unit: 'Count' | 'Bytes' = 'Count') => {
    if (value > 0) add(arn, { namespace, metricName, dimensions, value: { kind: 'value', value }, unit });
  };
  const responseTime = (arn: string, dimensions: Dimension[], requests: number, sum: number) => {
    if (requests <= 0) return;
    const average = sum / requests;
    add(arn, { namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', dimensions, value: { kind: 'statistics', sampleCount: requests, sum, minimum: average, maximum: average }, unit: 'Seconds' });
  };

  const types = new Map(topology.loadBalancers.map((lb) => [lb.arn, lb.type]));
  const groupTotals = new Map<string, TgDeltas>();
  for (const group of topology.targetGroups) {
    const lbArn = group.loadBalancerArn;
    const now = current.targetGroups[group.arn];
    if (lbArn === undefined || now === undefined || !types.has(lbArn)) continue;
    const namespace = types.get(lbArn) === 'network' ? 'AWS/NetworkELB' : 'AWS/ApplicationELB';
    const both: Dimension[] = [
      { name: 'LoadBalancer', value: loadBalancerDimension(lbArn) },
      { name: 'TargetGroup', value: targetGroupDimension(group.arn) },
    ];
    add(group.arn, { namespace, metricName: 'HealthyHostCount', dimensions: both, value: { kind: 'value', value: now.healthyHostCount }, unit: 'Count' });
    add(group.arn, { namespace, metricName: 'UnHealthyHostCount', dimensions: both, value: { kind: 'value', value: now.unhealthyHostCount }, unit: 'Count' });
    if (namespace !== 'AWS/ApplicationELB') continue;
    const deltas = counterDeltas(previous?.targetGroups[group.arn], now, tgCumulative);
    const totals = groupTotals.get(lbArn) ?? Object.fromEntries(tgCumulative.map((field) => [field, 0])) as TgDeltas;
    for (const field of tgCumulative) totals[field] += deltas[field];
    groupTotals.set(lbArn, totals);
    const only: Dimension[] = [{ name: 'TargetGroup', value: targetGroupDimension(group.arn) }];
    for (const dimensions of [both, only]) {
      count(group.arn, namespace, 'RequestCount', dimensions, deltas.requestCount);
      for (const [metricName, field] of targetCodes) count(group.arn, namespace, metricName, dimensions, deltas[field]);
      const targets = now.healthyHostCount > 0 ? now.healthyHostCount : now.healthyHostCount + now.unhealthyHostCount;
      if (targets > 0 && deltas.requestCount > 0) {
        add(group.arn, { namespace, metricName: 'RequestCountPerTarget', dimensions, value: { kind: 'value', value: deltas.requestCount / targets }, unit: 'Count' });
      }
    }
    responseTime(group.arn, both, deltas.requestCount, deltas.targetResponseTimeSum);
  }

  for (const lb of topology.loadBalancers) {
    const now = current.loadBalancers[lb.arn];
    if (now === undefined) continue;
    const dimensions: Dimension[] = [{ name: 'LoadBalancer', value: loadBalancerDimension(lb.arn) }];
    const deltas = counterDeltas(previous?.loadBalancers[lb.arn], now, lbCumulative);
    const active = now.activeConnectionCount > 0 || deltas.newConnectionCount > 0;
    if (lb.type === 'network') {
      count(lb.arn, 'AWS/NetworkELB', 'NewFlowCount', dimensions, deltas.newConnectionCount);
      if (active) add(lb.arn, { namespace: 'AWS/NetworkELB', metricName: 'ActiveFlowCount', dimensions, value: { kind: 'value', value: now.activeConnectionCount }, unit: 'Count' });
      count(lb.arn, 'AWS/NetworkELB', 'ProcessedBytes', dimensions, deltas.processedBytes, 'Bytes');
      continue;
    }
    const namespace = 'AWS/ApplicationELB';
    count(lb.arn, namespace, 'RequestCount', dimensions, deltas.requestCount);
    count(lb.arn, namespace, 'HTTPCode_ELB_4XX_Count', dimensions, deltas.httpCodeElb4xx);
    count(lb.arn, namespace, 'HTTPCode_ELB_5XX_Count', dimensions, deltas.httpCodeElb5xx);
    count(lb.arn, namespace, 'NewConnectionCount', dimensions, deltas.newConnectionCount);
    count(lb.arn, namespace, 'ProcessedBytes', dimensions, deltas.processedBytes, 'Bytes');
    if (active) add(lb.arn, { namespace, metricName: 'ActiveConnectionCount', dimensions, value: { kind: 'value', value: now.activeConnectionCount }, unit: 'Count' });
    const totals = groupTotals.get(lb.arn);
    if (totals) {
      for (const [metricName, field] of targetCodes) count(lb.arn, namespace, metricName, dimensions, totals[field]);
      responseTime(lb.arn, dimensions, totals.requestCount, totals.targetResponseTimeSum);
    }
  }
  return [...byScope.values()];
}
