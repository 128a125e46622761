/**
 * Registering targets and what DescribeTargetHealth answers for each state: initial while nothing
 * is recorded, the recorded health once the controller writes it, unused while no listener uses
 * the group, draining for the deregistration delay and then gone, and unused / Target.NotRegistered
 * for a target asked for by id that is not registered. The delay passes on an advanced clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AdvancingClock } from '../../src/core/clock.js';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { createForwardingListener, createLoadBalancer, createTargetGroup, elbClient } from './elbv2-client.js';

const instance = 'i-0123456789abcdef0';

describe('ELBv2 targets and their health', () => {
  let berth: TestBerth;
  let elb: ElasticLoadBalancingV2Client;
  const clock = new AdvancingClock();
  let group: string;
  before(async () => {
    berth = await startBerth({}, { clock });
    // What the API answers from the records: health is written here by hand, not by the controller
    // from a data plane (test/elbv2/load-balancing.test.ts runs the two together).
    await berth.server.loadBalancers.stop();
    elb = elbClient(berth);
    group = await createTargetGroup(elb, 'web');
  });
  after(async () => {
    elb.destroy();
    await berth.close();
  });

  const health = async (targets?: { Id: string; Port?: number }[]) =>
    (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group, ...(targets ? { Targets: targets } : {}) }))).TargetHealthDescriptions ?? [];

  it('answers unused / Target.NotInUse while no listener forwards to the group', async () => {
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: instance, Port: 32768 }] }));
    const [first] = await health();
    assert.deepEqual(first?.Target, { Id: instance, Port: 32768 });
    assert.deepEqual(first?.TargetHealth, { State: 'unused', Reason: 'Target.NotInUse', Description: 'Target group is not configured to receive traffic from the load balancer' });
  });

  it('answers initial / Elb.RegistrationInProgress once used, until health is recorded, then the recorded health', async () => {
    const lb = await createLoadBalancer(elb, 'web');
    await createForwardingListener(elb, lb, group);
    const [first] = await health();
    assert.deepEqual(first?.TargetHealth, { State: 'initial', Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' });
    assert.equal(first?.HealthCheckPort, '32768');
    await berth.server.store.write((tx) => tx.targetHealth.put({ targetGroupArn: group, id: instance, port: 32768, state: 'healthy', updatedAt: 0 }));
    assert.deepEqual((await health())[0]?.TargetHealth, { State: 'healthy' });
    await berth.server.store.write((tx) =>
      tx.targetHealth.put({ targetGroupArn: group, id: instance, port: 32768, state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [500]', updatedAt: 1 }),
    );
    assert.deepEqual((await health())[0]?.TargetHealth, { State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch', Description: 'Health checks failed with these codes: [500]' });
  });

  it('reports the health check port when it is not the traffic port, and the group port for a target registered without one', async () => {
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: 'i-00000000000000002' }] }));
    await elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: group, HealthCheckPort: '9000' }));
    const described = await health([{ Id: 'i-00000000000000002' }]);
    assert.deepEqual(described[0]?.Target, { Id: 'i-00000000000000002', Port: 80 });
    assert.equal(described[0]?.HealthCheckPort, '9000');
    await elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: group, HealthCheckPort: 'traffic-port' }));
  });

  it('answers unused / Target.NotRegistered for a target asked for that is not registered', async () => {
    const [described] = await health([{ Id: 'i-0fffffffffffffff0', Port: 80 }]);
    assert.deepEqual(described?.TargetHealth, { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' });
  });

  it('drains a deregistered target for the deregistration delay, then forgets it', async () => {
    await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: group, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] }));
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: instance, Port: 32768 }] }));
    const [draining] = await health([{ Id: instance, Port: 32768 }]);
    assert.deepEqual(draining?.TargetHealth, { State: 'draining', Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' });
    clock.advance(29_000);
    assert.equal((await health([{ Id: instance, Port: 32768 }]))[0]?.TargetHealth?.State, 'draining');
    clock.advance(2_000);
    assert.deepEqual((await health()).map((item) => item.Target?.Id), ['i-00000000000000002']);
    assert.equal((await health([{ Id: instance, Port: 32768 }]))[0]?.TargetHealth?.Reason, 'Target.NotRegistered');
    // The next registration in the group clears what drained, its health with it.
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: instance, Port: 32768 }] }));
    assert.equal((await health([{ Id: instance, Port: 32768 }]))[0]?.TargetHealth?.State, 'initial');
  });

  it('takes a draining target back when it is registered again', async () => {
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: instance, Port: 32768 }] }));
    assert.equal((await health([{ Id: instance, Port: 32768 }]))[0]?.TargetHealth?.State, 'draining');
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: instance, Port: 32768 }] }));
    assert.equal((await health([{ Id: instance, Port: 32768 }]))[0]?.TargetHealth?.State, 'initial');
  });

  it('refuses malformed targets and ARNs, and deregistering a target that is not registered', async () => {
    await rejects(elb.send(new RegisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: '10.0.0.1' }] })), 'ValidationError', /Instance ID '10.0.0.1' is not valid/);
    await rejects(elb.send(new RegisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: instance, Port: 70000 }] })), 'ValidationError', /between 1 and 65535/);
    await rejects(elb.send(new RegisterTargetsCommand({ TargetGroupArn: 'nope', Targets: [{ Id: instance }] })), 'ValidationError', /'nope' is not a valid target group ARN/);
    await rejects(elb.send(new RegisterTargetsCommand({ TargetGroupArn: group } as never)), 'ValidationError', /Value null at 'targets'/);
    await rejects(elb.send(new DeregisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: 'i-0eeeeeeeeeeeeeee0', Port: 80 }] })), 'InvalidTargetException', /not registered/);
    const ip = (await elb.send(new CreateTargetGroupCommand({ Name: 'by-ip', Protocol: 'HTTP', Port: 80, TargetType: 'ip' }))).TargetGroups?.[0]?.TargetGroupArn as string;
    await rejects(elb.send(new RegisterTargetsCommand({ TargetGroupArn: ip, Targets: [{ Id: 'i-0123' }] })), 'ValidationError', /not a valid IPv4 address/);
  });

  it('holds at most 1000 targets per group (TooManyTargets)', async () => {
    const arn = await createTargetGroup(elb, 'many', 'HTTP', 80);
    const targets = Array.from({ length: 1000 }, (_, index) => ({ Id: `i-${index.toString(16).padStart(17, '0')}` }));
    for (let start = 0; start < targets.length; start += 250) await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: targets.slice(start, start + 250) }));
    await rejects(elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: 'i-0aaaaaaaaaaaaaaa1' }] })), 'TooManyTargetsException');
  });
});
