/**
 * Listener and rule actions: forward (to one target group, or weighted to up to five), redirect
 * and fixed-response, checked as AWS checks them and kept in the form AWS describes them (a plain
 * forward also carries its ForwardConfig, a redirect every component with its `#{…}` default).
 * The authenticate-* actions need an identity provider and are refused as not supported.
 */
import {
  IncompatibleProtocolsException,
  InvalidLoadBalancerActionException,
  TargetGroupAssociationLimitException,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { modelled } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import { targetGroupsOf, type ElbAction, type LoadBalancerType } from '../store/contract/elbv2.js';
import type { StoreTx } from '../store/types.js';
import { notSupported, validationError } from './errors.js';
import { checkArn, loadBalancersUsing, targetGroupOf } from './lookup.js';
import { checkRange } from './validate.js';

const actionTypes = ['forward', 'authenticate-oidc', 'authenticate-cognito', 'redirect', 'fixed-response'];
const contentTypes = ['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json'];

function forwardOf(action: Action, field: string): ElbAction {
  const groups = action.ForwardConfig?.TargetGroups;
  if (action.TargetGroupArn === undefined && (groups === undefined || groups.length === 0)) {
    throw validationError('A target group ARN must be specified for a forward action', { field: `${field}.TargetGroupArn` });
  }
  if (groups && groups.length > 5) throw validationError('A forward action can have at most 5 target groups', { field: `${field}.ForwardConfig.TargetGroups` });
  if (action.TargetGroupArn !== undefined && groups && groups.length > 0 && !(groups.length === 1 && groups[0]?.TargetGroupArn === action.TargetGroupArn)) {
    throw validationError('You cannot specify a target group ARN together with a forward config naming other target groups', { field });
  }
  const weighted = (groups ?? [{ TargetGroupArn: action.TargetGroupArn }]).map((group) => {
    const arn = group.TargetGroupArn as string;
    checkArn(arn, 'targetgroup', `${field}.ForwardConfig.TargetGroups.TargetGroupArn`);
    if (group.Weight !== undefined) checkRange(group.Weight, 0, 999, 'Weight');
    return { TargetGroupArn: arn, Weight: group.Weight ?? 1 };
  });
  if (new Set(weighted.map((group) => group.TargetGroupArn)).size !== weighted.length) {
    throw validationError('A target group can only be specified once in a forward action', { field: `${field}.ForwardConfig.TargetGroups` });
  }
  const stickiness = action.ForwardConfig?.TargetGroupStickinessConfig;
  if (stickiness?.DurationSeconds !== undefined) checkRange(stickiness.DurationSeconds, 1, 604800, 'DurationSeconds');
  const single = weighted.length === 1 ? (weighted[0] as { TargetGroupArn: string }).TargetGroupArn : undefined;
  return {
    Type: 'forward',
    ...(single ? { TargetGroupArn: single } : {}),
    ...(action.Order !== undefined ? { Order: action.Order } : {}),
    ForwardConfig: {
      TargetGroups: weighted,
      TargetGroupStickinessConfig: {
        Enabled: stickiness?.Enabled ?? false,
        ...(stickiness?.Enabled && stickiness.DurationSeconds !== undefined ? { DurationSeconds: stickiness.DurationSeconds } : {}),
      },
    },
  };
}

function redirectOf(action: Action, field: string): ElbAction {
  const config = action.RedirectConfig;
  if (!config) throw validationError('A redirect configuration must be specified for a redirect action', { field: `${field}.RedirectConfig` });
  if (config.StatusCode !== 'HTTP_301' && config.StatusCode !== 'HTTP_302') {
    throw validationError(`1 validation error detected: Value '${config.StatusCode}' at 'redirectConfig.statusCode' failed to satisfy constraint: Member must satisfy enum value set: [HTTP_301, HTTP_302]`, {
      field: `${field}.RedirectConfig.StatusCode`,
    });
  }
  const protocol = config.Protocol ?? '#{protocol}';
  if (!['HTTP', 'HTTPS', '#{protocol}'].includes(protocol)) throw validationError(`Redirect protocol '${protocol}' must be one of HTTP, HTTPS, #{protocol}`, { field: `${field}.RedirectConfig.Protocol` });
  const port = config.Port ?? '#{port}';
  if (port !== '#{port}' && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw validationError(`Redirect port '${port}' must be #{port} or a port number between 1 and 65535`, { field: `${field}.RedirectConfig.Port` });
  }
  const host = config.Host ?? '#{host}';
  const path = config.Path ?? '/#{path}';
  if (!path.startsWith('/')) throw validationError(`Redirect path '${path}' must begin with a '/' character`, { field: `${field}.RedirectConfig.Path` });
  const query = config.Query ?? '#{query}';
  if (query.startsWith('?')) throw validationError(`Redirect query '${query}' must not begin with a '?' character`, { field: `${field}.RedirectConfig.Query` });
  for (const [name, value] of [['Host', host], ['Path', path], ['Query', query]] as const) {
    if (value.length > 128) throw validationError(`Redirect ${name.toLowerCase()} cannot be longer than 128 characters`, { field: `${field}.RedirectConfig.${name}` });
  }
  if (protocol === '#{protocol}' && port === '#{port}' && host === '#{host}' && path === '/#{path}' && query === '#{query}') {
    throw modelled(InvalidLoadBalancerActionException, 'The redirect configuration is not valid because it creates a loop.');
  }
  return {
    Type: 'redirect',
    ...(action.Order !== undefined ? { Order: action.Order } : {}),
    RedirectConfig: { Protocol: protocol, Port: port, Host: host, Path: path, Query: query, StatusCode: config.StatusCode },
  };
}

function fixedResponseOf(action: Action, field: string): ElbAction {
  const config = action.FixedResponseConfig;
  if (!config) throw validationError('A fixed response configuration must be specified for a fixed-response action', { field: `${field}.FixedResponseConfig` });
  if (!/^[245]\d\d$/.test(config.StatusCode ?? '')) {
    throw validationError(`1 validation error detected: Value '${config.StatusCode}' at 'fixedResponseConfig.statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(2|4|5)\\d\\d$`, {
      field: `${field}.FixedResponseConfig.StatusCode`,
    });
  }
  if (config.ContentType !== undefined && !contentTypes.includes(config.ContentType)) {
    throw validationError(`Content type '${config.ContentType}' must be one of ${contentTypes.join(', ')}`, { field: `${field}.FixedResponseConfig.ContentType` });
  }
  if ((config.MessageBody ?? '').length > 1024) throw validationError('The message body of a fixed response cannot be longer than 1024 characters', { field: `${field}.FixedResponseConfig.MessageBody` });
  return {
    Type: 'fixed-response',
    ...(action.Order !== undefined ? { Order: action.Order } : {}),
    FixedResponseConfig: {
      StatusCode: config.StatusCode,
      ...(config.ContentType !== undefined ? { ContentType: config.ContentType } : {}),
      ...(config.MessageBody !== undefined ? { MessageBody: config.MessageBody } : {}),
    },
  };
}

/** Checks the actions' shapes (no lookup) and returns them in their described form. */
export function checkActions(actions: readonly Action[], field: string): ElbAction[] {
  if (actions.length === 0) throw validationError('At least one action must be specified', { field });
  const checked = actions.map((action, index) => {
    const at = `${field}.member.${index + 1}`;
    if (!actionTypes.includes(action.Type as string)) {
      throw validationError(
        `1 validation error detected: Value '${action.Type}' at '${at}.type' failed to satisfy constraint: Member must satisfy enum value set: [${actionTypes.join(', ')}]`,
        { field: `${at}.Type` },
      );
    }
    if (action.Order !== undefined) checkRange(action.Order, 1, 50000, 'Order');
    switch (action.Type) {
      case 'forward':
        return forwardOf(action, at);
      case 'redirect':
        return redirectOf(action, at);
      case 'fixed-response':
        return fixedResponseOf(action, at);
      default:
        throw notSupported(`Action type '${action.Type}' is not supported`, 'Berth has no identity provider to authenticate with: use forward, redirect or fixed-response.', `${at}.Type`);
    }
  });
  if (checked.length > 1) {
    // Only authenticate actions may precede the one terminal action, and Berth serves none.
    throw validationError('Only one of the following action types can be specified: forward, redirect, fixed-response', { field });
  }
  return checked;
}

const compatible: Record<string, string[]> = {
  HTTP: ['HTTP', 'HTTPS'],
  HTTPS: ['HTTP', 'HTTPS'],
  TCP: ['TCP', 'TCP_UDP'],
  TLS: ['TCP', 'TLS'],
  UDP: ['UDP', 'TCP_UDP'],
  TCP_UDP: ['TCP_UDP'],
};

/**
 * Checks what the actions name, inside the transaction: the target groups exist in the caller's
 * account and region, suit the listener's protocol, and are used by no other load balancer.
 */
export async function checkActionTargets(
  tx: StoreTx,
  ctx: RequestContext,
  actions: readonly ElbAction[],
  listener: { protocol: string; loadBalancerArn: string; loadBalancerType: LoadBalancerType },
): Promise<void> {
  for (const action of actions) {
    if (listener.loadBalancerType === 'network' && action.Type !== 'forward') {
      throw validationError(`Action type '${action.Type}' is not supported for Network Load Balancer listeners`, { field: 'Actions' });
    }
  }
  for (const arn of targetGroupsOf(actions)) {
    const group = await targetGroupOf(tx, ctx, arn);
    if (!(compatible[listener.protocol] ?? []).includes(group.protocol ?? '')) {
      throw modelled(IncompatibleProtocolsException, `The target group '${arn}' has protocol '${group.protocol}', which is not compatible with listener protocol '${listener.protocol}'`);
    }
    const others = (await loadBalancersUsing(tx, arn)).filter((loadBalancer) => loadBalancer !== listener.loadBalancerArn);
    if (others.length > 0) {
      throw modelled(TargetGroupAssociationLimitException, `The following target groups cannot be associated with more than one load balancer: ${arn}`);
    }
  }
}
