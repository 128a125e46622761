/**
 * What the data plane should run, from the ELBv2 records: every account's load balancers with
 * their listeners and rules, the target groups those rules forward to (with their attributes and
 * health-check settings), and each registered target with the address traffic goes to.
 *
 * Pure: the records and a way to find an instance's address in, a DataPlaneConfig out. The load
 * balancer controller reads the records and applies the result.
 *
 * Where a target is reached:
 *   ip target         at its IP;
 *   instance target   at its container instance's host address (instanceAddress; Berth's own
 *                     agents run beside the control plane and are reached at 127.0.0.1).
 * A registration whose deregistration delay is over is left out (the data plane has stopped
 * sending to it); one still draining goes in as `draining` with the time its delay ends.
 */
import type {
  ElbAction,
  ElbCondition,
  ListenerRecord,
  LoadBalancerRecord,
  RuleRecord,
  TargetGroupRecord,
  TargetRecord,
} from '../store/contract/elbv2.js';
import { targetGroupsOf } from '../store/contract/elbv2.js';
import { drainEnded } from './draining.js';
import { alpnPolicies, defaultSslPolicy, sslPolicyNamed, tlsPolicyConfig } from './ssl-policies.js';
import type {
  ActionConfig,
  CertificatePem,
  ConditionConfig,
  DataPlaneConfig,
  HealthCheckConfig,
  ListenerConfig,
  ListenerProtocol,
  RuleConfig,
  TargetConfig,
  TargetGroupConfig,
  TargetProtocol,
} from './data-plane/types.js';

/** The records the configuration is made from, as read in one snapshot. */
export interface ElbRecords {
  loadBalancers: readonly LoadBalancerRecord[];
  listeners: readonly ListenerRecord[];
  rules: readonly RuleRecord[];
  targetGroups: readonly TargetGroupRecord[];
  targets: readonly TargetRecord[];
  /** The ACM certificates HTTPS and TLS listeners name, by ARN, with their private keys. */
  certificates?: ReadonlyMap<string, StoredCertificate>;
}

export interface StoredCertificate {
  certificatePem: string;
  chainPem?: string;
  privateKeyPem: string;
}

export interface TranslationContext {
  /** Epoch seconds, to leave out registrations whose deregistration delay is over. */
  nowSeconds: number;
  /** The host address of the container instance with this EC2 instance id. */
  instanceAddress(instanceId: string): string;
}

/** The host address of container instances whose agent reports none: Berth's local agents. */
export const localInstanceAddress = '127.0.0.1';

const numberOr = (value: string | undefined, fallback: number): number => {
  const parsed = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(parsed) ? parsed : fallback;
};

export function dataPlaneConfig(records: ElbRecords, context: TranslationContext): DataPlaneConfig {
  const listenersOf = groupBy(records.listeners, (listener) => listener.loadBalancerArn);
  const rulesOf = groupBy(records.rules, (rule) => rule.listenerArn);
  const targetsOf = groupBy(records.targets, (target) => target.targetGroupArn);
  const groupsByArn = new Map(records.targetGroups.map((group) => [group.arn, group]));
  const used = new Set<string>();

  const loadBalancers = records.loadBalancers.map((lb) => {
    const listeners = (listenersOf.get(lb.arn) ?? []).map((listener): ListenerConfig => {
      const rules = rulesFor(listener, rulesOf.get(listener.arn) ?? []);
      for (const rule of rules) for (const action of rule.actions) if (action.type === 'forward') for (const group of action.targetGroups) used.add(group.targetGroupArn);
      return { arn: listener.arn, port: listener.port, protocol: listener.protocol as ListenerProtocol, rules, ...tlsOf(listener, records.certificates) };
    });
    return {
      arn: lb.arn,
      name: lb.name,
      type: lb.type,
      address: lb.address,
      dnsName: lb.dnsName,
      idleTimeoutSeconds: numberOr(lb.attributes['idle_timeout.timeout_seconds'], 60),
      listeners: listeners.sort((a, b) => a.port - b.port),
    };
  });

  const targetGroups: TargetGroupConfig[] = [];
  for (const arn of [...used].sort()) {
    const group = groupsByArn.get(arn);
    // lambda and alb targets are not forwarded to: their group is left out, and so its actions answer 503.
    if (!group || (group.targetType !== 'instance' && group.targetType !== 'ip')) continue;
    targetGroups.push(targetGroupConfig(group, targetsOf.get(arn) ?? [], context));
  }
  const served = new Set(targetGroups.map((group) => group.arn));
  // A forward to a group left out keeps only the groups that are served.
  for (const lb of loadBalancers) {
    for (const listener of lb.listeners) {
      for (const rule of listener.rules) {
        for (const action of rule.actions) if (action.type === 'forward') action.targetGroups = action.targetGroups.filter((group) => served.has(group.targetGroupArn));
      }
    }
  }
  return { loadBalancers, targetGroups };
}

