/**
 * ELBv2's errors, worded as AWS words them. The modelled exceptions travel under their
 * `awsQueryError` codes (LoadBalancerNotFound, …); `ValidationError` is the Query protocol's own.
 */
import {
  DuplicateListenerException,
  DuplicateLoadBalancerNameException,
  DuplicateTargetGroupNameException,
  InvalidConfigurationRequestException,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  RuleNotFoundException,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApiError, modelled, withHelp, type ErrorHelp } from '../core/errors.js';

export function validationError(message: string, help?: ErrorHelp): ApiError {
  const error = new ApiError('ValidationError', message);
  return help ? withHelp(error, help) : error;
}

/** Something Berth does not do (yet): AWS would accept it, so the refusal says so in Berth's help. */
export function notSupported(message: string, hint: string, field?: string): Error {
  return withHelp(modelled(InvalidConfigurationRequestException, message), { hint, ...(field ? { field } : {}) });
}

export const loadBalancerNotFound = (resource?: string) =>
  withHelp(modelled(LoadBalancerNotFoundException, 'One or more load balancers not found'), {
    ...(resource ? { resource } : {}),
    hint: 'List the load balancers of this account and region: aws elbv2 describe-load-balancers',
  });

/** DescribeLoadBalancers by names that do not exist names them. */
export const loadBalancersNamedNotFound = (names: readonly string[]) =>
  withHelp(modelled(LoadBalancerNotFoundException, `Load balancers '[${names.join(', ')}]' not found`), {
    resource: names.join(', '),
    hint: 'List the load balancers of this account and region: aws elbv2 describe-load-balancers',
  });

export const targetGroupNotFound = (resource?: string) =>
  withHelp(modelled(TargetGroupNotFoundException, 'One or more target groups not found'), {
    ...(resource ? { resource } : {}),
    hint: 'List the target groups of this account and region: aws elbv2 describe-target-groups',
  });

export const listenerNotFound = (resource?: string) =>
  withHelp(modelled(ListenerNotFoundException, 'One or more listeners not found'), {
    ...(resource ? { resource } : {}),
    hint: 'List the listeners of a load balancer: aws elbv2 describe-listeners --load-balancer-arn …',
  });

export const ruleNotFound = (resource?: string) =>
  withHelp(modelled(RuleNotFoundException, 'One or more rules not found'), {
    ...(resource ? { resource } : {}),
    hint: 'List the rules of a listener: aws elbv2 describe-rules --listener-arn …',
  });

export const duplicateLoadBalancerName = (name: string) =>
  modelled(DuplicateLoadBalancerNameException, `A load balancer with the same name '${name}' exists`);

export const duplicateTargetGroupName = (name: string) =>
  modelled(DuplicateTargetGroupNameException, `A target group with the same name '${name}' exists`);

export const duplicateListener = (loadBalancerArn: string) =>
  modelled(DuplicateListenerException, `A listener already exists on this port for this load balancer '${loadBalancerArn}'`);
