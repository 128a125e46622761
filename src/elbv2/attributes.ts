/**
 * Load balancer and target group attributes: every key AWS knows for the resource's type, AWS's
 * default for it, how a value is checked, and whether Berth honours it. An attribute Berth does
 * not honour (S3 access logs, WAF, zonal shift, …) keeps its default: setting it to anything else
 * is refused, saying so, rather than accepted and silently ignored.
 */
import { InvalidConfigurationRequestException } from '@aws-sdk/client-elastic-load-balancing-v2';
import { modelled, withHelp } from '../core/errors.js';
import type { LoadBalancerType } from '../store/contract/elbv2.js';
import { validationError } from './errors.js';

export interface AttributeSpec {
  default: string;
  /** Why a value is invalid, or undefined when it is valid. */
  check?: (value: string) => string | undefined;
  honoured: boolean;
}

const boolean = (value: string) => (value === 'true' || value === 'false' ? undefined : 'must be true or false');
const oneOf =
  (...values: string[]) =>
  (value: string) =>
    values.includes(value) ? undefined : `must be one of ${values.join(', ')}`;
const integer = (min: number, max: number) => (value: string) =>
  /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max ? undefined : `must be an integer between ${min} and ${max}`;
const any = () => undefined;

const spec = (value: string, check: AttributeSpec['check'], honoured = false): AttributeSpec => ({ default: value, check, honoured });

const commonLoadBalancer: Record<string, AttributeSpec> = {
  'access_logs.s3.enabled': spec('false', boolean),
  'access_logs.s3.bucket': spec('', any),
  'access_logs.s3.prefix': spec('', any),
  'deletion_protection.enabled': spec('false', boolean, true),
  'zonal_shift.config.enabled': spec('false', boolean),
};

const applicationLoadBalancer: Record<string, AttributeSpec> = {
  ...commonLoadBalancer,
  'connection_logs.s3.enabled': spec('false', boolean),
  'connection_logs.s3.bucket': spec('', any),
  'connection_logs.s3.prefix': spec('', any),
  'health_check_logs.s3.enabled': spec('false', boolean),
  'health_check_logs.s3.bucket': spec('', any),
  'health_check_logs.s3.prefix': spec('', any),
  'idle_timeout.timeout_seconds': spec('60', integer(1, 4000), true),
  'client_keep_alive.seconds': spec('3600', integer(60, 604800)),
  'routing.http.desync_mitigation_mode': spec('defensive', oneOf('monitor', 'defensive', 'strictest')),
  'routing.http.drop_invalid_header_fields.enabled': spec('false', boolean),
  'routing.http.preserve_host_header.enabled': spec('false', boolean),
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': spec('false', boolean),
  'routing.http.xff_client_port.enabled': spec('false', boolean),
  'routing.http.xff_header_processing.mode': spec('append', oneOf('append', 'preserve', 'remove')),
  'routing.http2.enabled': spec('true', boolean),
  'waf.fail_open.enabled': spec('false', boolean),
  // Berth has no Availability Zones: every target is in the one zone, whatever this says.
  'load_balancing.cross_zone.enabled': spec('true', boolean, true),
};

const networkLoadBalancer: Record<string, AttributeSpec> = {
  ...commonLoadBalancer,
  'load_balancing.cross_zone.enabled': spec('false', boolean, true),
  'dns_record.client_routing_policy': spec('any_availability_zone', oneOf('availability_zone_affinity', 'partial_availability_zone_affinity', 'any_availability_zone')),
};

export function loadBalancerAttributeSpecs(type: LoadBalancerType): Record<string, AttributeSpec> {
  return type === 'application' ? applicationLoadBalancer : networkLoadBalancer;
}

