/** The translation of ELBv2 records into the data plane's configuration, and of its health reports into store writes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dataPlaneConfig, type ElbRecords } from '../../../src/elbv2/data-plane-config.js';
import { edgeListenerPort, hostNameOf } from '../../../src/elbv2/edge-forwarding.js';
import { targetHealthWrites } from '../../../src/elbv2/target-health-sync.js';
import type { ListenerRecord, LoadBalancerRecord, RuleRecord, TargetGroupRecord, TargetHealthRecord, TargetRecord } from '../../../src/store/contract/elbv2.js';

const scoped = { accountId: '000000000000', region: 'us-east-1', tags: [], createdAt: 0 };
const lbArn = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/0123456789abcdef';
const listenerArn = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/0123456789abcdef/1111111111111111';
const webArn = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/aaaaaaaaaaaaaaaa';
const apiArn = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/api/bbbbbbbbbbbbbbbb';
const idleArn = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/idle/cccccccccccccccc';

const loadBalancer: LoadBalancerRecord = {
  ...scoped,
  arn: lbArn,
  name: 'web',
  id: '0123456789abcdef',
  type: 'application',
  scheme: 'internet-facing',
  ipAddressType: 'ipv4',
  subnets: [],
  securityGroups: [],
  dnsName: 'web-0123456789abcdef.us-east-1.elb.localhost',
  address: '127.0.2.1',
  state: 'active',
  attributes: { 'idle_timeout.timeout_seconds': '120' },
};
const listener: ListenerRecord = { ...scoped, arn: listenerArn, loadBalancerArn: lbArn, id: '1111111111111111', port: 8080, protocol: 'HTTP', defaultActions: [{ Type: 'forward', TargetGroupArn: webArn }] };
const rule = (priority: number, conditions: RuleRecord['conditions'], actions: RuleRecord['actions']): RuleRecord => ({
  ...scoped,
  arn: `${listenerArn.replace(':listener/', ':listener-rule/')}/${priority}`,
  listenerArn,
  loadBalancerArn: lbArn,
  priority,
  isDefault: false,
  conditions,
  actions,
});
const group = (arn: string, name: string, targetType: 'instance' | 'ip', attributes: Record<string, string> = {}): TargetGroupRecord => ({
  ...scoped,
  arn,
  name,
  id: arn.slice(-16),
  targetType,
  protocol: 'HTTP',
  port: 80,
  ipAddressType: 'ipv4',
  healthCheck: { enabled: true, protocol: 'HTTP', port: 'traffic-port', path: '/health', intervalSeconds: 5, timeoutSeconds: 2, healthyThresholdCount: 2, unhealthyThresholdCount: 3, matcher: '200-299' },
  attributes: { 'deregistration_delay.timeout_seconds': '30', 'stickiness.enabled': 'false', 'stickiness.type': 'lb_cookie', 'load_balancing.algorithm.type': 'round_robin', 'slow_start.duration_seconds': '0', ...attributes },
});
const target = (groupArn: string, id: string, port: number, extra: Partial<TargetRecord> = {}): TargetRecord => ({ targetGroupArn: groupArn, id, port, registeredAt: 100, ...extra });

function records(targets: TargetRecord[]): ElbRecords {
  return {
    loadBalancers: [loadBalancer],
    listeners: [listener],
    rules: [
      // Stored in no particular order; evaluated by priority.
      rule(20, [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Beta', Values: ['1'] } }], [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '418', ContentType: 'text/plain', MessageBody: 'beta' } }]),
      rule(10, [{ Field: 'path-pattern', Values: ['/api/*'], PathPatternConfig: { Values: ['/api/*'] } }], [{ Type: 'forward', TargetGroupArn: apiArn, ForwardConfig: { TargetGroups: [{ TargetGroupArn: apiArn, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } } }]),
      { ...rule(0, [], listener.defaultActions), priority: undefined, isDefault: true, arn: `${listenerArn}/default` },
    ],
    targetGroups: [group(webArn, 'web', 'instance', { 'stickiness.enabled': 'true', 'load_balancing.algorithm.type': 'least_outstanding_requests' }), group(apiArn, 'api', 'ip'), group(idleArn, 'idle', 'ip')],
    targets,
  };
}

describe('the data plane configuration made from ELBv2 records', () => {
  const now = 1_000;
  const instanceAddress = (id: string) => (id === 'i-remote' ? '10.0.0.7' : '127.0.0.1');

  it('gives each load balancer its address, DNS name, idle timeout and listeners with rules by priority, the default last', () => {
    const config = dataPlaneConfig(records([]), { nowSeconds: now, instanceAddress });
    const [lb] = config.loadBalancers;
    assert.equal(lb?.address, '127.0.2.1');
    assert.equal(lb?.dnsName, 'web-0123456789abcdef.us-east-1.elb.localhost');
    assert.equal(lb?.idleTimeoutSeconds, 120);
    const rules = lb?.listeners[0]?.rules ?? [];
    assert.deepEqual(rules.map((r) => r.priority), [10, 20, 'default']);
    assert.deepEqual(rules[0]?.conditions, [{ field: 'path-pattern', values: ['/api/*'] }]);
    assert.deepEqual(rules[1]?.conditions, [{ field: 'http-header', headerName: 'X-Beta', values: ['1'] }]);
    assert.deepEqual(rules[1]?.actions, [{ type: 'fixed-response', statusCode: '418', contentType: 'text/plain', messageBody: 'beta' }]);
    assert.deepEqual(rules[2]?.actions, [{ type: 'forward', targetGroups: [{ targetGroupArn: webArn, weight: 1 }] }]);
  });

  it('takes only the target groups a listener forwards to, with their attributes and health check', () => {
    const config = dataPlaneConfig(records([]), { nowSeconds: now, instanceAddress });
    assert.deepEqual(config.targetGroups.map((g) => g.name).sort(), ['api', 'web']);
    const web = config.targetGroups.find((g) => g.name === 'web');
    assert.equal(web?.algorithm, 'least_outstanding_requests');
    assert.deepEqual(web?.stickiness, { enabled: true, type: 'lb_cookie', durationSeconds: 86400 });
    assert.equal(web?.deregistrationDelaySeconds, 30);
    assert.deepEqual(web?.healthCheck, { enabled: true, protocol: 'HTTP', port: 'traffic-port', path: '/health', matcher: '200-299', intervalSeconds: 5, timeoutSeconds: 2, healthyThreshold: 2, unhealthyThreshold: 3 });
  });

  it('reaches ip targets at their IP and instance targets at their instance’s address; drops those whose drain is over', () => {
    const config = dataPlaneConfig(
      records([
        target(webArn, 'i-local', 32768),
        target(webArn, 'i-remote', 32769),
        target(webArn, 'i-draining', 32770, { deregisteredAt: 990, drainUntil: 1_020 }),
        target(webArn, 'i-drained', 32771, { deregisteredAt: 900, drainUntil: 1_000 }),
        target(apiArn, '10.1.2.3', 8080),
      ]),
      { nowSeconds: now, instanceAddress },
    );
    const web = config.targetGroups.find((g) => g.name === 'web');
    assert.deepEqual(
      web?.targets.map((t) => [t.id, t.address, t.port, t.state, t.drainingUntil]),
      [
        ['i-local', '127.0.0.1', 32768, 'registered', undefined],
        ['i-remote', '10.0.0.7', 32769, 'registered', undefined],
        ['i-draining', '127.0.0.1', 32770, 'draining', 1_020_000],
      ],
    );
    assert.equal(web?.targets[0]?.registeredAt, 100_000);
    assert.deepEqual(config.targetGroups.find((g) => g.name === 'api')?.targets.map((t) => t.address), ['10.1.2.3']);
  });

  it('leaves out a forward to a group it does not serve (lambda targets)', () => {
    const input = records([]);
    const lambda = { ...group(webArn, 'web', 'instance'), targetType: 'lambda' as const };
    const config = dataPlaneConfig({ ...input, targetGroups: [lambda, ...input.targetGroups.slice(1)] }, { nowSeconds: now, instanceAddress });
    const defaultRule = config.loadBalancers[0]?.listeners[0]?.rules.at(-1);
    assert.deepEqual(defaultRule?.actions, [{ type: 'forward', targetGroups: [] }]);
  });
});

describe('target health writes from the data plane’s report', () => {
  const report = (id: string, port: number, state: 'initial' | 'healthy' | 'unhealthy' | 'draining', reason?: string) => ({ targetGroupArn: webArn, targetId: id, port, state, ...(reason ? { reason } : {}), since: 0 });
  const health = (id: string, port: number, state: TargetHealthRecord['state'], reason?: string): TargetHealthRecord => ({ targetGroupArn: webArn, id, port, state, ...(reason ? { reason } : {}), updatedAt: 0 });

  it('writes a transition, and nothing for a state already recorded', () => {
    const writes = targetHealthWrites(
      [target(webArn, 'a', 1), target(webArn, 'b', 2), target(webArn, 'c', 3)],
      [health('a', 1, 'healthy'), health('b', 2, 'healthy')],
      [report('a', 1, 'healthy'), report('b', 2, 'unhealthy', 'Target.ResponseCodeMismatch')],
      50,
    );
    assert.deepEqual(writes.put.map((r) => [r.id, r.state, r.reason, r.updatedAt]), [['b', 'unhealthy', 'Target.ResponseCodeMismatch', 50]]);
    assert.deepEqual(writes.deleteHealth, []);
    assert.deepEqual(writes.forgetTargets, []);
  });

  it('drops a reason that no longer applies', () => {
    const writes = targetHealthWrites([target(webArn, 'b', 2)], [health('b', 2, 'unhealthy', 'Target.Timeout')], [report('b', 2, 'healthy')], 50);
    assert.equal(writes.put[0]?.state, 'healthy');
    assert.equal('reason' in (writes.put[0] ?? {}), false);
  });

  it('deletes the health of targets no longer registered, and of draining ones', () => {
    const writes = targetHealthWrites([target(webArn, 'd', 4, { drainUntil: 100 })], [health('gone', 9, 'healthy'), health('d', 4, 'healthy')], [report('d', 4, 'draining')], 50);
    assert.deepEqual(writes.deleteHealth.map((r) => r.id).sort(), ['d', 'gone']);
    assert.deepEqual(writes.forgetTargets, []);
  });

  it('forgets a draining registration once its delay passed, or once the data plane drained it early', () => {
    const writes = targetHealthWrites(
      [target(webArn, 'over', 1, { drainUntil: 40 }), target(webArn, 'early', 2, { drainUntil: 100 }), target(webArn, 'busy', 3, { drainUntil: 100 })],
      [],
      [report('busy', 3, 'draining'), report('over', 1, 'draining')],
      50,
    );
    assert.deepEqual(writes.forgetTargets.map((t) => t.id).sort(), ['early', 'over']);
  });
});

describe('the edge port’s forwarding by Host header', () => {
  it('reads the host name without the port, in lower case', () => {
    assert.equal(hostNameOf('Web-1.us-east-1.ELB.localhost:4566'), 'web-1.us-east-1.elb.localhost');
    assert.equal(hostNameOf(undefined), undefined);
  });

  it('forwards to port 80 when there is such a listener, else the lowest HTTP listener', () => {
    assert.equal(edgeListenerPort([{ port: 8080, protocol: 'HTTP' }, { port: 80, protocol: 'HTTP' }]), 80);
    assert.equal(edgeListenerPort([{ port: 9000, protocol: 'HTTP' }, { port: 8080, protocol: 'HTTP' }]), 8080);
    assert.equal(edgeListenerPort([{ port: 5432, protocol: 'TCP' }]), undefined);
  });
});
