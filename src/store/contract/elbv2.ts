/**
 * The storage contract of Elastic Load Balancing v2: load balancers, target groups, listeners,
 * rules, registered targets and each target's health.
 *
 * Records are kept close to their wire form (timestamps as epoch seconds). A target's registration
 * and its health are two records: the API writes registrations, the controller that watches the
 * data plane writes health, so neither overwrites the other's facts.
 */
import type { Page, PageRequest, Versioned } from './core.js';

export interface ElbTag {
  Key: string;
  Value?: string;
}

/** What every ELBv2 record kept per account and region carries. */
interface ScopedRecord extends Versioned {
  arn: string;
  accountId: string;
  region: string;
  tags: ElbTag[];
  /** Epoch seconds. */
  createdAt: number;
}

export type LoadBalancerType = 'application' | 'network';

export interface LoadBalancerRecord extends ScopedRecord {
  name: string;
  /** The 16 hex characters that end the ARN. */
  id: string;
  type: LoadBalancerType;
  scheme: 'internet-facing' | 'internal';
  ipAddressType: 'ipv4';
  subnets: string[];
  securityGroups: string[];
  /** Network Load Balancers with security groups (SetSecurityGroups): stored and shown; Berth has no PrivateLink. Absent: on. */
  enforceSecurityGroupInboundRulesOnPrivateLinkTraffic?: 'on' | 'off';
  dnsName: string;
  /** The loopback address the data plane binds for this load balancer; unique across accounts. */
  address: string;
  state: 'provisioning' | 'active' | 'failed';
  /** Why the state is `failed` (a listener the data plane could not bind), as State.Reason shows it. */
  stateReason?: string;
  /** Every attribute key of the type, with its value (AWS's default until modified). */
  attributes: Record<string, string>;
}

export interface HealthCheckSettings {
  enabled: boolean;
  protocol: string;
  /** A port number as text, or `traffic-port`. */
  port: string;
  path?: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  /** HTTP codes, e.g. `200` or `200-299` or `200,302`; absent for TCP checks. */
  matcher?: string;
}

export interface TargetGroupRecord extends ScopedRecord {
  name: string;
  id: string;
  targetType: 'instance' | 'ip' | 'lambda' | 'alb';
  protocol?: string;
  protocolVersion?: string;
  port?: number;
  vpcId?: string;
  ipAddressType: 'ipv4';
  healthCheck: HealthCheckSettings;
  attributes: Record<string, string>;
}

/** An action as the API carries it (Type, Order, TargetGroupArn, ForwardConfig, RedirectConfig, FixedResponseConfig). */
export type ElbAction = Record<string, unknown> & { Type: string };
/** The target groups an action list forwards to (plain and weighted forwards). */
export function targetGroupsOf(actions: readonly ElbAction[]): string[] {
  const arns = new Set<string>();
  for (const action of actions) {
    if (typeof action.TargetGroupArn === 'string') arns.add(action.TargetGroupArn);
    const forward = action.ForwardConfig as { TargetGroups?: { TargetGroupArn?: string }[] } | undefined;
    for (const group of forward?.TargetGroups ?? []) if (group.TargetGroupArn) arns.add(group.TargetGroupArn);
  }
  return [...arns];
}

/** A rule condition as the API carries it (Field, Values and the *Config forms). */
export type ElbCondition = Record<string, unknown>;

export interface ListenerRecord extends ScopedRecord {
  loadBalancerArn: string;
  id: string;
  port: number;
  protocol: string;
  defaultActions: ElbAction[];
  /** HTTPS and TLS listeners: the default certificate and the others served by SNI (ACM ARNs). */
  certificates?: ListenerCertificate[];
  /** HTTPS and TLS listeners: the SSL policy's name (ssl-policies.ts). */
  sslPolicy?: string;
  /** TLS listeners: the ALPN policy's name (HTTP1Only, HTTP2Only, HTTP2Optional, HTTP2Preferred, None). */
  alpnPolicy?: string;
}

