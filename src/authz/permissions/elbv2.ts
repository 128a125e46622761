/**
 * Elastic Load Balancing v2's permissions (Service Authorization Reference, "Elastic Load
 * Balancing V2"): writes on the load balancer, target group, listener or rule ARN they change
 * (CreateListener on its load balancer, CreateRule on its listener; the Create of a load balancer
 * or target group on `loadbalancer/<type>/<name>/*` and `targetgroup/<name>/*`, the id being not
 * yet known), with the tags as aws:RequestTag/aws:TagKeys; every Describe on `*`, as AWS has no
 * resource-level permissions for them.
 */
import { Arn } from '../../core/arn.js';
import type { Scope } from '../../core/principal.js';
import { on, onAny, requestTagKeys, tagKeysOf, text, texts, type PermissionOf, type PermissionTable } from './types.js';

const elbArn = (scope: Scope, resource: string) => new Arn('elasticloadbalancing', scope.region, scope.accountId, resource).toString();
const byMember =
  (member: string): PermissionOf =>
  (input) =>
    on([text(input[member])]);
const tagsOf = (input: Record<string, unknown>) => requestTagKeys(input.Tags, 'Key', 'Value');
const loadBalancerType = (type: unknown) => (type === 'network' ? 'net' : type === 'gateway' ? 'gwy' : 'app');

export const elbv2Permissions: PermissionTable = {
  CreateLoadBalancer: (input, scope) => on([elbArn(scope, `loadbalancer/${loadBalancerType(input.Type)}/${text(input.Name) ?? ''}/*`)], tagsOf(input)),
  DescribeLoadBalancers: onAny,
  DeleteLoadBalancer: byMember('LoadBalancerArn'),
  DescribeLoadBalancerAttributes: onAny,
  ModifyLoadBalancerAttributes: byMember('LoadBalancerArn'),
  SetSubnets: byMember('LoadBalancerArn'),
  SetSecurityGroups: byMember('LoadBalancerArn'),
  SetIpAddressType: byMember('LoadBalancerArn'),
  CreateTargetGroup: (input, scope) => on([elbArn(scope, `targetgroup/${text(input.Name) ?? ''}/*`)], tagsOf(input)),
  DescribeTargetGroups: onAny,
  ModifyTargetGroup: byMember('TargetGroupArn'),
  DeleteTargetGroup: byMember('TargetGroupArn'),
  DescribeTargetGroupAttributes: onAny,
  ModifyTargetGroupAttributes: byMember('TargetGroupArn'),
  RegisterTargets: byMember('TargetGroupArn'),
  DeregisterTargets: byMember('TargetGroupArn'),
  DescribeTargetHealth: onAny,
  CreateListener: (input) => on([text(input.LoadBalancerArn)], tagsOf(input)),
  DescribeListeners: onAny,
  ModifyListener: byMember('ListenerArn'),
  AddListenerCertificates: byMember('ListenerArn'),
  RemoveListenerCertificates: byMember('ListenerArn'),
  DescribeListenerCertificates: onAny,
  DeleteListener: byMember('ListenerArn'),
  CreateRule: (input) => on([text(input.ListenerArn)], tagsOf(input)),
  DescribeRules: onAny,
  ModifyRule: byMember('RuleArn'),
  DeleteRule: byMember('RuleArn'),
  SetRulePriorities: (input) => on((Array.isArray(input.RulePriorities) ? (input.RulePriorities as Record<string, unknown>[]) : []).map((priority) => text(priority?.RuleArn))),
  AddTags: (input) => on(texts(input.ResourceArns), tagsOf(input)),
  RemoveTags: (input) => on(texts(input.ResourceArns), tagKeysOf(input.TagKeys)),
  DescribeTags: onAny,
  DescribeAccountLimits: onAny,
  DescribeSSLPolicies: onAny,
};
