/**
 * Load balancers through the AWS SDK: ARNs, DNS names and addresses as Berth forms them, defaults,
 * idempotent creation, pagination, attributes, deletion (with its listeners and rules, and under
 * deletion protection), the errors AWS answers, and that other accounts and regions see nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  ModifyLoadBalancerAttributesCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { addOtherAccount, createForwardingListener, createLoadBalancer, createTargetGroup, elbClient, otherAccount } from './elbv2-client.js';

describe('ELBv2 load balancers', () => {
  let berth: TestBerth;
  let elb: ElasticLoadBalancingV2Client;
  before(async () => {
    berth = await startBerth({ loadBalancerAddresses: '127.0.2.0/28' });
    elb = elbClient(berth);
    await addOtherAccount(berth);
  });
  after(async () => {
    elb.destroy();
    await berth.close();
  });

  it('creates an Application Load Balancer with AWS-formed ARN, a local DNS name and its own loopback address', async () => {
    const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: ['subnet-local'], Tags: [{ Key: 'team', Value: 'core' }] }));
    const lb = LoadBalancers?.[0];
    assert.ok(lb);
    assert.match(lb.LoadBalancerArn ?? '', /^arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer\/app\/web\/[0-9a-f]{16}$/);
    const id = lb.LoadBalancerArn?.split('/').at(-1);
    assert.equal(lb.DNSName, `web-${id}.us-east-1.elb.localhost`);
    assert.equal(lb.Type, 'application');
    assert.equal(lb.Scheme, 'internet-facing');
    assert.equal(lb.IpAddressType, 'ipv4');
    assert.deepEqual(lb.State, { Code: 'active' });
    assert.deepEqual(lb.AvailabilityZones?.map((zone) => zone.SubnetId), ['subnet-local']);
    assert.ok(lb.CreatedTime instanceof Date);
    const stored = await berth.server.store.read((tx) => tx.loadBalancers.get(lb.LoadBalancerArn as string));
    assert.equal(stored?.address, '127.0.2.1');
  });

  it('creates a Network Load Balancer under net/, reporting its address', async () => {
    const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: 'tcp', Type: 'network', Scheme: 'internal' }));
    const lb = LoadBalancers?.[0];
    assert.match(lb?.LoadBalancerArn ?? '', /:loadbalancer\/net\/tcp\/[0-9a-f]{16}$/);
    assert.equal(lb?.Scheme, 'internal');
    assert.equal(lb?.AvailabilityZones?.[0]?.LoadBalancerAddresses?.[0]?.IpAddress, '127.0.2.2');
  });

  it('answers the same load balancer to the same request, and DuplicateLoadBalancerName to a different one', async () => {
    const first = await elb.send(new CreateLoadBalancerCommand({ Name: 'twice', Subnets: ['subnet-a'] }));
    const again = await elb.send(new CreateLoadBalancerCommand({ Name: 'twice', Subnets: ['subnet-a'] }));
    assert.equal(again.LoadBalancers?.[0]?.LoadBalancerArn, first.LoadBalancers?.[0]?.LoadBalancerArn);
    await rejects(elb.send(new CreateLoadBalancerCommand({ Name: 'twice', Type: 'network' })), 'DuplicateLoadBalancerNameException', /^A load balancer with the same name 'twice' exists$/);
  });

  it('validates the input before anything else, with AWS codes and messages naming the field', async () => {
    await rejects(elb.send(new CreateLoadBalancerCommand({} as never)), 'ValidationError', /Value null at 'name' failed to satisfy constraint: Member must not be null/);
    await rejects(elb.send(new CreateLoadBalancerCommand({ Name: 'a'.repeat(33) })), 'ValidationError', /cannot be longer than '32' characters/);
    await rejects(elb.send(new CreateLoadBalancerCommand({ Name: 'bad_name' })), 'ValidationError', /alphanumeric characters or hyphens/);
    await rejects(elb.send(new CreateLoadBalancerCommand({ Name: '-edge' })), 'ValidationError', /cannot begin or end with '-'/);
    await rejects(elb.send(new CreateLoadBalancerCommand({ Name: 'internal-x' })), 'ValidationError', /cannot begin with 'internal-'/);
    await rejects(elb.send(new CreateLoadBalancerCommand({ Name: 'x', Type: 'classic' as never })), 'ValidationError', /enum value set: \[application, network, gateway\]/);
    await rejects(elb.send(new CreateLoadBalancerCommand({ Name: 'x', Type: 'gateway' })), 'InvalidConfigurationRequestException', /Gateway Load Balancers are not supported/);
    await rejects(elb.send(new CreateLoadBalancerCommand({ Name: 'x', IpAddressType: 'dualstack' })), 'InvalidConfigurationRequestException', /IP address type 'dualstack' is not supported/);
    // A malformed name is refused even though a load balancer of that name would be a duplicate.
    await rejects(elb.send(new CreateLoadBalancerCommand({ Name: 'twice', Scheme: 'public' as never })), 'ValidationError', /scheme/);
  });

  it('describes by ARNs or names, refuses both at once, and names the missing ones', async () => {
    const arn = await createLoadBalancer(elb, 'described');
    const byArn = await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }));
    assert.deepEqual(byArn.LoadBalancers?.map((lb) => lb.LoadBalancerName), ['described']);
    const byName = await elb.send(new DescribeLoadBalancersCommand({ Names: ['described', 'web'] }));
    assert.deepEqual(byName.LoadBalancers?.map((lb) => lb.LoadBalancerName), ['described', 'web']);
    await rejects(elb.send(new DescribeLoadBalancersCommand({ Names: ['nope'] })), 'LoadBalancerNotFoundException', /^Load balancers '\[nope\]' not found$/);
    await rejects(elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn.replace(/[0-9a-f]{16}$/, '0000000000000000')] })), 'LoadBalancerNotFoundException', /^One or more load balancers not found$/);
    await rejects(elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: ['web'] })), 'ValidationError', /'web' is not a valid load balancer ARN/);
    await rejects(elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn], Names: ['described'] })), 'ValidationError', /cannot be specified at the same time/);
  });

  it('pages with Marker and PageSize, oldest first, and refuses a page size out of range', async () => {
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await elb.send(new DescribeLoadBalancersCommand({ PageSize: 2, ...(marker ? { Marker: marker } : {}) }));
      assert.ok((page.LoadBalancers?.length ?? 0) <= 2);
      seen.push(...(page.LoadBalancers ?? []).map((lb) => lb.LoadBalancerName as string));
      marker = page.NextMarker;
    } while (marker);
    assert.deepEqual(seen, ['web', 'tcp', 'twice', 'described']);
    await rejects(elb.send(new DescribeLoadBalancersCommand({ PageSize: 401 })), 'ValidationError', /pageSize.*between 1 and 400/);
    await rejects(elb.send(new DescribeLoadBalancersCommand({ Marker: 'not-a-marker' })), 'ValidationError', /Invalid marker/);
  });

  it("shows AWS's attribute defaults per type, sets those Berth honours and refuses the others", async () => {
    const arn = await createLoadBalancer(elb, 'attrs');
    const { Attributes } = await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }));
    const values = Object.fromEntries((Attributes ?? []).map((item) => [item.Key, item.Value]));
    assert.equal(values['idle_timeout.timeout_seconds'], '60');
    assert.equal(values['deletion_protection.enabled'], 'false');
    assert.equal(values['routing.http2.enabled'], 'true');
    assert.equal(values['access_logs.s3.enabled'], 'false');
    const modified = await elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '120' }] }));
    assert.ok(modified.Attributes?.some((item) => item.Key === 'idle_timeout.timeout_seconds' && item.Value === '120'));
    await rejects(elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'no.such.key', Value: '1' }] })), 'ValidationError', /Attribute key 'no.such.key' is not recognized/);
    await rejects(elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '0' }] })), 'ValidationError', /between 1 and 4000/);
    await rejects(elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'access_logs.s3.enabled', Value: 'true' }] })), 'InvalidConfigurationRequestException', /access_logs.s3.enabled/);
    // Setting an attribute Berth does not honour to its default is fine.
    await elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'access_logs.s3.enabled', Value: 'false' }] }));
    const network = await createLoadBalancer(elb, 'attrs-net', 'network');
    const networkAttributes = await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: network }));
    const networkValues = Object.fromEntries((networkAttributes.Attributes ?? []).map((item) => [item.Key, item.Value]));
    assert.equal(networkValues['load_balancing.cross_zone.enabled'], 'false');
    assert.equal(networkValues['idle_timeout.timeout_seconds'], undefined);
  });

  it('refuses to delete under deletion protection, then deletes with its listeners and frees its address', async () => {
    const arn = await createLoadBalancer(elb, 'doomed');
    const address = (await berth.server.store.read((tx) => tx.loadBalancers.get(arn)))?.address;
    const group = await createTargetGroup(elb, 'doomed');
    await createForwardingListener(elb, arn, group);
    await elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'deletion_protection.enabled', Value: 'true' }] }));
    await rejects(elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn })), 'OperationNotPermittedException', /deletion protection is enabled/);
    await elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }] }));
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }));
    await rejects(elb.send(new DescribeListenersCommand({ LoadBalancerArn: arn })), 'LoadBalancerNotFoundException');
    const rules = await berth.server.store.read(async (tx) => tx.rules.forwardingTo(group));
    assert.deepEqual(rules, []);
    const next = await createLoadBalancer(elb, 'reuses');
    assert.equal((await berth.server.store.read((tx) => tx.loadBalancers.get(next)))?.address, address);
    await rejects(elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn })), 'LoadBalancerNotFoundException');
  });

  it('runs out of addresses with TooManyLoadBalancers once the range is taken', async () => {
    // 127.0.2.0/28 holds fourteen usable addresses (.1 to .14).
    const held = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.length ?? 0;
    for (let index = held; index < 14; index += 1) await createLoadBalancer(elb, `fill-${index}`);
    const addresses = await berth.server.store.read((tx) => tx.loadBalancers.addressesInUse());
    assert.deepEqual([...addresses].sort((a, b) => Number(a.split('.')[3]) - Number(b.split('.')[3])), Array.from({ length: 14 }, (_, index) => `127.0.2.${index + 1}`));
    await rejects(elb.send(new CreateLoadBalancerCommand({ Name: 'one-too-many' })), 'TooManyLoadBalancersException');
  });

  it('shows nothing of this account to another account or another region', async () => {
    const arn = await berth.server.store.read(async (tx) => (await tx.loadBalancers.findByName('000000000000', 'us-east-1', 'web'))?.arn as string);
    const other = elbClient(berth, 'us-east-1', otherAccount);
    const elsewhere = elbClient(berth, 'eu-west-1');
    try {
      assert.deepEqual((await other.send(new DescribeLoadBalancersCommand({}))).LoadBalancers, []);
      await rejects(other.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] })), 'LoadBalancerNotFoundException');
      // Naming this account's load balancer is a cross-account call: AccessDenied, as ELB has no resource policies.
      await rejects(other.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn })), 'AccessDenied', /elasticloadbalancing:DeleteLoadBalancer/);
      await rejects(elsewhere.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn })), 'LoadBalancerNotFoundException');
      // Names are per account and region.
      await other.send(new DescribeLoadBalancersCommand({}));
      assert.deepEqual((await elsewhere.send(new DescribeLoadBalancersCommand({}))).LoadBalancers, []);
    } finally {
      other.destroy();
      elsewhere.destroy();
    }
  });
});
