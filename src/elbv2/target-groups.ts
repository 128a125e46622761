/**
 * CreateTargetGroup, DescribeTargetGroups, ModifyTargetGroup, DeleteTargetGroup and the target
 * group attributes. A target group is in use while a listener's default action or a rule forwards
 * to it; it cannot be deleted then (ResourceInUse).
 */
import {
  ResourceInUseException,
  TooManyTargetGroupsException,
  type CreateTargetGroupInput,
  type CreateTargetGroupOutput,
  type DeleteTargetGroupInput,
  type DescribeTargetGroupAttributesInput,
  type DescribeTargetGroupAttributesOutput,
  type DescribeTargetGroupsInput,
  type DescribeTargetGroupsOutput,
  type ModifyTargetGroupAttributesInput,
  type ModifyTargetGroupAttributesOutput,
  type ModifyTargetGroupInput,
  type ModifyTargetGroupOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { modelled, withHelp } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import { targetGroupsOf, type TargetGroupRecord } from '../store/contract/elbv2.js';
import type { StoreTx } from '../store/types.js';
import { applyAttributes, attributeList, defaultsOf, targetGroupAttributeSpecs } from './attributes.js';
import type { Elbv2Deps } from './deps.js';
import { duplicateTargetGroupName, notSupported, targetGroupNotFound, validationError } from './errors.js';
import { checkHealthCheckInput, healthCheckOf, isHttp } from './health-checks.js';
import { shortId, targetGroupArn } from './ids.js';
import { checkArn, loadBalancerOf, loadBalancersUsing, targetGroupOf } from './lookup.js';
import { cursorOf, markerOf, pageOfList } from './pagination.js';
import { presentTargetGroup } from './present.js';
import { checkTags } from './tags.js';
import { checkPageSize, checkPort, checkResourceName } from './validate.js';

export const targetGroupQuota = 3000;
const protocols = ['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP', 'GENEVE'];

function checkProtocol(protocol: string | undefined, field: string): void {
  if (protocol === undefined || protocols.includes(protocol)) {
    if (protocol === 'GENEVE') throw notSupported('The GENEVE protocol is not supported', 'GENEVE is for Gateway Load Balancers, which Berth does not serve.', field);
    return;
  }
  throw validationError(
    `1 validation error detected: Value '${protocol}' at '${field.charAt(0).toLowerCase() + field.slice(1)}' failed to satisfy constraint: Member must satisfy enum value set: [${protocols.join(', ')}]`,
    { field },
  );
}

function targetTypeOf(type: string | undefined): TargetGroupRecord['targetType'] {
  if (type === undefined || type === 'instance' || type === 'ip') return type ?? 'instance';
  if (type === 'lambda' || type === 'alb') {
    throw notSupported(`Target type '${type}' is not supported`, 'Berth forwards to instance and ip targets: --target-type instance or --target-type ip.', 'TargetType');
  }
  throw validationError(`1 validation error detected: Value '${type}' at 'targetType' failed to satisfy constraint: Member must satisfy enum value set: [instance, ip, lambda, alb]`, {
    field: 'TargetType',
  });
}

function protocolVersionOf(protocol: string, version: string | undefined): string | undefined {
  if (!isHttp(protocol)) {
    if (version !== undefined) throw validationError('A protocol version can only be specified for HTTP and HTTPS target groups', { field: 'ProtocolVersion' });
    return undefined;
  }
  if (version === undefined || version === 'HTTP1') return 'HTTP1';
  if (version === 'HTTP2' || version === 'GRPC') {
    throw notSupported(`Protocol version '${version}' is not supported`, 'Berth forwards HTTP/1.1 to targets: leave --protocol-version out or give HTTP1.', 'ProtocolVersion');
  }
  throw validationError(`Protocol version '${version}' must be one of HTTP1, HTTP2, GRPC`, { field: 'ProtocolVersion' });
}

/** Application-cookie stickiness needs the application's cookie name, which may not be one of ALB's own. */
function checkAppCookie(attributes: Record<string, string>): void {
  if (attributes['stickiness.enabled'] !== 'true' || attributes['stickiness.type'] !== 'app_cookie') return;
  const name = attributes['stickiness.app_cookie.cookie_name'] ?? '';
  if (name === '') throw validationError("An application cookie name must be specified when the stickiness type is 'app_cookie'", { field: 'Attributes' });
  if (/^AWSALB/i.test(name)) throw validationError(`Application cookie name '${name}' cannot begin with 'AWSALB', 'AWSALBAPP' or 'AWSALBTG'`, { field: 'Attributes' });
}

const sameSettings = (a: TargetGroupRecord, b: TargetGroupRecord) =>
  a.protocol === b.protocol && a.port === b.port && a.targetType === b.targetType && JSON.stringify(a.healthCheck) === JSON.stringify(b.healthCheck);

async function present(tx: StoreTx, record: TargetGroupRecord) {
  return presentTargetGroup(record, await loadBalancersUsing(tx, record.arn));
}

export function targetGroupOperations({ store, clock, ids }: Elbv2Deps) {
  return {
    async CreateTargetGroup(input: CreateTargetGroupInput, ctx: RequestContext): Promise<CreateTargetGroupOutput> {
      const name = input.Name as string;
      checkResourceName(name, 'target group');
      checkProtocol(input.Protocol, 'Protocol');
      const targetType = targetTypeOf(input.TargetType);
      if (input.Protocol === undefined) throw validationError('A protocol must be specified', { field: 'Protocol' });
      if (input.Port === undefined) throw validationError('A port must be specified', { field: 'Port' });
      checkPort(input.Port, 'Port');
      checkHealthCheckInput(input);
      if (input.IpAddressType !== undefined && input.IpAddressType !== 'ipv4') {
        throw notSupported(`IP address type '${input.IpAddressType}' is not supported`, 'Berth target groups are IPv4: leave --ip-address-type out or give ipv4.', 'IpAddressType');
      }
      const protocolVersion = protocolVersionOf(input.Protocol, input.ProtocolVersion);
      const healthCheck = healthCheckOf(input.Protocol, input);
      const tags = checkTags(input.Tags ?? []);
      const { accountId, region } = ctx.scope;
      return store.write(async (tx) => {
        const id = shortId(ids.hex32());
        const record: TargetGroupRecord = {
          arn: targetGroupArn(region, accountId, name, id),
          accountId,
          region,
          name,
          id,
          targetType,
          protocol: input.Protocol as string,
          ...(protocolVersion ? { protocolVersion } : {}),
          port: input.Port as number,
          ...(input.VpcId ? { vpcId: input.VpcId } : {}),
          ipAddressType: 'ipv4',
          healthCheck,
          attributes: defaultsOf(targetGroupAttributeSpecs(input.Protocol)),
          tags,
          createdAt: clock.now().getTime() / 1000,
        };
        const existing = await tx.targetGroups.findByName(accountId, region, name);
        if (existing) {
          if (sameSettings(existing, record)) return { TargetGroups: [await present(tx, existing)] };
          throw duplicateTargetGroupName(name);
        }
        const { items } = await tx.targetGroups.list(accountId, region, { limit: targetGroupQuota });
        if (items.length >= targetGroupQuota) throw modelled(TooManyTargetGroupsException, 'The quota for the number of target groups has been reached');
        await tx.targetGroups.put(record);
        return { TargetGroups: [await present(tx, record)] };
      });
    },

    async DescribeTargetGroups(input: DescribeTargetGroupsInput, ctx: RequestContext): Promise<DescribeTargetGroupsOutput> {
      const pageSize = checkPageSize(input.PageSize);
      const arns = input.TargetGroupArns ?? [];
      const names = input.Names ?? [];
      const given = [input.LoadBalancerArn !== undefined, arns.length > 0, names.length > 0].filter(Boolean).length;
      if (given > 1) throw validationError('Only one of LoadBalancerArn, TargetGroupArns and Names can be specified', { field: 'Names' });
      for (const arn of arns) checkArn(arn, 'targetgroup', 'TargetGroupArns');
      if (input.LoadBalancerArn !== undefined) checkArn(input.LoadBalancerArn, 'loadbalancer', 'LoadBalancerArn');
      const { accountId, region } = ctx.scope;
      return store.read(async (tx) => {
        let found: TargetGroupRecord[] | undefined;
        if (arns.length > 0) {
          found = [];
          for (const arn of arns) found.push(await targetGroupOf(tx, ctx, arn));
        } else if (names.length > 0) {
          found = [];
          for (const name of names) {
            const record = await tx.targetGroups.findByName(accountId, region, name);
            if (!record) throw targetGroupNotFound(name);
            found.push(record);
          }
        } else if (input.LoadBalancerArn !== undefined) {
          const loadBalancer = await loadBalancerOf(tx, ctx, input.LoadBalancerArn);
          const groupArns = new Set<string>();
          for (const listener of await tx.listeners.forLoadBalancer(loadBalancer.arn)) {
            for (const rule of await tx.rules.forListener(listener.arn)) for (const arn of targetGroupsOf(rule.actions)) groupArns.add(arn);
          }
          found = [];
          for (const arn of groupArns) {
            const record = await tx.targetGroups.get(arn);
            if (record) found.push(record);
          }
        }
        if (found) {
          const page = pageOfList(found, input.Marker, pageSize);
          const TargetGroups = [];
          for (const record of page.items) TargetGroups.push(await present(tx, record));
          return { TargetGroups, ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}) };
        }
        const cursor = cursorOf(input.Marker);
        const page = await tx.targetGroups.list(accountId, region, { limit: pageSize, ...(cursor !== undefined ? { after: cursor } : {}) });
        const TargetGroups = [];
        for (const record of page.items) TargetGroups.push(await present(tx, record));
        const next = markerOf(page.next);
        return { TargetGroups, ...(next ? { NextMarker: next } : {}) };
      });
    },

    async ModifyTargetGroup(input: ModifyTargetGroupInput, ctx: RequestContext): Promise<ModifyTargetGroupOutput> {
      const arn = input.TargetGroupArn as string;
      checkArn(arn, 'targetgroup', 'TargetGroupArn');
      checkHealthCheckInput(input);
      return store.write(async (tx) => {
        const record = await targetGroupOf(tx, ctx, arn);
        const healthCheck = healthCheckOf(record.protocol, input, record.healthCheck);
        const updated = { ...record, healthCheck };
        await tx.targetGroups.put(updated);
        return { TargetGroups: [await present(tx, updated)] };
      });
    },

    async DeleteTargetGroup(input: DeleteTargetGroupInput, ctx: RequestContext): Promise<Record<string, never>> {
      const arn = input.TargetGroupArn as string;
      checkArn(arn, 'targetgroup', 'TargetGroupArn');
      await store.write(async (tx) => {
        const record = await targetGroupOf(tx, ctx, arn);
        const users = await tx.rules.forwardingTo(arn);
        if (users.length > 0) {
          throw withHelp(modelled(ResourceInUseException, `Target group '${arn}' is currently in use by a listener or a rule`), {
            hint: `Change or delete what forwards to it first: ${users.map((rule) => (rule.isDefault ? rule.listenerArn : rule.arn)).join(', ')}`,
          });
        }
        for (const target of await tx.targets.forTargetGroup(arn)) await tx.targets.delete(arn, target.id, target.port);
        for (const health of await tx.targetHealth.forTargetGroup(arn)) await tx.targetHealth.delete(arn, health.id, health.port);
        await tx.targetGroups.delete(record.arn);
      });
      return {};
    },

    async DescribeTargetGroupAttributes(input: DescribeTargetGroupAttributesInput, ctx: RequestContext): Promise<DescribeTargetGroupAttributesOutput> {
      const arn = input.TargetGroupArn as string;
      checkArn(arn, 'targetgroup', 'TargetGroupArn');
      const record = await store.read((tx) => targetGroupOf(tx, ctx, arn));
      return { Attributes: attributeList(record.attributes) };
    },

    async ModifyTargetGroupAttributes(input: ModifyTargetGroupAttributesInput, ctx: RequestContext): Promise<ModifyTargetGroupAttributesOutput> {
      const arn = input.TargetGroupArn as string;
      checkArn(arn, 'targetgroup', 'TargetGroupArn');
      return store.write(async (tx) => {
        const record = await targetGroupOf(tx, ctx, arn);
        const attributes = applyAttributes(record.attributes, input.Attributes ?? [], targetGroupAttributeSpecs(record.protocol));
        checkAppCookie(attributes);
        await tx.targetGroups.put({ ...record, attributes });
        return { Attributes: attributeList(attributes) };
      });
    },
  };
}
