/**
 * The embedded data plane's health checks run on the clock it is given: with ELB's defaults
 * (interval 30 s, healthy threshold 5, unhealthy threshold 2), a check is due an interval after
 * the last one finished and not before, so moving the clock (not waiting) drives every transition.
 * The checks themselves are real HTTP requests to a real target on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.js';
import { Engine } from '../../../src/elbv2/data-plane/embedded/engine.js';
import type { DataPlaneConfig, TargetConfig, TargetGroupConfig } from '../../../src/elbv2/data-plane/types.js';

const elbDefaults = { enabled: true, protocol: 'HTTP' as const, port: 'traffic-port' as const, path: '/health', matcher: '200', intervalSeconds: 30, timeoutSeconds: 5, healthyThreshold: 5, unhealthyThreshold: 2 };

function group(targets: TargetConfig[]): TargetGroupConfig {
  return {
    arn: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/scheduled/0000000000000001',
    name: 'scheduled',
    protocol: 'HTTP',
    targetType: 'ip',
    algorithm: 'round_robin',
    stickiness: { enabled: false, type: 'lb_cookie', durationSeconds: 86400 },
    slowStartSeconds: 0,
    deregistrationDelaySeconds: 300,
    healthCheck: elbDefaults,
    targets,
  };
}

describe('embedded data plane health checks on an injected clock', () => {
  let server: Server;
  let port = 0;
  let checks = 0;
  let status = 200;

  before(async () => {
    server = createServer((request, response) => {
      if (request.url === '/health') checks++;
      response.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('checks once per interval, turns healthy after five passes and unhealthy after two failures', async () => {
    checks = 0;
    status = 200;
    const clock = new ManualClock();
    const engine = new Engine({ now: () => clock.now().getTime(), tickMs: 0 });
    const start = clock.now().getTime();
    const target: TargetConfig = { id: '127.0.0.1', address: '127.0.0.1', port, state: 'registered', registeredAt: start };
    const config: DataPlaneConfig = { loadBalancers: [], targetGroups: [group([target])] };
    const state = () => engine.health()[0];
    try {
      await engine.apply(config);
      await engine.runDue();
      assert.equal(checks, 1, 'a new target is checked at once');
      assert.equal(state()?.state, 'initial');
      assert.equal(state()?.reason, 'Elb.InitialHealthChecking');
      await engine.runDue();
      clock.advance(29_999);
      await engine.runDue();
      assert.equal(checks, 1, 'no second check before the interval has passed');
      for (let pass = 2; pass <= 5; pass++) {
        clock.advance(30_000);
        await engine.runDue();
        assert.equal(checks, pass);
        assert.equal(state()?.state, pass < 5 ? 'initial' : 'healthy', `after ${pass} passes`);
      }
      assert.equal(state()?.since, clock.now().getTime(), 'healthy since the fifth check, on the injected clock');
      status = 500;
      clock.advance(30_000);
      await engine.runDue();
      assert.equal(state()?.state, 'healthy', 'one failure is below the unhealthy threshold');
      clock.advance(30_000);
      await engine.runDue();
      assert.equal(state()?.state, 'unhealthy');
      assert.equal(state()?.reason, 'Target.ResponseCodeMismatch');
      assert.equal(state()?.description, 'Health checks failed with these codes: [500]');
      assert.equal(checks, 7);
    } finally {
      await engine.close();
    }
  });

  it('checks every registered target at once on demand, and schedules the next check an interval after it', async () => {
    checks = 0;
    status = 200;
    const clock = new ManualClock();
    const engine = new Engine({ now: () => clock.now().getTime(), tickMs: 0 });
    const target: TargetConfig = { id: '127.0.0.1', address: '127.0.0.1', port, state: 'registered', registeredAt: clock.now().getTime() };
    try {
      await engine.apply({ loadBalancers: [], targetGroups: [group([target])] });
      for (let i = 0; i < 5; i++) await engine.checkNow();
      assert.equal(checks, 5);
      assert.equal(engine.health()[0]?.state, 'healthy', 'five checks on demand count as five scheduled ones');
      await engine.runDue();
      assert.equal(checks, 5, 'the check on demand was the scheduled one: the next is an interval away');
      clock.advance(30_000);
      await engine.runDue();
      assert.equal(checks, 6);
    } finally {
      await engine.close();
    }
  });
});
