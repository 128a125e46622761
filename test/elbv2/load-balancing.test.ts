/**
 * Load balancers that forward, end to end: the ELBv2 API through the SDK, the load balancer
 * controller, and the data plane chosen by `DATA_PLANE` (embedded unless set), with real HTTP
 * targets on 127.0.0.1 registered as ip targets. Health checks run every 5 s with thresholds of
 * 2; a wait for a health state has the data plane check now where it can (`checkHealthNow`) and
 * the controller record the result, rather than waiting out the interval, and polls
 * DescribeTargetHealth against a deadline.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteLoadBalancerCommand,
  DeregisterTargetsCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
  type ElasticLoadBalancingV2Client,
  type LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { eventually, get, startTarget, targetOf, type Target } from './data-plane/harness.js';
import { elbClient } from './elbv2-client.js';

const dataPlane = (process.env.DATA_PLANE ?? 'embedded') as 'embedded' | 'haproxy';
const healthWaitMs = 30_000;

describe(`load balancers forwarding through the ${dataPlane} data plane`, () => {
  let berth: TestBerth;
  let elb: ElasticLoadBalancingV2Client;
  let lb: LoadBalancer;
  let web: string;
  let api: string;
  const targets: Record<string, Target> = {};

  const healthOf = async (group: string) => {
    const { TargetHealthDescriptions = [] } = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group }));
    return new Map(TargetHealthDescriptions.map((description) => [description.Target?.Port, description.TargetHealth]));
  };
  /** Health checks now rather than at the next interval, their results recorded (where the data plane can). */
  const checkNow = async () => {
    await berth.server.loadBalancers.settle();
    const plane = await berth.server.dataPlane.get(false);
    if (plane?.checkHealthNow === undefined) return;
    await plane.checkHealthNow();
    await berth.server.loadBalancers.settle();
  };
  const waitForState = (group: string, target: Target, state: string, reason?: string) =>
    eventually(async () => {
      await checkNow();
      const health = (await healthOf(group)).get(target.port);
      assert.equal(health?.State, state, `${target.name}: ${JSON.stringify(health)}`);
      if (reason !== undefined) assert.equal(health?.Reason, reason);
      return health;
    }, healthWaitMs);
  let address: string;
  const url = (path = '/') => `http://${address}:8080${path}`;
  /** The load balancer's own loopback address (ELB shows none for an ALB; the record holds it). */
  const addressOf = async (balancer: LoadBalancer) => {
    const record = await berth.server.store.read((tx) => tx.loadBalancers.get(balancer.LoadBalancerArn as string));
    return record?.address as string;
  };
  /** Which targets answer `count` requests. */
  const servedBy = async (count: number, path = '/', via = url(path), headers: Record<string, string> = {}) => {
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const reply = await get(via, { headers });
      assert.equal(reply.status, 200, reply.body);
      seen.add(targetOf(reply));
    }
    return [...seen].sort();
  };

  before(async () => {
    berth = await startBerth({ loadBalancerDataPlane: dataPlane });
    elb = elbClient(berth);
    for (const name of ['a', 'b', 'c', 'd']) targets[name] = await startTarget(name);
    const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: 'web', Type: 'application', Subnets: ['subnet-local'] }));
    lb = LoadBalancers?.[0] as LoadBalancer;
    address = await addressOf(lb);
    const group = async (name: string) => {
      const { TargetGroups } = await elb.send(
        new CreateTargetGroupCommand({
          Name: name,
          Protocol: 'HTTP',
          Port: 80,
          TargetType: 'ip',
          HealthCheckPath: '/health',
          HealthCheckIntervalSeconds: 5,
          HealthCheckTimeoutSeconds: 2,
          HealthyThresholdCount: 2,
          UnhealthyThresholdCount: 2,
        }),
      );
      const arn = TargetGroups?.[0]?.TargetGroupArn as string;
      await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }] }));
      return arn;
    };
    web = await group('web');
    api = await group('api');
    const { Listeners } = await elb.send(
      new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: 8080, DefaultActions: [{ Type: 'forward', TargetGroupArn: web }] }),
    );
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: Listeners?.[0]?.ListenerArn,
        Priority: 10,
        Conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }],
        Actions: [{ Type: 'forward', TargetGroupArn: api }],
      }),
    );
  });
  after(async () => {
    elb?.destroy();
    await berth?.close();
    for (const target of Object.values(targets)) await target.close();
  });

  it('takes registered targets from initial to healthy, then forwards by rule, round-robin', async () => {
    const a = targets.a as Target;
    const b = targets.b as Target;
    const c = targets.c as Target;
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: web, Targets: [{ Id: '127.0.0.1', Port: a.port }, { Id: '127.0.0.1', Port: b.port }] }));
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: api, Targets: [{ Id: '127.0.0.1', Port: c.port }] }));
    assert.equal((await healthOf(web)).get(a.port)?.State, 'initial');
    await waitForState(web, a, 'healthy');
    await waitForState(web, b, 'healthy');
    await waitForState(api, c, 'healthy');
    assert.deepEqual(await servedBy(6), ['a', 'b']);
    assert.deepEqual(await servedBy(3, '/api/orders'), ['c']);
  });

  it('answers through the edge port for the DNS name in the Host header', async () => {
    const edge = `${berth.url}/api/x`;
    assert.deepEqual(await servedBy(2, '/api/x', edge, { host: `${lb.DNSName}:${new URL(berth.url).port}` }), ['c']);
    assert.deepEqual(await servedBy(4, '/', `${berth.url}/`, { host: lb.DNSName as string }), ['a', 'b']);
    const unknown = await get(`${berth.url}/`, { headers: { host: 'nothing-0123456789abcdef.us-east-1.elb.localhost' } });
    assert.equal(unknown.status, 404);
  });

  it('turns a target that answers its check with 500 unhealthy with ELB’s reason, and stops sending to it', async () => {
    const b = targets.b as Target;
    b.healthStatus = 500;
    await waitForState(web, b, 'unhealthy', 'Target.ResponseCodeMismatch');
    assert.deepEqual(await servedBy(4), ['a']);
    b.healthStatus = 200;
  });

  it('drains a deregistered target, which then stops taking traffic and is forgotten', async () => {
    const b = targets.b as Target;
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: web, Targets: [{ Id: '127.0.0.1', Port: b.port }] }));
    const seen = (await healthOf(web)).get(b.port);
    assert.ok(seen === undefined || seen.State === 'draining', JSON.stringify(seen));
    await eventually(async () => assert.equal((await healthOf(web)).has(b.port), false), healthWaitMs);
    assert.deepEqual(await servedBy(4), ['a']);
  });

  it('keeps forwarding while the control plane is stopped, and converges once a new one starts on the same data directory', async () => {
    await berth.stop();
    assert.deepEqual(await servedBy(4), ['a']);
    assert.deepEqual(await servedBy(2, '/api/x'), ['c']);
    await berth.restart();
    elb.destroy();
    elb = elbClient(berth);
    const d = targets.d as Target;
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: web, Targets: [{ Id: '127.0.0.1', Port: d.port }] }));
    await waitForState(web, d, 'healthy');
    assert.equal((await healthOf(web)).get((targets.a as Target).port)?.State, 'healthy');
    assert.deepEqual(await servedBy(6), ['a', 'd']);
  });

  it('shows a listener that cannot bind as the load balancer’s failed state, with what to do', async () => {
    const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: 'taken', Type: 'application', Subnets: ['subnet-local'] }));
    const taken = LoadBalancers?.[0] as LoadBalancer;
    const takenAddress = await addressOf(taken);
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(9090, takenAddress, resolve));
    try {
      await elb.send(new CreateListenerCommand({ LoadBalancerArn: taken.LoadBalancerArn, Protocol: 'HTTP', Port: 9090, DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }] }));
      const state = await eventually(async () => {
        const { LoadBalancers: [described] = [] } = await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [taken.LoadBalancerArn as string] }));
        assert.equal(described?.State?.Code, 'failed');
        return described?.State;
      }, healthWaitMs);
      assert.match(state?.Reason ?? '', /9090/);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
      await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: taken.LoadBalancerArn }));
    }
  });
});
