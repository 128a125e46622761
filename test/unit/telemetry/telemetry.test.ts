/** The telemetry's pure parts, table-tested, and its scrape-time sources (given, not from a server). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricsAccess, metricsAllowProblems } from '../../../src/telemetry/access.js';
import { authFailureOf, outcomeOf, resourceNameOf, Telemetry } from '../../../src/telemetry/telemetry.js';

describe('telemetry', () => {
  it('names load balancers and target groups by name, never by ARN', () => {
    for (const [key, name] of [
      ['arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/50dc6c495c0c9188', 'web'],
      ['arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/tcp-front/0123456789abcdef', 'tcp-front'],
      ['arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web-tg/73e2d6bc24d8a067', 'web-tg'],
    ] as const) {
      assert.equal(resourceNameOf(key), name, key);
    }
  });

  it('tells outcomes and auth failures apart', () => {
    for (const [status, outcome] of [[200, 'ok'], [204, 'ok'], [400, 'client_error'], [403, 'client_error'], [500, 'server_error'], [503, 'server_error']] as const) {
      assert.equal(outcomeOf(status), outcome, String(status));
    }
    for (const [code, kind] of [
      ['UnrecognizedClientException', 'authentication'],
      ['InvalidClientTokenId', 'authentication'],
      ['SignatureDoesNotMatch', 'authentication'],
      ['ExpiredTokenException', 'authentication'],
      ['AccessDeniedException', 'authorization'],
      ['AccessDenied', 'authorization'],
      ['ClusterNotFoundException', undefined],
    ] as const) {
      assert.equal(authFailureOf(code), kind, code);
    }
  });

  it('lets in exactly the listed ranges, IPv4, IPv6 and IPv4-mapped', () => {
    const loopback = metricsAccess();
    for (const [address, allowed] of [['127.0.0.1', true], ['127.8.9.10', true], ['::1', true], ['::ffff:127.0.0.1', true], ['10.0.0.1', false], ['::2', false], ['', false]] as const) {
      assert.equal(loopback.allows(address), allowed, address);
    }
    const lan = metricsAccess(['10.0.0.0/8', 'fd00::/8', '192.168.1.5']);
    for (const [address, allowed] of [['10.200.1.1', true], ['::ffff:10.1.1.1', true], ['fd12::1', true], ['192.168.1.5', true], ['192.168.1.6', false], ['127.0.0.1', false]] as const) {
      assert.equal(lan.allows(address), allowed, address);
    }
    assert.deepEqual(metricsAllowProblems(['10.0.0.0/8', '::1/128']), []);
    assert.equal(metricsAllowProblems(['10.0.0.0/33', 'localhost', '10.0.0.0/']).length, 3);
    assert.equal(metricsAllowProblems([]).length, 1);
  });

  it('reads the load balancers at scrape time, adding up names, and leaves out a source that fails', async () => {
    const telemetry = new Telemetry();
    const lb = (name: string, id: string) => `arn:aws:elasticloadbalancing:us-east-1:${id}:loadbalancer/app/${name}/0123456789abcdef`;
    const counts = { requestCount: 0, httpCodeElb4xx: 0, httpCodeElb5xx: 0, activeConnectionCount: 0, newConnectionCount: 0, processedBytes: 0 };
    const group = { requestCount: 9, httpCodeTarget2xx: 9, httpCodeTarget3xx: 0, httpCodeTarget4xx: 0, httpCodeTarget5xx: 2, targetResponseTimeSum: 0.5, healthyHostCount: 2, unhealthyHostCount: 1 };
    let fail = false;
    telemetry.observeLoadBalancers(async () => {
      if (fail) throw new Error('the data plane is gone');
      return {
        loadBalancers: { [lb('web', '000000000000')]: { ...counts, requestCount: 5, httpCodeElb5xx: 1 }, [lb('web', '111111111111')]: { ...counts, requestCount: 2 } },
        targetGroups: { 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web-tg/73e2d6bc24d8a067': group },
      };
    });
    let text = (await telemetry.exposition()).body;
    assert.match(text, /^berth_load_balancer_requests\{load_balancer="web"\} 7$/m);
    assert.match(text, /^berth_load_balancer_elb_5xx\{load_balancer="web"\} 1$/m);
    assert.match(text, /^berth_target_group_healthy_hosts\{target_group="web-tg"\} 2$/m);
    assert.match(text, /^berth_target_group_unhealthy_hosts\{target_group="web-tg"\} 1$/m);
    assert.match(text, /^berth_target_group_target_5xx\{target_group="web-tg"\} 2$/m);
    assert.doesNotMatch(text, /arn:aws/);
    fail = true;
    telemetry.observeTasks(async () => {
      throw new Error('the store is closed');
    });
    text = (await telemetry.exposition()).body;
    assert.doesNotMatch(text, /^berth_load_balancer_requests\{/m);
    assert.match(text, /^berth_scrape_source_failures_total\{source="load_balancers"\} [1-9]/m);
    assert.match(text, /^berth_scrape_source_failures_total\{source="tasks"\} 1$/m);
  });
});