/** An HTTPS or TLS listener's certificates (each followed by its chain), SSL policy and ALPN protocols. */
function tlsOf(listener: ListenerRecord, stored: ElbRecords['certificates']): Partial<ListenerConfig> {
  if (listener.certificates === undefined) return {};
  const pem = (arn: string): CertificatePem | undefined => {
    const certificate = stored?.get(arn);
    return certificate && { certificatePem: `${certificate.certificatePem.trim()}\n${certificate.chainPem?.trim() ? `${certificate.chainPem.trim()}\n` : ''}`, privateKeyPem: certificate.privateKeyPem };
  };
  const defaultArn = listener.certificates.find((c) => c.isDefault)?.certificateArn;
  const certificate = defaultArn === undefined ? undefined : pem(defaultArn);
  const sniCertificates = listener.certificates.filter((c) => !c.isDefault).flatMap((c) => pem(c.certificateArn) ?? []);
  const policy = sslPolicyNamed(listener.sslPolicy ?? defaultSslPolicy);
  const alpn = listener.alpnPolicy === undefined ? undefined : alpnPolicies[listener.alpnPolicy];
  return {
    ...(certificate ? { certificate } : {}),
    ...(sniCertificates.length > 0 ? { sniCertificates } : {}),
    ...(policy ? { tlsPolicy: tlsPolicyConfig(policy) } : {}),
    ...(alpn && alpn.length > 0 ? { alpnProtocols: alpn } : {}),
  };
}

/** Rules in evaluation order: by priority, the default rule last (from the listener's default actions). */
function rulesFor(listener: ListenerRecord, rules: readonly RuleRecord[]): RuleConfig[] {
  const ordered = rules.filter((rule) => !rule.isDefault && rule.priority !== undefined).sort((a, b) => (a.priority as number) - (b.priority as number));
  const configs: RuleConfig[] = ordered.map((rule) => ({
    arn: rule.arn,
    priority: rule.priority as number,
    conditions: rule.conditions.map(conditionConfig).filter((condition): condition is ConditionConfig => condition !== undefined),
    actions: actionConfigs(rule.actions),
  }));
  const defaultRule = rules.find((rule) => rule.isDefault);
  configs.push({ arn: defaultRule?.arn ?? `${listener.arn}#default`, priority: 'default', conditions: [], actions: actionConfigs(listener.defaultActions) });
  return configs;
}

const valuesOf = (config: unknown): string[] => ((config as { Values?: unknown[] } | undefined)?.Values ?? []).map(String);

function conditionConfig(condition: ElbCondition): ConditionConfig | undefined {
  const legacy = Array.isArray(condition.Values) ? condition.Values.map(String) : undefined;
  switch (condition.Field) {
    case 'host-header':
      return { field: 'host-header', values: legacy ?? valuesOf(condition.HostHeaderConfig) };
    case 'path-pattern':
      return { field: 'path-pattern', values: legacy ?? valuesOf(condition.PathPatternConfig) };
    case 'http-header': {
      const header = condition.HttpHeaderConfig as { HttpHeaderName?: string; Values?: string[] } | undefined;
      return { field: 'http-header', headerName: header?.HttpHeaderName ?? '', values: header?.Values ?? [] };
    }
    case 'http-request-method':
      return { field: 'http-request-method', values: valuesOf(condition.HttpRequestMethodConfig) };
    case 'query-string': {
      const pairs = (condition.QueryStringConfig as { Values?: { Key?: string; Value?: string }[] } | undefined)?.Values ?? [];
      return { field: 'query-string', values: pairs.map((pair) => ({ ...(pair.Key !== undefined ? { key: pair.Key } : {}), value: pair.Value ?? '' })) };
    }
    case 'source-ip':
      return { field: 'source-ip', values: valuesOf(condition.SourceIpConfig) };
    default:
      return undefined;
  }
}

