/**
 * SetSubnets, SetSecurityGroups and SetIpAddressType: a load balancer's network settings changed
 * after creation. Berth has no VPC: subnets and security groups are kept as given and shown by
 * DescribeLoadBalancers, with ELB's rules on what may change (a Network Load Balancer keeps every
 * subnet it had, and takes security groups only if it was created with some). Addresses come from
 * Berth's range, so subnet mappings that ask for particular addresses are refused, and so is
 * dualstack (see checkIpAddressType).
 */
import {
  InvalidConfigurationRequestException,
  type SetIpAddressTypeInput,
  type SetIpAddressTypeOutput,
  type SetSecurityGroupsInput,
  type SetSecurityGroupsOutput,
  type SetSubnetsInput,
  type SetSubnetsOutput,
  type SubnetMapping,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { modelled, withHelp } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import type { LoadBalancerRecord } from '../store/contract/elbv2.js';
import type { Elbv2Deps } from './deps.js';
import { notSupported, validationError } from './errors.js';
import { checkIpAddressType } from './load-balancers.js';
import { checkArn, loadBalancerOf } from './lookup.js';
import { presentLoadBalancer } from './present.js';

function checkOnOff(value: string | undefined, member: string, field: string): void {
  if (value === undefined || value === 'on' || value === 'off') return;
  throw validationError(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [on, off]`, { field });
}

/** Subnet mapping members that ask for an address: Berth assigns every address from its own range. */
const addressMembers: (keyof SubnetMapping)[] = ['AllocationId', 'PrivateIPv4Address', 'IPv6Address', 'SourceNatIpv6Prefix'];

function subnetsOf(input: SetSubnetsInput): string[] {
  if (input.Subnets !== undefined && input.SubnetMappings !== undefined) throw validationError('You can specify subnets or subnet mappings, not both', { field: 'SubnetMappings' });
  if (input.Subnets === undefined && input.SubnetMappings === undefined) throw validationError('You must specify either subnets or subnet mappings', { field: 'Subnets' });
  (input.SubnetMappings ?? []).forEach((mapping, index) => {
    for (const member of addressMembers) {
      if (mapping[member] === undefined) continue;
      throw notSupported(
        `${member} is not supported in subnet mappings`,
        'Berth has no VPC: each load balancer has one loopback address from the --load-balancer-addresses range, shown in AvailabilityZones[0].LoadBalancerAddresses. Give subnet ids only.',
        `SubnetMappings.member.${index + 1}.${member}`,
      );
    }
  });
  const subnets = input.Subnets ?? (input.SubnetMappings ?? []).map((mapping) => mapping.SubnetId ?? '');
  const field = input.Subnets !== undefined ? 'Subnets' : 'SubnetMappings';
  if (subnets.length === 0) throw validationError('You must specify either subnets or subnet mappings', { field });
  subnets.forEach((subnet, index) => {
    if (subnet === '') throw validationError(`A subnet ID must be specified`, { field: `${field}.member.${index + 1}` });
  });
  const repeated = subnets.find((subnet, index) => subnets.indexOf(subnet) !== index);
  if (repeated !== undefined) throw validationError(`Subnet '${repeated}' is specified more than once`, { field });
  return subnets;
}

const invalidConfiguration = (message: string, hint: string, field: string) => withHelp(modelled(InvalidConfigurationRequestException, message), { field, hint });

export function loadBalancerSettingOperations(deps: Elbv2Deps) {
  const { store } = deps;

  async function update<T>(ctx: RequestContext, arn: string, change: (record: LoadBalancerRecord) => LoadBalancerRecord, answer: (record: LoadBalancerRecord) => T): Promise<T> {
    return store.write(async (tx) => {
      const next = change(await loadBalancerOf(tx, ctx, arn));
      await tx.loadBalancers.put(next);
      return answer(next);
    });
  }

  return {
    async SetSubnets(input: SetSubnetsInput, ctx: RequestContext): Promise<SetSubnetsOutput> {
      const arn = input.LoadBalancerArn as string;
      checkArn(arn, 'loadbalancer', 'LoadBalancerArn');
      const subnets = subnetsOf(input);
      checkIpAddressType(input.IpAddressType);
      checkOnOff(input.EnablePrefixForIpv6SourceNat, 'enablePrefixForIpv6SourceNat', 'EnablePrefixForIpv6SourceNat');
      if (input.EnablePrefixForIpv6SourceNat === 'on') {
        throw notSupported('EnablePrefixForIpv6SourceNat requires the dualstack IP address type', 'Berth serves ipv4 load balancers only; leave EnablePrefixForIpv6SourceNat off.', 'EnablePrefixForIpv6SourceNat');
      }
      return update(
        ctx,
        arn,
        (record) => {
          if (record.type === 'network') {
            const dropped = record.subnets.filter((subnet) => !subnets.includes(subnet));
            if (dropped.length > 0) {
              throw invalidConfiguration(
                `Subnets cannot be removed from a Network Load Balancer: [${dropped.join(', ')}] must be included`,
                'A Network Load Balancer keeps every subnet it has: give all of them, plus the ones to add.',
                input.Subnets !== undefined ? 'Subnets' : 'SubnetMappings',
              );
            }
          }
          return { ...record, subnets };
        },
        (record) => ({ AvailabilityZones: presentLoadBalancer(record).AvailabilityZones ?? [], IpAddressType: record.ipAddressType }),
      );
    },

    async SetSecurityGroups(input: SetSecurityGroupsInput, ctx: RequestContext): Promise<SetSecurityGroupsOutput> {
      const arn = input.LoadBalancerArn as string;
      checkArn(arn, 'loadbalancer', 'LoadBalancerArn');
      const groups = input.SecurityGroups ?? [];
      groups.forEach((group, index) => {
        if (group === '') throw validationError('A security group ID must be specified', { field: `SecurityGroups.member.${index + 1}` });
      });
      const repeated = groups.find((group, index) => groups.indexOf(group) !== index);
      if (repeated !== undefined) throw validationError(`Security group '${repeated}' is specified more than once`, { field: 'SecurityGroups' });
      const enforce = input.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic;
      checkOnOff(enforce, 'enforceSecurityGroupInboundRulesOnPrivateLinkTraffic', 'EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic');
      return update(
        ctx,
        arn,
        (record) => {
          if (record.type === 'application') {
            if (enforce !== undefined) {
              throw invalidConfiguration(
                'EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic is supported only for Network Load Balancers',
                'Leave it out for an Application Load Balancer.',
                'EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic',
              );
            }
            if (groups.length === 0) {
              throw invalidConfiguration('An Application Load Balancer must have at least one security group', 'Give one or more security group ids.', 'SecurityGroups');
            }
            return { ...record, securityGroups: groups };
          }
          if (record.securityGroups.length === 0) {
            throw invalidConfiguration(
              'A Network Load Balancer that was created without security groups cannot have security groups associated with it',
              'Security groups can be set on a Network Load Balancer only if it was created with some: create it again with --security-groups.',
              'SecurityGroups',
            );
          }
          return { ...record, securityGroups: groups, enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: enforce ?? record.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic ?? 'on' };
        },
        (record) => ({
          SecurityGroupIds: record.securityGroups,
          ...(record.type === 'network' ? { EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: record.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic ?? 'on' } : {}),
        }),
      );
    },

    async SetIpAddressType(input: SetIpAddressTypeInput, ctx: RequestContext): Promise<SetIpAddressTypeOutput> {
      const arn = input.LoadBalancerArn as string;
      checkArn(arn, 'loadbalancer', 'LoadBalancerArn');
      checkIpAddressType(input.IpAddressType);
      return update(ctx, arn, (record) => ({ ...record, ipAddressType: 'ipv4' }), (record) => ({ IpAddressType: record.ipAddressType }));
    },
  };
}
