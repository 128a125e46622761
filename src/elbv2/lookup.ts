/**
 * Finding the records an input names, in the caller's account and region. An ARN of another
 * account or region is simply not found, as in AWS; a text that is not an ARN of the right kind
 * is a ValidationError before any lookup.
 */
import type { RequestContext } from '../core/request-context.js';
import type { ListenerRecord, LoadBalancerRecord, RuleRecord, TargetGroupRecord } from '../store/contract/elbv2.js';
import type { StoreTx } from '../store/types.js';
import { listenerNotFound, loadBalancerNotFound, ruleNotFound, targetGroupNotFound, validationError } from './errors.js';
import { looksLike, ownArn } from './ids.js';

const kinds = {
  loadbalancer: 'load balancer',
  targetgroup: 'target group',
  listener: 'listener',
  'listener-rule': 'listener rule',
} as const;

/** Refuses a text that is not an ELBv2 ARN of the resource type. */
export function checkArn(text: string, resourceType: keyof typeof kinds, field: string): void {
  if (!looksLike(text, resourceType)) throw validationError(`'${text}' is not a valid ${kinds[resourceType]} ARN`, { field });
}

export async function loadBalancerOf(tx: StoreTx, ctx: RequestContext, arn: string): Promise<LoadBalancerRecord> {
  const record = ownArn(arn, 'loadbalancer', ctx.scope) ? await tx.loadBalancers.get(arn) : undefined;
  if (!record) throw loadBalancerNotFound(arn);
  return record;
}

export async function targetGroupOf(tx: StoreTx, ctx: RequestContext, arn: string): Promise<TargetGroupRecord> {
  const record = ownArn(arn, 'targetgroup', ctx.scope) ? await tx.targetGroups.get(arn) : undefined;
  if (!record) throw targetGroupNotFound(arn);
  return record;
}

export async function listenerOf(tx: StoreTx, ctx: RequestContext, arn: string): Promise<ListenerRecord> {
  const record = ownArn(arn, 'listener', ctx.scope) ? await tx.listeners.get(arn) : undefined;
  if (!record) throw listenerNotFound(arn);
  return record;
}

export async function ruleOf(tx: StoreTx, ctx: RequestContext, arn: string): Promise<RuleRecord> {
  const record = ownArn(arn, 'listener-rule', ctx.scope) ? await tx.rules.get(arn) : undefined;
  if (!record) throw ruleNotFound(arn);
  return record;
}

/** The load balancers (ARNs) whose listeners or rules forward to the target group. */
export async function loadBalancersUsing(tx: StoreTx, targetGroupArn: string): Promise<string[]> {
  const rules = await tx.rules.forwardingTo(targetGroupArn);
  return [...new Set(rules.map((rule) => rule.loadBalancerArn))];
}