export interface ListenerCertificate {
  certificateArn: string;
  isDefault: boolean;
}

export interface RuleRecord extends ScopedRecord {
  listenerArn: string;
  loadBalancerArn: string;
  /** 1–50000, or undefined for the listener's default rule. */
  priority?: number;
  isDefault: boolean;
  conditions: ElbCondition[];
  actions: ElbAction[];
}

/** A registration of one target (id and port) in a target group. */
export interface TargetRecord extends Versioned {
  targetGroupArn: string;
  /** Instance id (a container instance's EC2 instance id), IP address, or Lambda ARN. */
  id: string;
  port: number;
  availabilityZone?: string;
  registeredAt: number;
  /** Set while it drains: when DeregisterTargets was called, and when the delay ends (epoch seconds). */
  deregisteredAt?: number;
  drainUntil?: number;
}

export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';

/** The health the data plane last reported for a registered target, written by the controller. */
export interface TargetHealthRecord extends Versioned {
  targetGroupArn: string;
  id: string;
  port: number;
  state: TargetHealthState;
  reason?: string;
  description?: string;
  updatedAt: number;
}

export interface LoadBalancersTable {
  get(arn: string): Promise<LoadBalancerRecord | undefined>;
  findByName(accountId: string, region: string, name: string): Promise<LoadBalancerRecord | undefined>;
  /** Oldest first. */
  list(accountId: string, region: string, page: PageRequest): Promise<Page<LoadBalancerRecord>>;
  /** The addresses held by every account's load balancers. */
  addressesInUse(): Promise<string[]>;
  /** Every account's load balancers, oldest first: what the data plane is configured from. */
  all(): Promise<LoadBalancerRecord[]>;
  put(record: LoadBalancerRecord): Promise<void>;
  delete(arn: string): Promise<void>;
}

export interface TargetGroupsTable {
  get(arn: string): Promise<TargetGroupRecord | undefined>;
  findByName(accountId: string, region: string, name: string): Promise<TargetGroupRecord | undefined>;
  /** Oldest first. */
  list(accountId: string, region: string, page: PageRequest): Promise<Page<TargetGroupRecord>>;
  put(record: TargetGroupRecord): Promise<void>;
  delete(arn: string): Promise<void>;
}

export interface ListenersTable {
  get(arn: string): Promise<ListenerRecord | undefined>;
  /** Oldest first. */
  forLoadBalancer(loadBalancerArn: string): Promise<ListenerRecord[]>;
  /** Listeners (of any account) that serve the certificate, as default or by SNI; oldest first. */
  usingCertificate(certificateArn: string): Promise<ListenerRecord[]>;
  put(record: ListenerRecord): Promise<void>;
  delete(arn: string): Promise<void>;
}

export interface RulesTable {
  get(arn: string): Promise<RuleRecord | undefined>;
  /** Every rule of a listener, the default rule included, in no particular order. */
  forListener(listenerArn: string): Promise<RuleRecord[]>;
  /** Rules (of any listener) whose actions name the target group. */
  forwardingTo(targetGroupArn: string): Promise<RuleRecord[]>;
  put(record: RuleRecord): Promise<void>;
  delete(arn: string): Promise<void>;
}

export interface TargetsTable {
  /** Oldest registration first. */
  forTargetGroup(targetGroupArn: string): Promise<TargetRecord[]>;
  put(record: TargetRecord): Promise<void>;
  delete(targetGroupArn: string, id: string, port: number): Promise<void>;
}

export interface TargetHealthTable {
  forTargetGroup(targetGroupArn: string): Promise<TargetHealthRecord[]>;
  put(record: TargetHealthRecord): Promise<void>;
  delete(targetGroupArn: string, id: string, port: number): Promise<void>;
}

/** The ELBv2 tables of a store transaction. */
export interface Elbv2Tables {
  loadBalancers: LoadBalancersTable;
  targetGroups: TargetGroupsTable;
  listeners: ListenersTable;
  rules: RulesTable;
  targets: TargetsTable;
  targetHealth: TargetHealthTable;
}
