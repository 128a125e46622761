/**
 * CreateService's and UpdateService's checks of a service's load balancers against the ELBv2
 * records: each target group exists in the caller's account and region, a listener of a load
 * balancer sends it traffic, and its target type suits the task definition's network mode (awsvpc
 * tasks are reached at their own address: `ip`; bridge and host tasks through their instance:
 * `instance`). ECS's wording where it is known.
 */
import { UnsupportedFeatureException, type LoadBalancer } from '@aws-sdk/client-ecs';
import { Arn } from '../../core/arn.js';
import { modelled, withHelp } from '../../core/errors.js';
import type { Scope } from '../../core/principal.js';
import type { Wire } from '../../core/wire.js';
import { loadBalancersUsing } from '../../elbv2/lookup.js';
import type { StoreTx, TaskDefinitionRecord } from '../../store/types.js';
import { invalidParameter } from '../validate.js';

export async function checkTargetGroups(tx: StoreTx, scope: Scope, loadBalancers: readonly Wire<LoadBalancer>[], definition: TaskDefinitionRecord): Promise<void> {
  for (const [index, entry] of loadBalancers.entries()) {
    const field = `loadBalancers[${index}]`;
    if (entry.loadBalancerName !== undefined) {
      throw withHelp(modelled(UnsupportedFeatureException, `${field}.loadBalancerName: Classic Load Balancers are not supported by Berth.`), {
        field: `${field}.loadBalancerName`,
        hint: 'Put an Application or Network Load Balancer in front of the service: give the targetGroupArn of one of its target groups (aws elbv2 create-target-group).',
      });
    }
    const arn = entry.targetGroupArn as string;
    const parsed = Arn.parse(arn);
    const group = parsed?.accountId === scope.accountId && parsed.region === scope.region ? await tx.targetGroups.get(arn) : undefined;
    if (!group) {
      throw withHelp(invalidParameter('Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions.'), {
        field: `${field}.targetGroupArn`,
        resource: arn,
        hint: `No target group ${arn} exists in account ${scope.accountId}, region ${scope.region}; list them with aws elbv2 describe-target-groups.`,
      });
    }
    const wanted = definition.networkMode === 'awsvpc' ? 'ip' : 'instance';
    if (group.targetType !== wanted) {
      throw withHelp(
        invalidParameter(
          `The provided target group ${arn} has target type ${group.targetType}, which is incompatible with the ${definition.networkMode ?? 'bridge'} network mode specified in the task definition.`,
        ),
        { field: `${field}.targetGroupArn`, resource: arn, hint: `Tasks in ${definition.networkMode ?? 'bridge'} network mode need a target group of target type ${wanted}.` },
      );
    }
    if ((await loadBalancersUsing(tx, arn)).length === 0) {
      throw withHelp(invalidParameter(`The target group with targetGroupArn ${arn} does not have an associated load balancer.`), {
        field: `${field}.targetGroupArn`,
        resource: arn,
        hint: 'Forward to it from a listener or a listener rule of a load balancer first (aws elbv2 create-listener or create-rule).',
      });
    }
  }
}
