/**
 * The ELBv2 tables of the SQLite store: every write reaches the change feed with its kind, key,
 * version and labels; a rule is found by the target groups it forwards to; load balancer
 * addresses are unique; and a reset deletes one account's records, or everything.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Change } from '../../src/store/changes.js';
import type { ListenerRecord, LoadBalancerRecord, RuleRecord, TargetGroupRecord } from '../../src/store/contract/elbv2.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const base = 'arn:aws:elasticloadbalancing:us-east-1';

function loadBalancer(account: string, name: string, address: string): LoadBalancerRecord {
  const id = '0123456789abcdef';
  return {
    arn: `${base}:${account}:loadbalancer/app/${name}/${id}`,
    accountId: account,
    region: 'us-east-1',
    name,
    id,
    type: 'application',
    scheme: 'internet-facing',
    ipAddressType: 'ipv4',
    subnets: [],
    securityGroups: [],
    dnsName: `${name}-${id}.us-east-1.elb.localhost`,
    address,
    state: 'active',
    attributes: {},
    tags: [],
    createdAt: 0,
  };
}

function targetGroup(account: string, name: string): TargetGroupRecord {
  return {
    arn: `${base}:${account}:targetgroup/${name}/0123456789abcdef`,
    accountId: account,
    region: 'us-east-1',
    name,
    id: '0123456789abcdef',
    targetType: 'instance',
    protocol: 'HTTP',
    port: 80,
    ipAddressType: 'ipv4',
    healthCheck: { enabled: true, protocol: 'HTTP', port: 'traffic-port', path: '/', intervalSeconds: 30, timeoutSeconds: 5, healthyThresholdCount: 5, unhealthyThresholdCount: 2, matcher: '200' },
    attributes: {},
    tags: [],
    createdAt: 0,
  };
}

function listenerOf(lb: LoadBalancerRecord, group: TargetGroupRecord): { listener: ListenerRecord; rule: RuleRecord } {
  const arn = lb.arn.replace(':loadbalancer/', ':listener/') + '/1111111111111111';
  const actions = [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: group.arn, Weight: 1 }] } }];
  return {
    listener: { arn, accountId: lb.accountId, region: lb.region, loadBalancerArn: lb.arn, id: '1111111111111111', port: 80, protocol: 'HTTP', defaultActions: actions, tags: [], createdAt: 0 },
    rule: {
      arn: arn.replace(':listener/', ':listener-rule/') + '/2222222222222222',
      accountId: lb.accountId,
      region: lb.region,
      listenerArn: arn,
      loadBalancerArn: lb.arn,
      isDefault: true,
      conditions: [],
      actions,
      tags: [],
      createdAt: 0,
    },
  };
}

describe('the ELBv2 tables of the SQLite store', () => {
  let dir: string;
  let store: SqliteStore;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-elb-store-'));
    store = new SqliteStore(join(dir, 'data'), { keyFile: join(dir, 'key') });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports every write on the change feed with its kind, key, version and labels', async () => {
    const seen: Change[] = [];
    const subscription = store.changes.watch({ kinds: ['loadBalancer', 'targetGroup', 'listener', 'rule', 'target', 'targetHealth'] }, (batch) => seen.push(...batch.changes));
    const lb = loadBalancer('000000000000', 'web', '127.0.2.1');
    const group = targetGroup('000000000000', 'web');
    const { listener, rule } = listenerOf(lb, group);
    await store.write(async (tx) => {
      await tx.loadBalancers.put(lb);
      await tx.targetGroups.put(group);
      await tx.listeners.put(listener);
      await tx.rules.put(rule);
      await tx.targets.put({ targetGroupArn: group.arn, id: 'i-1', port: 8080, registeredAt: 0 });
      await tx.targetHealth.put({ targetGroupArn: group.arn, id: 'i-1', port: 8080, state: 'healthy', updatedAt: 0 });
    });
    await store.write(async (tx) => {
      // An update carries the version it read (optimistic concurrency).
      const current = await tx.loadBalancers.get(lb.arn);
      assert.ok(current);
      await tx.loadBalancers.put({ ...current, tags: [{ Key: 'a', Value: 'b' }] });
    });
    await store.write((tx) => tx.targets.delete(group.arn, 'i-1', 8080));
    await new Promise((resolve) => setImmediate(resolve));
    subscription.close();
    assert.deepEqual(
      seen.map((change) => [change.kind, change.op, change.version, change.labels]),
      [
        ['loadBalancer', 'created', 1, { account: '000000000000' }],
        ['targetGroup', 'created', 1, { account: '000000000000' }],
        ['listener', 'created', 1, { loadBalancer: lb.arn }],
        ['rule', 'created', 1, { loadBalancer: lb.arn, listener: listener.arn }],
        ['target', 'created', 1, { targetGroup: group.arn }],
        ['targetHealth', 'created', 1, { targetGroup: group.arn }],
        ['loadBalancer', 'updated', 2, { account: '000000000000' }],
        ['target', 'deleted', 1, { targetGroup: group.arn }],
      ],
    );
    assert.equal(seen[4]?.key, `${group.arn}/i-1:8080`);
    assert.equal(seen[0]?.key, lb.arn);
  });

  it('finds the rules that forward to a target group, and only those', async () => {
    const group = targetGroup('000000000000', 'web');
    const rules = await store.read((tx) => tx.rules.forwardingTo(group.arn));
    assert.equal(rules.length, 1);
    assert.deepEqual(await store.read((tx) => tx.rules.forwardingTo(`${group.arn.slice(0, -1)}0`)), []);
  });

  it('refuses a second load balancer on an address already held, in any account', async () => {
    // The address is unique: the insert finds its row taken and the write is refused as a conflict.
    await assert.rejects(store.write((tx) => tx.loadBalancers.put(loadBalancer('111111111111', 'copy', '127.0.2.1'))), { name: 'StoreConflict' });
  });

  it("deletes one account's records on its reset, and every record on the installation's", async () => {
    const other = loadBalancer('111111111111', 'web', '127.0.2.2');
    const otherGroup = targetGroup('111111111111', 'web');
    const { listener, rule } = listenerOf(other, otherGroup);
    await store.write(async (tx) => {
      await tx.loadBalancers.put(other);
      await tx.targetGroups.put(otherGroup);
      await tx.listeners.put(listener);
      await tx.rules.put(rule);
      await tx.targets.put({ targetGroupArn: otherGroup.arn, id: 'i-2', port: 80, registeredAt: 0 });
    });
    assert.deepEqual((await store.read((tx) => tx.loadBalancers.all())).map((record) => record.accountId), ['000000000000', '111111111111']);
    await store.reset({ kind: 'account', accountId: '000000000000' });
    assert.deepEqual(await store.read((tx) => tx.loadBalancers.addressesInUse()), ['127.0.2.2']);
    assert.equal((await store.read((tx) => tx.targetGroups.list('000000000000', 'us-east-1', { limit: 10 }))).items.length, 0);
    assert.equal((await store.read((tx) => tx.targetHealth.forTargetGroup(targetGroup('000000000000', 'web').arn))).length, 0);
    assert.equal((await store.read((tx) => tx.rules.forListener(listener.arn))).length, 1);
    assert.equal((await store.read((tx) => tx.targets.forTargetGroup(otherGroup.arn))).length, 1);
    await store.reset({ kind: 'installation' });
    assert.deepEqual(await store.read((tx) => tx.loadBalancers.addressesInUse()), []);
    assert.equal((await store.read((tx) => tx.targets.forTargetGroup(otherGroup.arn))).length, 0);
  });
});