const targetGroupHealth: Record<string, AttributeSpec> = {
  'load_balancing.cross_zone.enabled': spec('use_load_balancer_configuration', oneOf('true', 'false', 'use_load_balancer_configuration'), true),
  'target_group_health.dns_failover.minimum_healthy_targets.count': spec('1', any),
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': spec('off', any),
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': spec('1', any),
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': spec('off', any),
};

/** Target groups an Application Load Balancer forwards to (HTTP and HTTPS). */
const applicationTargetGroup: Record<string, AttributeSpec> = {
  'deregistration_delay.timeout_seconds': spec('300', integer(0, 3600), true),
  'stickiness.enabled': spec('false', boolean, true),
  'stickiness.type': spec('lb_cookie', oneOf('lb_cookie', 'app_cookie'), true),
  'stickiness.lb_cookie.duration_seconds': spec('86400', integer(1, 604800), true),
  'stickiness.app_cookie.cookie_name': spec('', any, true),
  'stickiness.app_cookie.duration_seconds': spec('86400', integer(1, 604800), true),
  'load_balancing.algorithm.type': spec('round_robin', oneOf('round_robin', 'least_outstanding_requests', 'weighted_random'), true),
  'load_balancing.algorithm.anomaly_mitigation': spec('off', oneOf('on', 'off')),
  'slow_start.duration_seconds': spec('0', (value) => (value === '0' ? undefined : integer(30, 900)(value)), true),
  ...targetGroupHealth,
};

/** Target groups a Network Load Balancer forwards to (TCP, TLS, UDP, TCP_UDP). */
const networkTargetGroup: Record<string, AttributeSpec> = {
  'deregistration_delay.timeout_seconds': spec('300', integer(0, 3600), true),
  'deregistration_delay.connection_termination.enabled': spec('false', boolean),
  'preserve_client_ip.enabled': spec('true', boolean),
  'proxy_protocol_v2.enabled': spec('false', boolean),
  'stickiness.enabled': spec('false', boolean, true),
  'stickiness.type': spec('source_ip', oneOf('source_ip'), true),
  'target_health_state.unhealthy.connection_termination.enabled': spec('true', boolean),
  'target_health_state.unhealthy.draining_interval_seconds': spec('0', integer(0, 360000)),
  ...targetGroupHealth,
};

export function targetGroupAttributeSpecs(protocol: string | undefined): Record<string, AttributeSpec> {
  return protocol === 'HTTP' || protocol === 'HTTPS' ? applicationTargetGroup : networkTargetGroup;
}

export function defaultsOf(specs: Record<string, AttributeSpec>): Record<string, string> {
  return Object.fromEntries(Object.entries(specs).map(([key, item]) => [key, item.default]));
}

/**
 * The attributes after applying `changes`: every key must be one of the type's, every value valid,
 * and an attribute Berth does not honour may only be set to its default.
 */
export function applyAttributes(
  current: Record<string, string>,
  changes: readonly { Key?: string; Value?: string }[],
  specs: Record<string, AttributeSpec>,
): Record<string, string> {
  const next = { ...current };
  for (const change of changes) {
    const key = change.Key ?? '';
    const value = change.Value ?? '';
    const item = specs[key];
    if (!item) {
      throw withHelp(validationError(`Attribute key '${key}' is not recognized`), {
        field: 'Attributes',
        hint: `The keys of this resource are: ${Object.keys(specs).join(', ')}.`,
      });
    }
    const problem = item.check?.(value);
    if (problem) throw validationError(`Attribute '${key}' ${problem}, got '${value}'`, { field: 'Attributes' });
    if (!item.honoured && value !== item.default) {
      throw withHelp(modelled(InvalidConfigurationRequestException, `The attribute '${key}' cannot be set to '${value}' here`), {
        field: 'Attributes',
        hint: `Berth keeps '${key}' at its default, '${item.default}'.`,
      });
    }
    next[key] = value;
  }
  return next;
}

export const attributeList = (attributes: Record<string, string>) => Object.entries(attributes).map(([Key, Value]) => ({ Key, Value }));
