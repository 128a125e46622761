/**
 * CreateLoadBalancer, DescribeLoadBalancers, DeleteLoadBalancer and the load balancer attributes.
 *
 * Berth has no VPC: subnets and security groups are kept as given. Each load balancer gets a
 * loopback address of its own from the configured range (addresses.ts), freed when it is deleted.
 */
import {
  OperationNotPermittedException,
  TooManyLoadBalancersException,
  type CreateLoadBalancerInput,
  type CreateLoadBalancerOutput,
  type DeleteLoadBalancerInput,
  type DescribeLoadBalancerAttributesInput,
  type DescribeLoadBalancerAttributesOutput,
  type DescribeLoadBalancersInput,
  type DescribeLoadBalancersOutput,
  type ModifyLoadBalancerAttributesInput,
  type ModifyLoadBalancerAttributesOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { modelled, withHelp } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import type { LoadBalancerRecord, LoadBalancerType } from '../store/contract/elbv2.js';
import type { StoreTx } from '../store/types.js';
import { freeAddress } from './addresses.js';
import { applyAttributes, attributeList, defaultsOf, loadBalancerAttributeSpecs } from './attributes.js';
import type { Elbv2Deps } from './deps.js';
import { duplicateLoadBalancerName, loadBalancersNamedNotFound, notSupported, validationError } from './errors.js';
import { dnsNameOf, loadBalancerArn, shortId } from './ids.js';
import { checkArn, loadBalancerOf } from './lookup.js';
import { cursorOf, markerOf, pageOfList } from './pagination.js';
import { presentLoadBalancer } from './present.js';
import { checkTags } from './tags.js';
import { checkPageSize, checkResourceName } from './validate.js';

/** AWS's quota per account and region (DescribeAccountLimits says the same). */
export const loadBalancerQuota = 50;

function typeOf(type: string | undefined): LoadBalancerType {
  if (type === undefined || type === 'application') return 'application';
  if (type === 'network') return 'network';
  if (type === 'gateway') {
    throw notSupported('Gateway Load Balancers are not supported', 'Berth serves Application and Network Load Balancers: --type application or --type network.', 'Type');
  }
  throw validationError(`1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [application, network, gateway]`, { field: 'Type' });
}

function schemeOf(scheme: string | undefined): LoadBalancerRecord['scheme'] {
  if (scheme === undefined || scheme === 'internet-facing' || scheme === 'internal') return scheme ?? 'internet-facing';
  throw validationError(`1 validation error detected: Value '${scheme}' at 'scheme' failed to satisfy constraint: Member must satisfy enum value set: [internet-facing, internal]`, { field: 'Scheme' });
}

/** ipv4 only: dualstack would need an IPv6 address per load balancer, and IPv6 has one loopback address (::1), not a range. */
export function checkIpAddressType(type: string | undefined): void {
  if (type === undefined || type === 'ipv4') return;
  if (type === 'dualstack' || type === 'dualstack-without-public-ipv4') {
    throw notSupported(
      `IP address type '${type}' is not supported`,
      'Berth gives each load balancer a loopback IPv4 address of its own (and serves its ports on 127.0.0.1); IPv6 has a single loopback address (::1), so load balancers cannot each have one. Use --ip-address-type ipv4.',
      'IpAddressType',
    );
  }
  throw validationError(`1 validation error detected: Value '${type}' at 'ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4, dualstack, dualstack-without-public-ipv4]`, { field: 'IpAddressType' });
}

/** The subnets as given: Subnets, or SubnetMappings' subnet ids. */
function subnetsOf(input: CreateLoadBalancerInput): string[] {
  if (input.Subnets && input.SubnetMappings) throw validationError('You can specify subnets or subnet mappings, not both', { field: 'SubnetMappings' });
  return input.Subnets ?? (input.SubnetMappings ?? []).map((mapping) => mapping.SubnetId ?? '');
}

const sameSettings = (a: LoadBalancerRecord, b: Pick<LoadBalancerRecord, 'type' | 'scheme' | 'subnets'>) =>
  a.type === b.type && a.scheme === b.scheme && [...a.subnets].sort().join(',') === [...b.subnets].sort().join(',');

export function loadBalancerOperations(deps: Elbv2Deps) {
  const { store, clock, ids } = deps;

  async function allocateAddress(tx: StoreTx): Promise<string> {
    const address = freeAddress(deps.addressRange, await tx.loadBalancers.addressesInUse());
    if (!address) {
      throw withHelp(modelled(TooManyLoadBalancersException, 'The quota for the number of load balancers has been reached'), {
        hint: 'Every address of the load balancer address range is taken; delete a load balancer or start Berth with a larger --load-balancer-addresses range.',
      });
    }
    return address;
  }

  return {
    async CreateLoadBalancer(input: CreateLoadBalancerInput, ctx: RequestContext): Promise<CreateLoadBalancerOutput> {
      const name = input.Name as string;
      checkResourceName(name, 'load balancer');
      const type = typeOf(input.Type);
      const scheme = schemeOf(input.Scheme);
      checkIpAddressType(input.IpAddressType);
      const subnets = subnetsOf(input);
      const tags = checkTags(input.Tags ?? []);
      const { accountId, region } = ctx.scope;
      return store.write(async (tx) => {
        const existing = await tx.loadBalancers.findByName(accountId, region, name);
        if (existing) {
          // Creating the same load balancer again succeeds, as in AWS.
          if (sameSettings(existing, { type, scheme, subnets })) return { LoadBalancers: [presentLoadBalancer(existing)] };
          throw duplicateLoadBalancerName(name);
        }
        const { items } = await tx.loadBalancers.list(accountId, region, { limit: loadBalancerQuota });
        if (items.length >= loadBalancerQuota) throw modelled(TooManyLoadBalancersException, 'The quota for the number of load balancers has been reached');
        const id = shortId(ids.hex32());
        const record: LoadBalancerRecord = {
          arn: loadBalancerArn(region, accountId, type, name, id),
          accountId,
          region,
          name,
          id,
          type,
          scheme,
          ipAddressType: 'ipv4',
          subnets,
          securityGroups: input.SecurityGroups ?? [],
          dnsName: dnsNameOf(name, id, region),
          address: await allocateAddress(tx),
          // Nothing to provision: the data plane binds the address when a listener asks for it.
          state: 'active',
          attributes: defaultsOf(loadBalancerAttributeSpecs(type)),
          tags,
          createdAt: clock.now().getTime() / 1000,
        };
        await tx.loadBalancers.put(record);
        return { LoadBalancers: [presentLoadBalancer(record)] };
      });
    },

    async DescribeLoadBalancers(input: DescribeLoadBalancersInput, ctx: RequestContext): Promise<DescribeLoadBalancersOutput> {
      const pageSize = checkPageSize(input.PageSize);
      const arns = input.LoadBalancerArns ?? [];
      const names = input.Names ?? [];
      if (arns.length > 0 && names.length > 0) throw validationError('Load balancer names and load balancer ARNs cannot be specified at the same time', { field: 'Names' });
      for (const arn of arns) checkArn(arn, 'loadbalancer', 'LoadBalancerArns');
      const { accountId, region } = ctx.scope;
      return store.read(async (tx) => {
        if (arns.length > 0 || names.length > 0) {
          const found: LoadBalancerRecord[] = [];
          for (const arn of arns) found.push(await loadBalancerOf(tx, ctx, arn));
          const missing: string[] = [];
          for (const name of names) {
            const record = await tx.loadBalancers.findByName(accountId, region, name);
            if (record) found.push(record);
            else missing.push(name);
          }
          if (missing.length > 0) throw loadBalancersNamedNotFound(missing);
          const page = pageOfList(found, input.Marker, pageSize);
          return { LoadBalancers: page.items.map(presentLoadBalancer), ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}) };
        }
        const cursor = cursorOf(input.Marker);
        const page = await tx.loadBalancers.list(accountId, region, { limit: pageSize, ...(cursor !== undefined ? { after: cursor } : {}) });
        const next = markerOf(page.next);
        return { LoadBalancers: page.items.map(presentLoadBalancer), ...(next ? { NextMarker: next } : {}) };
      });
    },

    async DeleteLoadBalancer(input: DeleteLoadBalancerInput, ctx: RequestContext): Promise<Record<string, never>> {
      const arn = input.LoadBalancerArn as string;
      checkArn(arn, 'loadbalancer', 'LoadBalancerArn');
      await store.write(async (tx) => {
        const record = await loadBalancerOf(tx, ctx, arn);
        if (record.attributes['deletion_protection.enabled'] === 'true') {
          throw withHelp(modelled(OperationNotPermittedException, `Load balancer '${arn}' cannot be deleted because deletion protection is enabled`), {
            hint: 'Turn it off first: aws elbv2 modify-load-balancer-attributes --attributes Key=deletion_protection.enabled,Value=false',
          });
        }
        for (const listener of await tx.listeners.forLoadBalancer(arn)) {
          for (const rule of await tx.rules.forListener(listener.arn)) await tx.rules.delete(rule.arn);
          await tx.listeners.delete(listener.arn);
        }
        await tx.loadBalancers.delete(arn);
      });
      return {};
    },

    async DescribeLoadBalancerAttributes(input: DescribeLoadBalancerAttributesInput, ctx: RequestContext): Promise<DescribeLoadBalancerAttributesOutput> {
      const arn = input.LoadBalancerArn as string;
      checkArn(arn, 'loadbalancer', 'LoadBalancerArn');
      const record = await store.read((tx) => loadBalancerOf(tx, ctx, arn));
      return { Attributes: attributeList(record.attributes) };
    },

    async ModifyLoadBalancerAttributes(input: ModifyLoadBalancerAttributesInput, ctx: RequestContext): Promise<ModifyLoadBalancerAttributesOutput> {
      const arn = input.LoadBalancerArn as string;
      checkArn(arn, 'loadbalancer', 'LoadBalancerArn');
      const changes = input.Attributes ?? [];
      return store.write(async (tx) => {
        const record = await loadBalancerOf(tx, ctx, arn);
        const attributes = applyAttributes(record.attributes, changes, loadBalancerAttributeSpecs(record.type));
        await tx.loadBalancers.put({ ...record, attributes });
        return { Attributes: attributeList(attributes) };
      });
    },
  };
}
