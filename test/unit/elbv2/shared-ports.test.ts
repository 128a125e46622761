import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entryForHost, requestHost, sharedPortPlan } from '../../../src/elbv2/data-plane/shared-ports.js';
import type { ListenerConfig, LoadBalancerConfig } from '../../../src/elbv2/data-plane/types.js';

const certificate = { certificatePem: 'cert', privateKeyPem: 'key' };

function lb(name: string, address: string, type: LoadBalancerConfig['type'], listeners: Pick<ListenerConfig, 'port' | 'protocol' | 'certificate'>[]): LoadBalancerConfig {
  return {
    arn: `arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/${type === 'application' ? 'app' : 'net'}/${name}/0`,
    name,
    type,
    address,
    dnsName: `${name}-0.us-east-1.elb.localhost`,
    idleTimeoutSeconds: 60,
    listeners: listeners.map((listener) => ({ arn: `${name}/${listener.port}`, rules: [], ...listener })),
  };
}

describe('which listener ports 127.0.0.1 serves too', () => {
  it('HTTP ports shared by any number of ALBs, HTTPS ones with certificates, a lone NLB port', () => {
    const plan = sharedPortPlan({
      loadBalancers: [
        lb('a', '127.0.2.1', 'application', [{ port: 80, protocol: 'HTTP' }, { port: 443, protocol: 'HTTPS', certificate }]),
        lb('b', '127.0.2.2', 'application', [{ port: 80, protocol: 'HTTP' }, { port: 443, protocol: 'HTTPS', certificate }]),
        lb('n', '127.0.2.3', 'network', [{ port: 5432, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }]),
      ],
      targetGroups: [],
    });
    assert.deepEqual(plan.ports.map((port) => [port.port, port.kind, port.entries.map((entry) => entry.lb.name)]), [
      [80, 'http', ['a', 'b']],
      [443, 'https', ['a', 'b']],
      [5432, 'tcp', ['n']],
    ]);
    assert.deepEqual(plan.notices, []);
  });

  it('not two NLBs on one port, nor HTTP beside HTTPS or TCP: a notice that says to use the addresses', () => {
    const plan = sharedPortPlan({
      loadBalancers: [
        lb('m', '127.0.2.1', 'network', [{ port: 9000, protocol: 'TCP' }]),
        lb('n', '127.0.2.2', 'network', [{ port: 9000, protocol: 'TCP' }, { port: 8080, protocol: 'TCP' }]),
        lb('web', '127.0.2.3', 'application', [{ port: 8080, protocol: 'HTTP' }]),
      ],
      targetGroups: [],
    });
    assert.deepEqual(plan.ports, []);
    assert.equal(plan.notices.length, 2);
    assert.match(plan.notices[0]!, /^Port 8080 is not served on 127\.0\.0\.1: .*n \(127\.0\.2\.2:8080\), web \(127\.0\.2\.3:8080\).*own address/);
    assert.match(plan.notices[1]!, /^Port 9000 .*no host name to tell them apart/);
  });

  it('leaves a port alone when a load balancer is bound to 127.0.0.1 itself', () => {
    const plan = sharedPortPlan({ loadBalancers: [lb('own', '127.0.0.1', 'application', [{ port: 80, protocol: 'HTTP' }]), lb('b', '127.0.2.2', 'application', [{ port: 80, protocol: 'HTTP' }])], targetGroups: [] });
    assert.deepEqual(plan.ports, []);
  });

  it('matches the Host without its port, in any case, with or without a final dot', () => {
    assert.equal(requestHost('Web-0.US-East-1.elb.localhost:8080'), 'web-0.us-east-1.elb.localhost');
    assert.equal(requestHost('web-0.us-east-1.elb.localhost.'), 'web-0.us-east-1.elb.localhost');
    assert.equal(requestHost('[::1]:8080'), '[::1]');
    assert.equal(requestHost(undefined), '');
    const entries = [{ lb: lb('web', '127.0.2.1', 'application', []), listener: { arn: 'l', port: 80, protocol: 'HTTP' as const, rules: [] } }];
    assert.equal(entryForHost(entries, requestHost('WEB-0.us-east-1.elb.localhost:80'))?.lb.name, 'web');
    assert.equal(entryForHost(entries, requestHost('other.us-east-1.elb.localhost')), undefined);
  });
});
