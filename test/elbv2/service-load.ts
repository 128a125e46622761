/**
 * What the end-to-end tests of services behind a load balancer share: a busybox httpd web container
 * that names its revision, an ALB with one HTTP listener forwarding to one target group, plain
 * node:http requests, a steady load generator, and readers of DescribeTargetHealth and of the
 * service's load balancing events.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import type { Service } from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
  type CreateTargetGroupCommandInput,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';

/**
 * A busybox httpd on container port 80 (a dynamic host port in bridge mode, the task's own address in awsvpc). Its page names the
 * revision and the container (`/`), also served after a second by a CGI script (`/cgi-bin/slow`),
 * so that requests are in flight whenever a task is stopped; `/health` answers 200 unless
 * `healthy` is false (then 404: the health check's matcher fails). It takes two seconds to start
 * serving, as real servers take a moment, and exits the moment it is told to stop: nothing but the
 * service's ordering (healthy before the task counts, drained before its container stops) keeps a
 * request from failing.
 */
export const webContainer = (image: string, revision: string, options: { healthy?: boolean; networkMode?: 'bridge' | 'awsvpc' } = {}) => ({
  name: 'web',
  image,
  essential: true,
  memory: 16,
  stopTimeout: 2,
  command: [
    'sh',
    '-c',
    [
      "trap 'exit 0' TERM",
      'mkdir -p /www/cgi-bin',
      `echo "${revision} $(hostname)" > /www/index.html`,
      ...(options.healthy === false ? [] : ['echo ok > /www/health']),
      "printf '%s\\n' '#!/bin/sh' 'sleep 1' 'printf \"Content-Type: text/plain\\r\\n\\r\\n\"' 'cat /www/index.html' > /www/cgi-bin/slow",
      'chmod +x /www/cgi-bin/slow',
      '(sleep 2; exec httpd -f -p 80 -h /www) &',
      'wait',
    ].join('\n'),
  ],
  // awsvpc tasks have the task's own address: the container port, no host port.
  portMappings: [{ containerPort: 80, ...(options.networkMode === 'awsvpc' ? {} : { hostPort: 0 }) }],
});

export interface Reply {
  status: number;
  body: string;
}

export function get(agent: Agent | undefined, url: string, timeoutMs = 10_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { ...(agent ? { agent } : {}), timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: body.trim() }));
      response.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('request timed out')));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/**
 * A steady load through the listener: keep-alive clients sending requests to `/` with a short pause
 * (about 200 requests/s in all on an idle machine), and others to `/cgi-bin/slow`, each in flight
 * for a second. Counts every reply by page and every failure (a non-2xx or an error).
 */
export class LoadGenerator {
  readonly agent = new Agent({ keepAlive: true });
  requests = 0;
  readonly failures: string[] = [];
  readonly pages = new Map<string, number>();
  private running = true;
  private readonly workers: Promise<void>[] = [];
  private readonly startedAt = Date.now();

  constructor(base: string) {
    this.start(new URL('/', base).href, 6, 20);
    this.start(new URL('/cgi-bin/slow', base).href, 6, 0);
  }

  private start(url: string, workers: number, pauseMs: number): void {
    for (let index = 0; index < workers; index++) this.workers.push(this.work(url, pauseMs));
  }

