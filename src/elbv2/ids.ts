/**
 * How ELBv2 names its resources, as AWS forms them:
 *
 *   arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<16 hex>   (net/ for NLB)
 *   arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex>
 *   arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<lb name>/<lb id>/<16 hex>
 *   arn:aws:elasticloadbalancing:<region>:<account>:listener-rule/app/<lb name>/<lb id>/<listener id>/<16 hex>
 *
 * A load balancer's DNS name is Berth's local form `<name>-<id>.<region>.elb.localhost` (AWS's is
 * `<name>-<number>.<region>.elb.amazonaws.com`): `*.localhost` resolves to loopback.
 */
import { Arn } from '../core/arn.js';
import type { LoadBalancerType } from '../store/contract/elbv2.js';

export const elbService = 'elasticloadbalancing';

/** 16 lowercase hex characters from a 32-character id. */
export const shortId = (hex32: string): string => hex32.slice(0, 16);

export const typePrefix = (type: LoadBalancerType): 'app' | 'net' => (type === 'application' ? 'app' : 'net');

export function loadBalancerArn(region: string, accountId: string, type: LoadBalancerType, name: string, id: string): string {
  return new Arn(elbService, region, accountId, `loadbalancer/${typePrefix(type)}/${name}/${id}`).toString();
}

export function targetGroupArn(region: string, accountId: string, name: string, id: string): string {
  return new Arn(elbService, region, accountId, `targetgroup/${name}/${id}`).toString();
}

/** A listener's ARN continues its load balancer's resource path. */
export function listenerArn(loadBalancer: string, id: string): string {
  const arn = Arn.parse(loadBalancer) as Arn;
  return new Arn(arn.service, arn.region, arn.accountId, `listener/${arn.resourcePath.join('/')}/${id}`).toString();
}

export function ruleArn(listener: string, id: string): string {
  const arn = Arn.parse(listener) as Arn;
  return new Arn(arn.service, arn.region, arn.accountId, `listener-rule/${arn.resourcePath.join('/')}/${id}`).toString();
}

export function dnsNameOf(name: string, id: string, region: string): string {
  return `${name}-${id}.${region}.elb.localhost`.toLowerCase();
}

/** The parsed ARN when it is an ELBv2 ARN of `resourceType` in the caller's account and region. */
export function ownArn(text: string, resourceType: string, scope: { accountId: string; region: string }): Arn | undefined {
  const arn = Arn.parse(text);
  if (!arn || arn.service !== elbService || arn.resourceType !== resourceType) return undefined;
  return arn.accountId === scope.accountId && arn.region === scope.region ? arn : undefined;
}

/** Whether the text has the form of an ELBv2 ARN of that resource type (any account). */
export function looksLike(text: string, resourceType: string): boolean {
  const arn = Arn.parse(text);
  return arn !== undefined && arn.service === elbService && arn.resourceType === resourceType;
}
