/**
 * CreateRule, DescribeRules, ModifyRule, DeleteRule and SetRulePriorities. Rules belong to a
 * listener of an Application Load Balancer and are evaluated in priority order (1 first), the
 * default rule last. Priorities are unique per listener (PriorityInUse).
 */
import {
  OperationNotPermittedException,
  PriorityInUseException,
  TooManyRulesException,
  type CreateRuleInput,
  type CreateRuleOutput,
  type DeleteRuleInput,
  type DescribeRulesInput,
  type DescribeRulesOutput,
  type ModifyRuleInput,
  type ModifyRuleOutput,
  type SetRulePrioritiesInput,
  type SetRulePrioritiesOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { modelled } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import type { ListenerRecord, RuleRecord } from '../store/contract/elbv2.js';
import type { StoreTx } from '../store/types.js';
import { checkActions, checkActionTargets } from './actions.js';
import { checkConditions } from './conditions.js';
import type { Elbv2Deps } from './deps.js';
import { validationError } from './errors.js';
import { ruleArn, shortId } from './ids.js';
import { checkArn, listenerOf, loadBalancerOf, ruleOf } from './lookup.js';
import { pageOfList } from './pagination.js';
import { presentRule } from './present.js';
import { checkTags } from './tags.js';
import { checkPageSize, checkRange } from './validate.js';

/** Rules per Application Load Balancer, default rules not counted. */
export const ruleQuota = 100;

const priorityInUse = (priority: number) => modelled(PriorityInUseException, `Priority '${priority}' is currently in use`);

/** Priority order, the default rule last. */
const byPriority = (a: RuleRecord, b: RuleRecord) => (a.priority ?? Number.MAX_SAFE_INTEGER) - (b.priority ?? Number.MAX_SAFE_INTEGER);

async function listenerContext(tx: StoreTx, ctx: RequestContext, listener: ListenerRecord) {
  const loadBalancer = await loadBalancerOf(tx, ctx, listener.loadBalancerArn);
  if (loadBalancer.type !== 'application') throw validationError('Rules can only be created for listeners of Application Load Balancers', { field: 'ListenerArn' });
  return { protocol: listener.protocol, loadBalancerArn: loadBalancer.arn, loadBalancerType: loadBalancer.type };
}

export function ruleOperations({ store, clock, ids }: Elbv2Deps) {
  return {
    async CreateRule(input: CreateRuleInput, ctx: RequestContext): Promise<CreateRuleOutput> {
      const arn = input.ListenerArn as string;
      checkArn(arn, 'listener', 'ListenerArn');
      const priority = input.Priority as number;
      checkRange(priority, 1, 50000, 'Priority');
      const conditions = checkConditions(input.Conditions ?? []);
      if (conditions.length === 0) throw validationError('A rule must have at least one condition', { field: 'Conditions' });
      const actions = checkActions(input.Actions ?? [], 'Actions');
      const tags = checkTags(input.Tags ?? []);
      return store.write(async (tx) => {
        const listener = await listenerOf(tx, ctx, arn);
        const target = await listenerContext(tx, ctx, listener);
        const rules = await tx.rules.forListener(arn);
        if (rules.some((rule) => rule.priority === priority)) throw priorityInUse(priority);
        let count = 0;
        for (const other of await tx.listeners.forLoadBalancer(listener.loadBalancerArn)) count += (await tx.rules.forListener(other.arn)).filter((rule) => !rule.isDefault).length;
        if (count >= ruleQuota) throw modelled(TooManyRulesException, 'The quota for the number of rules per load balancer has been reached');
        await checkActionTargets(tx, ctx, actions, target);
        const record: RuleRecord = {
          arn: ruleArn(arn, shortId(ids.hex32())),
          accountId: listener.accountId,
          region: listener.region,
          listenerArn: arn,
          loadBalancerArn: listener.loadBalancerArn,
          priority,
          isDefault: false,
          conditions,
          actions,
          tags,
          createdAt: clock.now().getTime() / 1000,
        };
        await tx.rules.put(record);
        return { Rules: [presentRule(record)] };
      });
    },

    async DescribeRules(input: DescribeRulesInput, ctx: RequestContext): Promise<DescribeRulesOutput> {
      const pageSize = checkPageSize(input.PageSize);
      const arns = input.RuleArns ?? [];
      if (input.ListenerArn === undefined && arns.length === 0) throw validationError('You must specify either listener ARN or rule ARNs', { field: 'ListenerArn' });
      if (input.ListenerArn !== undefined && arns.length > 0) throw validationError('Listener ARN and rule ARNs cannot be specified at the same time', { field: 'RuleArns' });
      if (input.ListenerArn !== undefined) checkArn(input.ListenerArn, 'listener', 'ListenerArn');
      for (const arn of arns) checkArn(arn, 'listener-rule', 'RuleArns');
      return store.read(async (tx) => {
        const found: RuleRecord[] = [];
        if (input.ListenerArn !== undefined) found.push(...(await tx.rules.forListener((await listenerOf(tx, ctx, input.ListenerArn)).arn)).sort(byPriority));
        for (const arn of arns) found.push(await ruleOf(tx, ctx, arn));
        const page = pageOfList(found, input.Marker, pageSize);
        return { Rules: page.items.map(presentRule), ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}) };
      });
    },

    async ModifyRule(input: ModifyRuleInput, ctx: RequestContext): Promise<ModifyRuleOutput> {
      const arn = input.RuleArn as string;
      checkArn(arn, 'listener-rule', 'RuleArn');
      const conditions = input.Conditions !== undefined ? checkConditions(input.Conditions) : undefined;
      if (conditions !== undefined && conditions.length === 0) throw validationError('A rule must have at least one condition', { field: 'Conditions' });
      const actions = input.Actions !== undefined ? checkActions(input.Actions, 'Actions') : undefined;
      return store.write(async (tx) => {
        const rule = await ruleOf(tx, ctx, arn);
        if (rule.isDefault && conditions !== undefined) throw modelled(OperationNotPermittedException, 'The conditions of a default rule cannot be modified');
        const listener = await listenerOf(tx, ctx, rule.listenerArn);
        if (actions) await checkActionTargets(tx, ctx, actions, await listenerContext(tx, ctx, listener));
        const updated: RuleRecord = { ...rule, ...(conditions ? { conditions } : {}), ...(actions ? { actions } : {}) };
        await tx.rules.put(updated);
        // The default rule's actions are the listener's default actions.
        if (rule.isDefault && actions) await tx.listeners.put({ ...listener, defaultActions: actions });
        return { Rules: [presentRule(updated)] };
      });
    },

    async DeleteRule(input: DeleteRuleInput, ctx: RequestContext): Promise<Record<string, never>> {
      const arn = input.RuleArn as string;
      checkArn(arn, 'listener-rule', 'RuleArn');
      await store.write(async (tx) => {
        const rule = await ruleOf(tx, ctx, arn);
        if (rule.isDefault) throw modelled(OperationNotPermittedException, 'Default rule cannot be deleted');
        await tx.rules.delete(rule.arn);
      });
      return {};
    },

    async SetRulePriorities(input: SetRulePrioritiesInput, ctx: RequestContext): Promise<SetRulePrioritiesOutput> {
      const wanted = input.RulePriorities ?? [];
      for (const item of wanted) {
        checkArn(item.RuleArn ?? '', 'listener-rule', 'RulePriorities.RuleArn');
        checkRange(item.Priority ?? 0, 1, 50000, 'Priority');
      }
      if (new Set(wanted.map((item) => item.RuleArn)).size !== wanted.length) throw validationError('A rule can only be specified once', { field: 'RulePriorities' });
      return store.write(async (tx) => {
        const changed: RuleRecord[] = [];
        for (const item of wanted) {
          const rule = await ruleOf(tx, ctx, item.RuleArn as string);
          if (rule.isDefault) throw modelled(OperationNotPermittedException, 'Default rule priority cannot be modified');
          changed.push({ ...rule, priority: item.Priority as number });
        }
        // Priorities are checked after the whole change: two rules may swap theirs.
        const listeners = new Set(changed.map((rule) => rule.listenerArn));
        for (const listener of listeners) {
          const moved = new Map(changed.filter((rule) => rule.listenerArn === listener).map((rule) => [rule.arn, rule]));
          const taken = new Set<number>();
          for (const rule of await tx.rules.forListener(listener)) {
            const priority = (moved.get(rule.arn) ?? rule).priority;
            if (priority === undefined) continue;
            if (taken.has(priority)) throw priorityInUse(priority);
            taken.add(priority);
          }
        }
        for (const rule of changed) await tx.rules.put(rule);
        return { Rules: changed.map(presentRule) };
      });
    },
  };
}
