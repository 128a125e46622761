/**
 * SetSubnets, SetSecurityGroups and SetIpAddressType through the AWS SDK: what DescribeLoadBalancers
 * shows afterwards, ELB's rules (a Network Load Balancer keeps its subnets and takes security
 * groups only when created with some), input checked before any lookup, and dualstack refused
 * with the reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  SetIpAddressTypeCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
  type ElasticLoadBalancingV2Client,
  type LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { elbClient } from './elbv2-client.js';

describe('ELBv2 load balancer network settings', () => {
  let berth: TestBerth;
  let elb: ElasticLoadBalancingV2Client;
  const missing = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/gone/0123456789abcdef';
  before(async () => {
    berth = await startBerth({ loadBalancerAddresses: '127.0.2.0/28' });
    elb = elbClient(berth);
  });
  after(async () => {
    elb.destroy();
    await berth.close();
  });

  async function create(input: ConstructorParameters<typeof CreateLoadBalancerCommand>[0]): Promise<string> {
    const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand(input));
    return LoadBalancers?.[0]?.LoadBalancerArn as string;
  }
  async function describe1(arn: string): Promise<LoadBalancer> {
    const { LoadBalancers } = await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }));
    return LoadBalancers?.[0] as LoadBalancer;
  }

  it('SetSubnets replaces an ALB\'s subnets, by ids or mappings, and DescribeLoadBalancers shows them', async () => {
    const arn = await create({ Name: 'subnets-alb', Subnets: ['subnet-a', 'subnet-b'] });
    const set = await elb.send(new SetSubnetsCommand({ LoadBalancerArn: arn, Subnets: ['subnet-c'] }));
    assert.deepEqual(set.AvailabilityZones?.map((zone) => zone.SubnetId), ['subnet-c']);
    assert.equal(set.IpAddressType, 'ipv4');
    const address = set.AvailabilityZones?.[0]?.LoadBalancerAddresses?.[0]?.IpAddress;
    assert.match(address ?? '', /^127\.0\.2\.\d+$/);
    const shown = await describe1(arn);
    assert.deepEqual(shown.AvailabilityZones?.map((zone) => zone.SubnetId), ['subnet-c']);
    assert.equal(shown.AvailabilityZones?.[0]?.LoadBalancerAddresses?.[0]?.IpAddress, address, 'the address stays the same');
    await elb.send(new SetSubnetsCommand({ LoadBalancerArn: arn, SubnetMappings: [{ SubnetId: 'subnet-d' }, { SubnetId: 'subnet-e' }], IpAddressType: 'ipv4' }));
    assert.deepEqual((await describe1(arn)).AvailabilityZones?.map((zone) => zone.SubnetId), ['subnet-d', 'subnet-e']);
  });

  it('SetSubnets on an NLB adds subnets but refuses to drop one', async () => {
    const arn = await create({ Name: 'subnets-nlb', Type: 'network', Subnets: ['subnet-a'] });
    await elb.send(new SetSubnetsCommand({ LoadBalancerArn: arn, Subnets: ['subnet-a', 'subnet-b'] }));
    assert.deepEqual((await describe1(arn)).AvailabilityZones?.map((zone) => zone.SubnetId), ['subnet-a', 'subnet-b']);
    await rejects(elb.send(new SetSubnetsCommand({ LoadBalancerArn: arn, Subnets: ['subnet-b'] })), 'InvalidConfigurationRequestException', /subnet-a/);
    assert.deepEqual((await describe1(arn)).AvailabilityZones?.map((zone) => zone.SubnetId), ['subnet-a', 'subnet-b']);
  });

  it('SetSubnets checks its input before looking the load balancer up', async () => {
    await rejects(elb.send(new SetSubnetsCommand({ LoadBalancerArn: missing, Subnets: ['subnet-a'], SubnetMappings: [{ SubnetId: 'subnet-b' }] })), 'ValidationError', /not both/);
    await rejects(elb.send(new SetSubnetsCommand({ LoadBalancerArn: missing })), 'ValidationError', /subnets or subnet mappings/);
    await rejects(elb.send(new SetSubnetsCommand({ LoadBalancerArn: missing, Subnets: ['subnet-a', 'subnet-a'] })), 'ValidationError', /subnet-a/);
    await rejects(elb.send(new SetSubnetsCommand({ LoadBalancerArn: missing, SubnetMappings: [{ SubnetId: 'subnet-a', PrivateIPv4Address: '10.0.0.5' }] })), 'InvalidConfigurationRequestException', /PrivateIPv4Address/);
    await rejects(elb.send(new SetSubnetsCommand({ LoadBalancerArn: missing, Subnets: ['subnet-a'], IpAddressType: 'dualstack' })), 'InvalidConfigurationRequestException', /dualstack/);
    await rejects(elb.send(new SetSubnetsCommand({ LoadBalancerArn: missing, Subnets: ['subnet-a'], EnablePrefixForIpv6SourceNat: 'on' })), 'InvalidConfigurationRequestException', /EnablePrefixForIpv6SourceNat/);
    await rejects(elb.send(new SetSubnetsCommand({ LoadBalancerArn: missing, Subnets: ['subnet-a'] })), 'LoadBalancerNotFoundException');
    await rejects(elb.send(new SetSubnetsCommand({ LoadBalancerArn: 'arn:aws:s3:::bucket', Subnets: ['subnet-a'] })), 'ValidationError');
  });

  it('SetSecurityGroups replaces an ALB\'s security groups, refusing none and the NLB-only setting', async () => {
    const arn = await create({ Name: 'groups-alb', Subnets: ['subnet-a'], SecurityGroups: ['sg-1'] });
    const set = await elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: arn, SecurityGroups: ['sg-2', 'sg-3'] }));
    assert.deepEqual(set.SecurityGroupIds, ['sg-2', 'sg-3']);
    assert.equal(set.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic, undefined);
    assert.deepEqual((await describe1(arn)).SecurityGroups, ['sg-2', 'sg-3']);
    await rejects(elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: arn, SecurityGroups: ['sg-2'], EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: 'off' })), 'InvalidConfigurationRequestException', /Network Load Balancers/);
    await rejects(elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: arn, SecurityGroups: [] })), 'InvalidConfigurationRequestException', /at least one security group/);
    assert.deepEqual((await describe1(arn)).SecurityGroups, ['sg-2', 'sg-3']);
  });

  it('SetSecurityGroups on an NLB: only one created with security groups, with its PrivateLink setting', async () => {
    const bare = await create({ Name: 'groups-nlb-bare', Type: 'network' });
    assert.equal((await describe1(bare)).SecurityGroups, undefined);
    await rejects(elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: bare, SecurityGroups: ['sg-1'] })), 'InvalidConfigurationRequestException', /created without security groups/);
    const guarded = await create({ Name: 'groups-nlb', Type: 'network', SecurityGroups: ['sg-1'] });
    const before = await describe1(guarded);
    assert.deepEqual(before.SecurityGroups, ['sg-1']);
    assert.equal(before.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic, 'on');
    const set = await elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: guarded, SecurityGroups: ['sg-2'], EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: 'off' }));
    assert.deepEqual(set, { $metadata: set.$metadata, SecurityGroupIds: ['sg-2'], EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: 'off' });
    const after = await describe1(guarded);
    assert.deepEqual(after.SecurityGroups, ['sg-2']);
    assert.equal(after.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic, 'off');
  });

  it('SetSecurityGroups checks its input before looking the load balancer up', async () => {
    await rejects(elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: missing, SecurityGroups: ['sg-1', 'sg-1'] })), 'ValidationError', /sg-1/);
    await rejects(elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: missing, SecurityGroups: ['sg-1'], EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: 'maybe' as 'on' })), 'ValidationError', /\[on, off\]/);
    await rejects(elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: missing, SecurityGroups: ['sg-1'] })), 'LoadBalancerNotFoundException');
  });

  it('SetIpAddressType keeps ipv4 and refuses dualstack with the reason', async () => {
    const arn = await create({ Name: 'address-type', Subnets: ['subnet-a'] });
    const set = await elb.send(new SetIpAddressTypeCommand({ LoadBalancerArn: arn, IpAddressType: 'ipv4' }));
    assert.equal(set.IpAddressType, 'ipv4');
    await rejects(elb.send(new SetIpAddressTypeCommand({ LoadBalancerArn: arn, IpAddressType: 'dualstack' })), 'InvalidConfigurationRequestException', /'dualstack' is not supported/);
    await rejects(elb.send(new SetIpAddressTypeCommand({ LoadBalancerArn: missing, IpAddressType: 'ipv6' as 'ipv4' })), 'ValidationError', /ipAddressType/);
    await rejects(elb.send(new SetIpAddressTypeCommand({ LoadBalancerArn: missing, IpAddressType: 'ipv4' })), 'LoadBalancerNotFoundException');
    assert.equal((await describe1(arn)).IpAddressType, 'ipv4');
  });
});
