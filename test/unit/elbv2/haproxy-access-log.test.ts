/**
 * haproxy's access-log records as ALB's entries: the fields the configuration supplies (rule
 * priority, action, target group, also behind the fail-open backend) and ALB's error reasons from
 * haproxy's termination state.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessLogContext, accessLogLines, parseRecord, toEntry } from '../../../src/elbv2/data-plane/haproxy/access-log.js';
import { formatAccessLogLine } from '../../../src/elbv2/data-plane/embedded/access-log.js';
import { backendName, failOpenBackendName } from '../../../src/elbv2/data-plane/haproxy/names.js';
import type { DataPlaneConfig, TargetGroupConfig } from '../../../src/elbv2/data-plane/types.js';

const group: TargetGroupConfig = {
  arn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef',
  name: 'web',
  protocol: 'HTTP',
  targetType: 'ip',
  algorithm: 'round_robin',
  stickiness: { enabled: false, type: 'lb_cookie', durationSeconds: 86400 },
  slowStartSeconds: 0,
  deregistrationDelaySeconds: 300,
  healthCheck: { enabled: true, protocol: 'HTTP', port: 'traffic-port', path: '/', matcher: '200', intervalSeconds: 30, timeoutSeconds: 5, healthyThreshold: 5, unhealthyThreshold: 2 },
  targets: [],
};
const lbArn = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/50dc6c495c0c9188';
const config: DataPlaneConfig = {
  loadBalancers: [{
    arn: lbArn, name: 'web', type: 'application', address: '127.0.2.9', dnsName: 'web-1.us-east-1.elb.localhost', idleTimeoutSeconds: 60, accessLogPath: '/tmp/web.log',
    listeners: [{
      arn: `${lbArn}/listener/1`, port: 8080, protocol: 'HTTP',
      rules: [
        { arn: 'r10', priority: 10, conditions: [{ field: 'path-pattern', values: ['/old'] }], actions: [{ type: 'redirect', protocol: 'HTTPS', host: '#{host}', port: '443', path: '/#{path}', query: '#{query}', statusCode: 'HTTP_301' }] },
        { arn: 'default', priority: 'default', conditions: [], actions: [{ type: 'forward', targetGroups: [{ targetGroupArn: group.arn, weight: 1 }] }] },
      ],
    }],
  }],
  targetGroups: [group],
};
const context = accessLogContext(config, [{ listenerArn: `${lbArn}/listener/1`, frontend: 'lb_web_8080' }]);
const b64 = (text: string) => Buffer.from(text).toString('base64');
const record = (fields: Partial<Record<'backend' | 'rule' | 'target' | 'status' | 'targetStatus' | 'location' | 'termination' | 'responseMs', string>>) =>
  [
    'lb_web_8080', '1764892800123', '7', '127.0.0.1', '40000', fields.target ?? '10.0.0.5', '32768', fields.responseMs ?? '5', fields.status ?? '200', fields.targetStatus ?? '200', '120', '300',
    'GET', b64('/a?b=1'), 'HTTP/1.1', b64('web.localhost:8080'), b64('curl/8'), b64('Root=1-1-2'), fields.rule ?? '2', fields.backend ?? backendName(group.arn, group.name), fields.location ?? '-', fields.termination ?? '--',
  ].join(' ');

describe('haproxy access-log records', () => {
  it('sends every field the record needs, one word each, to the receiver', () => {
    const lines = accessLogLines('127.0.0.1:5140');
    assert.deepEqual(lines.log[0], 'log 127.0.0.1:5140 format raw local0 info');
    const format = /^log-format "(.*)"$/.exec(lines.log[1] ?? '')?.[1] ?? '';
    assert.equal(format.split(' ').length, 22, format);
  });

  it('turns a forwarded request into ALB’s line, the target group known behind the fail-open backend too', () => {
    for (const backend of [backendName(group.arn, group.name), failOpenBackendName(backendName(group.arn, group.name))]) {
      const written = toEntry(parseRecord(record({ backend }))!, context);
      assert.equal(written?.path, '/tmp/web.log');
      assert.equal(
        formatAccessLogLine(written!.entry),
        `http 2025-12-05T00:00:00.130Z app/web/50dc6c495c0c9188 127.0.0.1:40000 10.0.0.5:32768 0.000 0.005 0.000 200 200 120 300 "GET http://web.localhost:8080/a?b=1 HTTP/1.1" "curl/8" - - ${group.arn} "Root=1-1-2" "-" "-" 0 2025-12-05T00:00:00.123Z "forward" "-" "-" "10.0.0.5:32768" "200" "-" "-"\n`,
      );
    }
  });

  it('gives a redirect its rule’s priority and location, and no target', () => {
    const entry = toEntry(parseRecord(record({ rule: '1', backend: '-', target: '-', targetStatus: '-', status: '301', responseMs: '-1', location: b64('https://web.localhost/a?b=1') }))!, context)!.entry;
    assert.equal(entry.rulePriority, '10');
    assert.equal(entry.action, 'redirect');
    assert.equal(entry.redirectUrl, 'https://web.localhost/a?b=1');
    assert.equal(entry.target, undefined);
    assert.equal(entry.targetGroupArn, undefined);
  });

  it('says TargetTimeout or TargetConnectionError when the target did not answer', () => {
    const timedOut = toEntry(parseRecord(record({ status: '504', targetStatus: '-', termination: 'sH', responseMs: '-1' }))!, context)!.entry;
    assert.equal(timedOut.errorReason, 'TargetTimeout');
    assert.equal(timedOut.targetSeconds, -1);
    const refused = toEntry(parseRecord(record({ status: '502', targetStatus: '-', termination: 'SC', responseMs: '-1' }))!, context)!.entry;
    assert.equal(refused.errorReason, 'TargetConnectionError');
    assert.equal(toEntry(parseRecord(record({}))!, context)!.entry.errorReason, undefined);
  });

  it('ignores what is not a record of a frontend that logs', () => {
    assert.equal(parseRecord('<134>Dec  4 12:00:00 haproxy[1]: something else'), undefined);
    assert.equal(toEntry(parseRecord(record({}).replace('lb_web_8080', 'lb_other_80'))!, context), undefined);
  });
});
