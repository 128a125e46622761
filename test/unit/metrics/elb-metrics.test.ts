/** The load balancers' metrics of a period from two counter samples: deltas, restarts, AWS's names and dimensions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { counterDeltas } from '../../../src/metrics/counter-deltas.js';
import { loadBalancerMetricPoints, topologyOf, type ElbTopology } from '../../../src/metrics/elb-metrics.js';
import type { DataPlaneCounters } from '../../../src/elbv2/data-plane/types.js';

const alb = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/web/1';
const tg = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/tg/2';
const nlb = 'arn:aws:elasticloadbalancing:eu-west-1:222222222222:loadbalancer/net/tcp/3';
const ntg = 'arn:aws:elasticloadbalancing:eu-west-1:222222222222:targetgroup/ntg/4';
const topology: ElbTopology = {
  loadBalancers: [
    { arn: alb, type: 'application' },
    { arn: nlb, type: 'network' },
  ],
  targetGroups: [
    { arn: tg, loadBalancerArn: alb },
    { arn: ntg, loadBalancerArn: nlb },
    { arn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/unused/5' },
  ],
};
const lbCounts = (requestCount: number, extra: Partial<DataPlaneCounters['loadBalancers'][string]> = {}) => ({
  requestCount,
  httpCodeElb4xx: 0,
  httpCodeElb5xx: 0,
  activeConnectionCount: 0,
  newConnectionCount: 0,
  processedBytes: 0,
  ...extra,
});
const tgCounts = (requestCount: number, extra: Partial<DataPlaneCounters['targetGroups'][string]> = {}) => ({
  requestCount,
  httpCodeTarget2xx: requestCount,
  httpCodeTarget3xx: 0,
  httpCodeTarget4xx: 0,
  httpCodeTarget5xx: 0,
  targetResponseTimeSum: requestCount * 0.1,
  healthyHostCount: 2,
  unhealthyHostCount: 0,
  ...extra,
});

/** "namespace metric dim=value,…" → the point's value, for compact comparisons. */
function flatten(result: ReturnType<typeof loadBalancerMetricPoints>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { scope, points } of result) {
    for (const point of points) {
      const dims = point.dimensions.map((d) => `${d.name}=${d.value}`).join(',');
      const value = point.value.kind === 'value' ? point.value.value : point.value;
      out[`${scope.accountId} ${point.namespace} ${point.metricName} ${dims}`] = point.unit === 'Count' ? value : [value, point.unit];
    }
  }
  return out;
}

describe('counter deltas', () => {
  const fields = ['requests', 'bytes'] as const;
  const cases: [string, { requests: number; bytes: number } | undefined, { requests: number; bytes: number }, { requests: number; bytes: number }][] = [
    ['counted on', { requests: 120, bytes: 9000 }, { requests: 150, bytes: 12000 }, { requests: 30, bytes: 3000 }],
    ['nothing new', { requests: 120, bytes: 9000 }, { requests: 120, bytes: 9000 }, { requests: 0, bytes: 0 }],
    ['restarted: counts since the restart, never negative', { requests: 120, bytes: 9000 }, { requests: 7, bytes: 500 }, { requests: 7, bytes: 500 }],
    ['restarted, one counter already past its old value', { requests: 120, bytes: 9000 }, { requests: 7, bytes: 12000 }, { requests: 7, bytes: 12000 }],
    ['first seen: counted from zero', undefined, { requests: 7, bytes: 500 }, { requests: 7, bytes: 500 }],
  ];
  for (const [name, previous, current, expected] of cases) {
    it(name, () => assert.deepEqual(counterDeltas(previous, current, fields), expected));
  }
});

