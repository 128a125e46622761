import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { afterProbe, initialHealth, matcherAccepts, type HealthStatus, type ProbeResult } from '../../../src/elbv2/data-plane/embedded/health-state.js';

const ok: ProbeResult = { ok: true };
const code500: ProbeResult = { ok: false, reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [500]' };
const timeout: ProbeResult = { ok: false, reason: 'Target.Timeout', description: 'Request timed out' };
const thresholds = { healthyThreshold: 2, unhealthyThreshold: 3 };

function run(results: ProbeResult[]): HealthStatus[] {
  let status = initialHealth(0);
  return results.map((result, second) => (status = afterProbe(status, result, thresholds, (second + 1) * 1000)));
}

describe('target health state machine', () => {
  it('starts initial with Elb.InitialHealthChecking', () => {
    assert.deepEqual(initialHealth(5), { state: 'initial', reason: 'Elb.InitialHealthChecking', description: 'Initial health checks in progress', since: 5, successes: 0, failures: 0 });
  });

  it('follows the worked example of its comment', () => {
    const states = run([ok, ok, code500, code500, ok, timeout, timeout, timeout, code500, ok, ok]);
    assert.deepEqual(states.map((s) => s.state), ['initial', 'healthy', 'healthy', 'healthy', 'healthy', 'healthy', 'healthy', 'unhealthy', 'unhealthy', 'unhealthy', 'healthy']);
    assert.equal(states[1]?.since, 2000);
    assert.equal(states[7]?.reason, 'Target.Timeout');
    assert.equal(states[8]?.reason, 'Target.ResponseCodeMismatch');
    assert.equal(states[8]?.since, 8000, 'a further failure keeps the time the target turned unhealthy');
    assert.equal(states[10]?.since, 11000);
    assert.equal(states[10]?.reason, undefined);
  });

  it('goes from initial to unhealthy after unhealthyThreshold failures in a row', () => {
    const states = run([code500, ok, code500, code500, code500]);
    assert.deepEqual(states.map((s) => s.state), ['initial', 'initial', 'initial', 'initial', 'unhealthy']);
  });
});

describe('health check matcher', () => {
  it('takes codes, lists and ranges', () => {
    assert.equal(matcherAccepts('200', 200), true);
    assert.equal(matcherAccepts('200', 204), false);
    assert.equal(matcherAccepts('200,202', 202), true);
    assert.equal(matcherAccepts('200-299', 299), true);
    assert.equal(matcherAccepts('200-299', 300), false);
    assert.equal(matcherAccepts('200-204, 301', 301), true);
  });
});
