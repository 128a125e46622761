/** What ALB's and NLB's CloudWatch metrics count, kept since the data plane started. */
import type { Socket } from 'node:net';
import type { DataPlaneCounters } from '../types.js';

export type LoadBalancerCounts = DataPlaneCounters['loadBalancers'][string];
export type TargetGroupCounts = DataPlaneCounters['targetGroups'][string];

export class Counters {
  private readonly loadBalancers = new Map<string, LoadBalancerCounts>();
  private readonly targetGroups = new Map<string, TargetGroupCounts>();

  lb(arn: string): LoadBalancerCounts {
    let counts = this.loadBalancers.get(arn);
    if (counts === undefined) {
      counts = { requestCount: 0, httpCodeElb4xx: 0, httpCodeElb5xx: 0, activeConnectionCount: 0, newConnectionCount: 0, processedBytes: 0 };
      this.loadBalancers.set(arn, counts);
    }
    return counts;
  }

  tg(arn: string): TargetGroupCounts {
    let counts = this.targetGroups.get(arn);
    if (counts === undefined) {
      counts = { requestCount: 0, httpCodeTarget2xx: 0, httpCodeTarget3xx: 0, httpCodeTarget4xx: 0, httpCodeTarget5xx: 0, targetResponseTimeSum: 0, healthyHostCount: 0, unhealthyHostCount: 0 };
      this.targetGroups.set(arn, counts);
    }
    return counts;
  }

  /**
   * A client connection of the load balancer's: new, and active until it closes, when the bytes
   * `socket` carried both ways count as processed.
   */
  connection(lbArn: string, socket: Socket): void {
    const counts = this.lb(lbArn);
    counts.newConnectionCount++;
    counts.activeConnectionCount++;
    socket.once('close', () => {
      counts.activeConnectionCount--;
      counts.processedBytes += socket.bytesRead + socket.bytesWritten;
    });
  }

  /** An answer the load balancer made itself (4xx/5xx of its own: no target, redirect excluded). */
  elbStatus(lbArn: string, status: number): void {
    const counts = this.lb(lbArn);
    if (status >= 400 && status < 500) counts.httpCodeElb4xx++;
    else if (status >= 500) counts.httpCodeElb5xx++;
  }

  targetStatus(tgArn: string, status: number, responseSeconds: number): void {
    const counts = this.tg(tgArn);
    counts.targetResponseTimeSum += responseSeconds;
    if (status >= 500) counts.httpCodeTarget5xx++;
    else if (status >= 400) counts.httpCodeTarget4xx++;
    else if (status >= 300) counts.httpCodeTarget3xx++;
    else if (status >= 200) counts.httpCodeTarget2xx++;
  }

  snapshot(health: Map<string, { healthy: number; unhealthy: number }>): DataPlaneCounters {
    const targetGroups: DataPlaneCounters['targetGroups'] = {};
    for (const [arn, hosts] of health) this.tg(arn);
    for (const [arn, counts] of this.targetGroups) {
      const hosts = health.get(arn);
      targetGroups[arn] = { ...counts, healthyHostCount: hosts?.healthy ?? 0, unhealthyHostCount: hosts?.unhealthy ?? 0 };
    }
    return { loadBalancers: Object.fromEntries([...this.loadBalancers].map(([arn, counts]) => [arn, { ...counts }])), targetGroups };
  }
}
