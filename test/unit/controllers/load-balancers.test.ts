/**
 * The load balancer controller against a real store and a data plane double: it applies only what
 * changed, records health transitions (not repeats), forgets drained registrations, and shows a
 * listener that cannot bind as its load balancer's failed state.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { ManualClock } from '../../../src/core/clock.js';
import { LoadBalancerController } from '../../../src/controllers/load-balancers.js';
import type { ApplyResult, DataPlane, DataPlaneConfig, TargetHealthReport } from '../../../src/elbv2/data-plane/types.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { versionOf, type ContainerInstanceRecord } from '../../../src/store/types.js';

const scoped = { accountId: '000000000000', region: 'us-east-1', tags: [], createdAt: 0 };
const lbArn = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/0123456789abcdef';
const listenerArn = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/0123456789abcdef/1111111111111111';
const groupArn = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/aaaaaaaaaaaaaaaa';

class FakeDataPlane implements DataPlane {
  readonly kind = 'embedded' as const;
  applied: DataPlaneConfig[] = [];
  reports: TargetHealthReport[] = [];
  listenerErrors: ApplyResult['listenerErrors'] = [];
  async apply(config: DataPlaneConfig): Promise<ApplyResult> {
    this.applied.push(config);
    return { listenerErrors: this.listenerErrors };
  }
  async health(): Promise<TargetHealthReport[]> {
    return this.reports;
  }
  async counters(): Promise<never> {
    throw new Error('not used');
  }
  async detach(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

describe('the load balancer controller', () => {
  let dir: string;
  let store: SqliteStore;
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  const now = () => clock.now().getTime() / 1000;
  const plane = new FakeDataPlane();
  let started: boolean[] = [];
  let controller: LoadBalancerController;
  const report = (port: number, state: TargetHealthReport['state'], reason?: string): TargetHealthReport => ({
    targetGroupArn: groupArn,
    targetId: '127.0.0.1',
    port,
    state,
    ...(reason ? { reason } : {}),
    since: 0,
  });
  const healthOf = (port: number) => store.read(async (tx) => (await tx.targetHealth.forTargetGroup(groupArn)).find((record) => record.port === port));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-lb-controller-'));
    store = new SqliteStore(dir);
    controller = new LoadBalancerController({
      store,
      clock,
      log: pino({ level: 'silent' }),
      dataPlane: {
        get: async (start) => {
          started.push(start);
          return start || plane.applied.length > 0 ? plane : undefined;
        },
        forget: async () => undefined,
      },
      healthPollMs: 1_000,
      reapplyMs: 30_000,
    });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts no data plane while there is no load balancer', async () => {
    const outcome = await controller.reconcile();
    assert.deepEqual(started, [false]);
    assert.equal(plane.applied.length, 0);
    assert.equal(outcome.requeueAfterMs, undefined);
  });

  it('applies the records once, and again only when they change or after the re-apply interval', async () => {
    await store.write(async (tx) => {
      await tx.loadBalancers.put({
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
        attributes: {},
      });
      await tx.targetGroups.put({
        ...scoped,
        arn: groupArn,
        name: 'web',
        id: 'aaaaaaaaaaaaaaaa',
        targetType: 'ip',
        protocol: 'HTTP',
        port: 80,
        ipAddressType: 'ipv4',
        healthCheck: { enabled: true, protocol: 'HTTP', port: 'traffic-port', path: '/', intervalSeconds: 5, timeoutSeconds: 2, healthyThresholdCount: 2, unhealthyThresholdCount: 2, matcher: '200' },
        attributes: {},
      });
      await tx.listeners.put({ ...scoped, arn: listenerArn, loadBalancerArn: lbArn, id: '1111111111111111', port: 8080, protocol: 'HTTP', defaultActions: [{ Type: 'forward', TargetGroupArn: groupArn }] });
      for (const port of [9001, 9002]) await tx.targets.put({ targetGroupArn: groupArn, id: '127.0.0.1', port, registeredAt: now() });
    });
    started = [];
    const outcome = await controller.reconcile();
    assert.deepEqual(started, [true]);
    assert.equal(outcome.requeueAfterMs, 1_000);
    assert.equal(plane.applied.length, 1);
    assert.deepEqual(plane.applied[0]?.targetGroups[0]?.targets.map((target) => [target.address, target.port]), [['127.0.0.1', 9001], ['127.0.0.1', 9002]]);
    await controller.reconcile();
    assert.equal(plane.applied.length, 1, 'nothing changed: not applied again');
    clock.advance(30_000);
    await controller.reconcile();
    assert.equal(plane.applied.length, 2, 'applied again after the re-apply interval');
  });

  it('writes a target’s health on a transition only', async () => {
    plane.reports = [report(9001, 'healthy'), report(9002, 'unhealthy', 'Target.Timeout')];
    await controller.reconcile();
    const first = await healthOf(9001);
    assert.equal(first?.state, 'healthy');
    assert.equal((await healthOf(9002))?.reason, 'Target.Timeout');
    await controller.reconcile();
    assert.equal(versionOf(await healthOf(9001)), versionOf(first), 'the same state is not written again');
    plane.reports = [report(9001, 'unhealthy', 'Target.ResponseCodeMismatch'), report(9002, 'unhealthy', 'Target.Timeout')];
    await controller.reconcile();
    assert.equal((await healthOf(9001))?.reason, 'Target.ResponseCodeMismatch');
  });

  it('forgets a registration the data plane has drained, with its health', async () => {
    await store.write(async (tx) => {
      const [target] = (await tx.targets.forTargetGroup(groupArn)).filter((record) => record.port === 9002);
      await tx.targets.put({ ...target!, deregisteredAt: now(), drainUntil: now() + 300 });
    });
    // Applied as draining, with a request still in flight: it stays.
    plane.reports = [report(9001, 'healthy'), report(9002, 'draining', 'Target.DeregistrationInProgress')];
    await controller.reconcile();
    assert.equal(plane.applied.at(-1)?.targetGroups[0]?.targets.find((target) => target.port === 9002)?.state, 'draining');
    const ports = () => store.read(async (tx) => (await tx.targets.forTargetGroup(groupArn)).map((target) => target.port));
    assert.deepEqual(await ports(), [9001, 9002]);
    assert.equal(await healthOf(9002), undefined, 'a draining target has no health record: the API says draining');
    // Nothing left in flight: the data plane no longer reports it.
    plane.reports = [report(9001, 'healthy')];
    await controller.reconcile();
    assert.deepEqual(await ports(), [9001]);
  });

  it('reaches an instance target at its instance’s berth.host-address, 127.0.0.1 without one', async () => {
    await store.write(async (tx) => {
      await tx.containerInstances.put({
        containerInstanceArn: 'arn:aws:ecs:us-east-1:000000000000:container-instance/default/remote',
        clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/default',
        ec2InstanceId: 'i-0remote',
        status: 'ACTIVE',
        agentConnected: true,
        attributes: [{ name: 'berth.host-address', value: '10.0.0.7' }],
        tags: [],
      } as ContainerInstanceRecord);
      const instanceGroup = (await tx.targetGroups.get(groupArn))!;
      await tx.targetGroups.put({ ...instanceGroup, targetType: 'instance' });
      await tx.targets.put({ targetGroupArn: groupArn, id: 'i-0remote', port: 32768, registeredAt: now() });
      await tx.targets.put({ targetGroupArn: groupArn, id: 'i-0local', port: 32769, registeredAt: now() });
    });
    await controller.reconcile();
    const targets = plane.applied.at(-1)?.targetGroups[0]?.targets ?? [];
    assert.equal(targets.find((target) => target.id === 'i-0remote')?.address, '10.0.0.7');
    assert.equal(targets.find((target) => target.id === 'i-0local')?.address, '127.0.0.1');
  });

  it('shows a listener that cannot bind as its load balancer’s failed state, and active once it binds', async () => {
    plane.listenerErrors = [{ listenerArn, message: '127.0.2.1:8080 is already in use by another program; choose another port' }];
    clock.advance(30_000);
    await controller.reconcile();
    const failed = await store.read((tx) => tx.loadBalancers.get(lbArn));
    assert.equal(failed?.state, 'failed');
    assert.match(failed?.stateReason ?? '', /already in use/);
    plane.listenerErrors = [];
    clock.advance(30_000);
    await controller.reconcile();
    const active = await store.read((tx) => tx.loadBalancers.get(lbArn));
    assert.equal(active?.state, 'active');
    assert.equal(active?.stateReason, undefined);
  });
});
