import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../../src/core/errors.js';
import { checkHealthCheckInput, healthCheckOf } from '../../../src/elbv2/health-checks.js';

const refused = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, 'ValidationError');
    assert.match(error.message, message);
    return true;
  });

describe('health check settings', () => {
  it("are AWS's defaults per protocol", () => {
    assert.deepEqual(healthCheckOf('HTTP', {}), {
      enabled: true, protocol: 'HTTP', port: 'traffic-port', intervalSeconds: 30, timeoutSeconds: 5, healthyThresholdCount: 5, unhealthyThresholdCount: 2, path: '/', matcher: '200',
    });
    assert.deepEqual(healthCheckOf('TCP', {}), {
      enabled: true, protocol: 'TCP', port: 'traffic-port', intervalSeconds: 30, timeoutSeconds: 10, healthyThresholdCount: 5, unhealthyThresholdCount: 2,
    });
    assert.equal(healthCheckOf('HTTPS', {}).protocol, 'HTTPS');
    assert.deepEqual(healthCheckOf('TCP', { HealthCheckProtocol: 'HTTP' }).matcher, '200-399');
    assert.equal(healthCheckOf('TCP', { HealthCheckProtocol: 'HTTP' }).timeoutSeconds, 6);
  });

  it('keep what was set before, and drop the path and matcher when the check turns TCP', () => {
    const http = healthCheckOf('TCP', { HealthCheckProtocol: 'HTTP', HealthCheckPath: '/ready' });
    const tcp = healthCheckOf('TCP', { HealthCheckProtocol: 'TCP' }, http);
    assert.equal(tcp.path, undefined);
    assert.equal(tcp.matcher, undefined);
    assert.equal(tcp.timeoutSeconds, 10);
    assert.equal(healthCheckOf('HTTP', { HealthyThresholdCount: 3 }, healthCheckOf('HTTP', { HealthCheckPath: '/h' })).path, '/h');
  });

  it('take a timeout under a short interval given alone, and refuse one given that is not under it', () => {
    assert.equal(healthCheckOf('HTTP', { HealthCheckIntervalSeconds: 5 }).timeoutSeconds, 4);
    refused(() => healthCheckOf('HTTP', { HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 5 }), /^Health check interval must be greater than the timeout.$/);
  });

  it('refuse values out of range and matchers outside what the load balancer type allows', () => {
    refused(() => checkHealthCheckInput({ HealthCheckIntervalSeconds: 301 }), /between 5 and 300/);
    refused(() => checkHealthCheckInput({ HealthCheckPort: '0' }), /traffic-port/);
    refused(() => checkHealthCheckInput({ HealthCheckProtocol: 'UDP' }), /enum value set: \[HTTP, HTTPS, TCP\]/);
    refused(() => healthCheckOf('HTTP', { Matcher: { HttpCode: '200-199' } }), /within '200-499'/);
    refused(() => healthCheckOf('HTTP', { Matcher: { HttpCode: '500' } }), /within '200-499'/);
    assert.equal(healthCheckOf('TCP', { HealthCheckProtocol: 'HTTP', Matcher: { HttpCode: '200,500-599' } }).matcher, '200,500-599');
  });
});