describe('load balancer metrics of a period', () => {
  it('the worked example: an ALB and its target group, with AWS names, dimensions and units', () => {
    const previous: DataPlaneCounters = { loadBalancers: { [alb]: lbCounts(100) }, targetGroups: { [tg]: tgCounts(90) } };
    const current: DataPlaneCounters = {
      loadBalancers: { [alb]: lbCounts(130, { httpCodeElb5xx: 2, newConnectionCount: 5, activeConnectionCount: 1, processedBytes: 4096 }) },
      targetGroups: { [tg]: tgCounts(120, { httpCodeTarget2xx: 118, httpCodeTarget5xx: 2, targetResponseTimeSum: 12 }) },
    };
    previous.targetGroups[tg]!.httpCodeTarget2xx = 88;
    previous.targetGroups[tg]!.targetResponseTimeSum = 9;
    const result = loadBalancerMetricPoints(topology, previous, current, 60_000);
    assert.ok(result.every((entry) => entry.points.every((point) => point.timestamp === 60_000)));
    const both = 'LoadBalancer=app/web/1,TargetGroup=targetgroup/tg/2';
    const responseTime = [{ kind: 'statistics', sampleCount: 30, sum: 3, minimum: 0.1, maximum: 0.1 }, 'Seconds'];
    assert.deepEqual(flatten(result), {
      [`111111111111 AWS/ApplicationELB HealthyHostCount ${both}`]: 2,
      [`111111111111 AWS/ApplicationELB UnHealthyHostCount ${both}`]: 0,
      [`111111111111 AWS/ApplicationELB RequestCount ${both}`]: 30,
      [`111111111111 AWS/ApplicationELB HTTPCode_Target_2XX_Count ${both}`]: 30,
      [`111111111111 AWS/ApplicationELB HTTPCode_Target_5XX_Count ${both}`]: 2,
      [`111111111111 AWS/ApplicationELB RequestCountPerTarget ${both}`]: 15,
      [`111111111111 AWS/ApplicationELB TargetResponseTime ${both}`]: responseTime,
      '111111111111 AWS/ApplicationELB RequestCount TargetGroup=targetgroup/tg/2': 30,
      '111111111111 AWS/ApplicationELB HTTPCode_Target_2XX_Count TargetGroup=targetgroup/tg/2': 30,
      '111111111111 AWS/ApplicationELB HTTPCode_Target_5XX_Count TargetGroup=targetgroup/tg/2': 2,
      '111111111111 AWS/ApplicationELB RequestCountPerTarget TargetGroup=targetgroup/tg/2': 15,
      '111111111111 AWS/ApplicationELB RequestCount LoadBalancer=app/web/1': 30,
      '111111111111 AWS/ApplicationELB HTTPCode_ELB_5XX_Count LoadBalancer=app/web/1': 2,
      '111111111111 AWS/ApplicationELB NewConnectionCount LoadBalancer=app/web/1': 5,
      '111111111111 AWS/ApplicationELB ProcessedBytes LoadBalancer=app/web/1': [4096, 'Bytes'],
      '111111111111 AWS/ApplicationELB ActiveConnectionCount LoadBalancer=app/web/1': 1,
      '111111111111 AWS/ApplicationELB HTTPCode_Target_2XX_Count LoadBalancer=app/web/1': 30,
      '111111111111 AWS/ApplicationELB HTTPCode_Target_5XX_Count LoadBalancer=app/web/1': 2,
      '111111111111 AWS/ApplicationELB TargetResponseTime LoadBalancer=app/web/1': responseTime,
    });
  });

  it('a quiet period reports only the host counts', () => {
    const counters: DataPlaneCounters = { loadBalancers: { [alb]: lbCounts(100) }, targetGroups: { [tg]: tgCounts(90, { healthyHostCount: 1, unhealthyHostCount: 1 }) } };
    assert.deepEqual(flatten(loadBalancerMetricPoints(topology, counters, counters, 0)), {
      '111111111111 AWS/ApplicationELB HealthyHostCount LoadBalancer=app/web/1,TargetGroup=targetgroup/tg/2': 1,
      '111111111111 AWS/ApplicationELB UnHealthyHostCount LoadBalancer=app/web/1,TargetGroup=targetgroup/tg/2': 1,
    });
  });

  it('a restarted data plane gives the counts since its restart, not a negative delta', () => {
    const previous: DataPlaneCounters = { loadBalancers: { [alb]: lbCounts(1000) }, targetGroups: { [tg]: tgCounts(1000) } };
    const current: DataPlaneCounters = { loadBalancers: { [alb]: lbCounts(4) }, targetGroups: { [tg]: tgCounts(4, { healthyHostCount: 0, unhealthyHostCount: 2 }) } };
    const flat = flatten(loadBalancerMetricPoints(topology, previous, current, 0));
    assert.equal(flat['111111111111 AWS/ApplicationELB RequestCount LoadBalancer=app/web/1'], 4);
    assert.equal(flat['111111111111 AWS/ApplicationELB RequestCount TargetGroup=targetgroup/tg/2'], 4);
    // No healthy target: per target of all registered.
    assert.equal(flat['111111111111 AWS/ApplicationELB RequestCountPerTarget TargetGroup=targetgroup/tg/2'], 2);
  });

  it('network load balancers: flows and bytes in AWS/NetworkELB, in their own account and Region', () => {
    const previous: DataPlaneCounters = { loadBalancers: { [nlb]: lbCounts(0, { newConnectionCount: 10, processedBytes: 100 }) }, targetGroups: { [ntg]: tgCounts(0) } };
    const current: DataPlaneCounters = { loadBalancers: { [nlb]: lbCounts(0, { newConnectionCount: 13, processedBytes: 400, activeConnectionCount: 2 }) }, targetGroups: { [ntg]: tgCounts(0) } };
    const result = loadBalancerMetricPoints(topology, previous, current, 0);
    assert.deepEqual(result.map((entry) => entry.scope), [{ accountId: '222222222222', region: 'eu-west-1' }]);
    assert.deepEqual(flatten(result), {
      '222222222222 AWS/NetworkELB HealthyHostCount LoadBalancer=net/tcp/3,TargetGroup=targetgroup/ntg/4': 2,
      '222222222222 AWS/NetworkELB UnHealthyHostCount LoadBalancer=net/tcp/3,TargetGroup=targetgroup/ntg/4': 0,
      '222222222222 AWS/NetworkELB NewFlowCount LoadBalancer=net/tcp/3': 3,
      '222222222222 AWS/NetworkELB ActiveFlowCount LoadBalancer=net/tcp/3': 2,
      '222222222222 AWS/NetworkELB ProcessedBytes LoadBalancer=net/tcp/3': [300, 'Bytes'],
    });
  });

  it('finds which load balancer forwards to which target group in the data plane configuration', () => {
    const forward = (arn: string) => ({ type: 'forward' as const, targetGroups: [{ targetGroupArn: arn, weight: 1 }] });
    const listener = (arn: string) => ({ arn: `${arn}/l`, port: 80, protocol: 'HTTP' as const, rules: [{ arn: `${arn}/r`, priority: 'default' as const, conditions: [], actions: [forward(tg)] }] });
    const lb = { arn: alb, name: 'web', type: 'application' as const, address: '127.0.2.1', dnsName: 'web', idleTimeoutSeconds: 60, listeners: [listener(alb)] };
    const group = { arn: tg } as never;
    const other = { arn: ntg } as never;
    assert.deepEqual(topologyOf({ loadBalancers: [lb], targetGroups: [group, other] }), {
      loadBalancers: [{ arn: alb, type: 'application' }],
      targetGroups: [{ arn: tg, loadBalancerArn: alb }, { arn: ntg }],
    });
  });
});