function actionConfigs(actions: readonly ElbAction[]): ActionConfig[] {
  const ordered = [...actions].sort((a, b) => Number(a.Order ?? 0) - Number(b.Order ?? 0));
  const configs: ActionConfig[] = [];
  for (const action of ordered) {
    switch (action.Type) {
      case 'forward': {
        const forward = action.ForwardConfig as
          | { TargetGroups?: { TargetGroupArn?: string; Weight?: number }[]; TargetGroupStickinessConfig?: { Enabled?: boolean; DurationSeconds?: number } }
          | undefined;
        const groups = forward?.TargetGroups?.length
          ? forward.TargetGroups.map((group) => ({ targetGroupArn: group.TargetGroupArn as string, weight: group.Weight ?? 1 }))
          : targetGroupsOf([action]).map((arn) => ({ targetGroupArn: arn, weight: 1 }));
        const stickiness = forward?.TargetGroupStickinessConfig;
        configs.push({
          type: 'forward',
          targetGroups: groups,
          ...(stickiness?.Enabled ? { stickiness: { enabled: true, durationSeconds: stickiness.DurationSeconds ?? 3600 } } : {}),
        });
        break;
      }
      case 'redirect': {
        const redirect = action.RedirectConfig as Record<string, string>;
        configs.push({
          type: 'redirect',
          protocol: redirect.Protocol ?? '#{protocol}',
          host: redirect.Host ?? '#{host}',
          port: redirect.Port ?? '#{port}',
          path: redirect.Path ?? '/#{path}',
          query: redirect.Query ?? '#{query}',
          statusCode: redirect.StatusCode === 'HTTP_301' ? 'HTTP_301' : 'HTTP_302',
        });
        break;
      }
      case 'fixed-response': {
        const fixed = action.FixedResponseConfig as { StatusCode: string; ContentType?: string; MessageBody?: string };
        configs.push({
          type: 'fixed-response',
          statusCode: fixed.StatusCode,
          ...(fixed.ContentType !== undefined ? { contentType: fixed.ContentType } : {}),
          ...(fixed.MessageBody !== undefined ? { messageBody: fixed.MessageBody } : {}),
        });
        break;
      }
      default:
        // authenticate-* actions are refused by the API; nothing else reaches here.
        break;
    }
  }
  return configs;
}

function healthCheckConfig(group: TargetGroupRecord): HealthCheckConfig {
  const check = group.healthCheck;
  return {
    enabled: check.enabled,
    protocol: check.protocol === 'HTTPS' ? 'HTTPS' : check.protocol === 'TCP' ? 'TCP' : 'HTTP',
    port: check.port === 'traffic-port' ? 'traffic-port' : Number(check.port),
    path: check.path ?? '/',
    matcher: check.matcher ?? '200',
    intervalSeconds: check.intervalSeconds,
    timeoutSeconds: check.timeoutSeconds,
    healthyThreshold: check.healthyThresholdCount,
    unhealthyThreshold: check.unhealthyThresholdCount,
  };
}

function targetGroupConfig(group: TargetGroupRecord, targets: readonly TargetRecord[], context: TranslationContext): TargetGroupConfig {
  const attributes = group.attributes;
  const stickinessType = attributes['stickiness.type'];
  const algorithm = attributes['load_balancing.algorithm.type'];
  const configs: TargetConfig[] = targets
    .filter((target) => !drainEnded(target, context.nowSeconds))
    .map((target) => ({
      id: target.id,
      address: group.targetType === 'ip' ? target.id : context.instanceAddress(target.id),
      port: target.port,
      state: target.drainUntil !== undefined ? 'draining' : 'registered',
      ...(target.drainUntil !== undefined ? { drainingUntil: target.drainUntil * 1000 } : {}),
      registeredAt: Math.round(target.registeredAt * 1000),
    }));
  return {
    arn: group.arn,
    name: group.name,
    protocol: (group.protocol ?? 'HTTP') as TargetProtocol,
    targetType: group.targetType as 'instance' | 'ip',
    algorithm: algorithm === 'least_outstanding_requests' || algorithm === 'weighted_random' ? algorithm : 'round_robin',
    stickiness: {
      enabled: attributes['stickiness.enabled'] === 'true',
      type: stickinessType === 'app_cookie' || stickinessType === 'source_ip' ? stickinessType : 'lb_cookie',
      durationSeconds: numberOr(stickinessType === 'app_cookie' ? attributes['stickiness.app_cookie.duration_seconds'] : attributes['stickiness.lb_cookie.duration_seconds'], 86400),
      ...(stickinessType === 'app_cookie' && attributes['stickiness.app_cookie.cookie_name'] ? { appCookieName: attributes['stickiness.app_cookie.cookie_name'] } : {}),
    },
    slowStartSeconds: numberOr(attributes['slow_start.duration_seconds'], 0),
    deregistrationDelaySeconds: numberOr(attributes['deregistration_delay.timeout_seconds'], 300),
    healthCheck: healthCheckConfig(group),
    targets: configs,
  };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