  private async work(url: string, pauseMs: number): Promise<void> {
    while (this.running) {
      this.requests++;
      const sentAt = new Date().toISOString();
      try {
        const reply = await get(this.agent, url);
        if (reply.status < 200 || reply.status > 299) this.failures.push(`${sentAt} ${url} HTTP ${reply.status}: ${reply.body.replace(/\s+/g, ' ').slice(0, 120)}`);
        else this.pages.set(reply.body, (this.pages.get(reply.body) ?? 0) + 1);
      } catch (error) {
        this.failures.push(`${sentAt} ${url} ${(error as Error).message}`);
      }
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  /** Pages served in the next `ms` milliseconds. */
  async recentPages(ms = 500): Promise<string[]> {
    const before = new Map(this.pages);
    await new Promise((resolve) => setTimeout(resolve, ms));
    return [...this.pages].filter(([page, count]) => count > (before.get(page) ?? 0)).map(([page]) => page);
  }

  /** Stops, and answers how many requests it sent and over how many seconds. */
  async stop(): Promise<{ requests: number; seconds: number }> {
    this.running = false;
    await Promise.all(this.workers);
    this.agent.destroy();
    return { requests: this.requests, seconds: (Date.now() - this.startedAt) / 1000 };
  }

  /** Its figures, for a test's diagnostics. */
  summary(): string {
    const seconds = (Date.now() - this.startedAt) / 1000;
    return [
      `requests: ${this.requests} in ${seconds.toFixed(1)} s (${(this.requests / seconds).toFixed(0)}/s)`,
      `failed requests: ${this.failures.length}${this.failures.length ? `\n${this.failures.slice(0, 20).join('\n')}` : ''}`,
      `pages served: ${JSON.stringify(Object.fromEntries(this.pages))}`,
    ].join('\n');
  }
}

export interface BalancedListener {
  loadBalancerArn: string;
  targetGroupArn: string;
  /** `http://<the load balancer's address>:<listener port>/` */
  url: string;
}

/**
 * An ALB with one HTTP listener on `port` whose default action forwards to a new target group
 * (health checks every 5 s, healthy and unhealthy after 2, a 5 s deregistration delay).
 */
export async function balancedListener(
  elb: ElasticLoadBalancingV2Client,
  options: { name: string; port: number; targetGroup?: Partial<CreateTargetGroupCommandInput> },
): Promise<BalancedListener> {
  const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: options.name, Type: 'application', Subnets: ['subnet-local'] }));
  const balancer = LoadBalancers![0]!;
  const address = balancer.AvailabilityZones?.[0]?.LoadBalancerAddresses?.[0]?.IpAddress;
  assert.ok(address, 'the load balancer has an address');
  const { TargetGroups } = await elb.send(
    new CreateTargetGroupCommand({
      Name: options.name,
      Protocol: 'HTTP',
      Port: 80,
      TargetType: 'instance',
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      ...options.targetGroup,
    }),
  );
  const targetGroupArn = TargetGroups![0]!.TargetGroupArn!;
  await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: targetGroupArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }] }));
  await elb.send(
    new CreateListenerCommand({ LoadBalancerArn: balancer.LoadBalancerArn, Protocol: 'HTTP', Port: options.port, DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }] }),
  );
  return { loadBalancerArn: balancer.LoadBalancerArn!, targetGroupArn, url: `http://${address}:${options.port}/` };
}

export interface DescribedTarget {
  id: string;
  port: number;
  state: string;
  reason?: string;
}

export async function targetHealth(elb: ElasticLoadBalancingV2Client, targetGroupArn: string): Promise<DescribedTarget[]> {
  const { TargetHealthDescriptions } = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  return (TargetHealthDescriptions ?? []).map((description) => ({
    id: description.Target!.Id!,
    port: description.Target!.Port!,
    state: description.TargetHealth!.State!,
    ...(description.TargetHealth?.Reason ? { reason: description.TargetHealth.Reason } : {}),
  }));
}

/**
 * How many targets the service's events say it registered (or deregistered) in the target group,
 * summed: a pass registers the tasks that came up since the last one, so three tasks starting a
 * moment apart are often "registered 1 targets" three times, as in ECS.
 */
export function countedInEvents(service: Service, verb: 'registered' | 'deregistered', targetGroupArn: string): number {
  const pattern = new RegExp(`^\\(service ${service.serviceName}\\) ${verb} (\\d+) targets in \\(target-group (.+)\\)$`);
  let count = 0;
  for (const event of service.events ?? []) {
    const match = pattern.exec(event.message ?? '');
    if (match && match[2] === targetGroupArn) count += Number(match[1]);
  }
  return count;
}
