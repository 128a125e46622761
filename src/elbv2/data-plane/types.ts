/**
 * The load balancers' data plane: what the control plane tells it (the desired configuration, as
 * plain values) and what it reports back (target health, counts). The ELBv2 API and the target
 * controller own the records; a data plane only forwards traffic, runs health checks and counts.
 *
 * A data plane runs apart from the control plane's process, so listeners keep forwarding to the
 * last known healthy targets while the control plane is down (kill -9 included); a restarted
 * control plane finds the running data plane again and converges it by applying its configuration.
 * Applying is idempotent and takes the whole desired state: what is absent from it goes.
 *
 * Two implementations pass one conformance suite: the embedded one (a Node.js process of Berth's
 * own, the default) and one that drives Debian's haproxy through its runtime API.
 */

export type LoadBalancerType = 'application' | 'network';
export type ListenerProtocol = 'HTTP' | 'HTTPS' | 'TCP' | 'TLS' | 'UDP' | 'TCP_UDP';
export type TargetProtocol = 'HTTP' | 'HTTPS' | 'TCP' | 'TLS' | 'UDP' | 'TCP_UDP';

export interface DataPlaneConfig {
  loadBalancers: LoadBalancerConfig[];
  targetGroups: TargetGroupConfig[];
}

export interface LoadBalancerConfig {
  arn: string;
  name: string;
  type: LoadBalancerType;
  /** The address its listeners bind (its own loopback address by default, e.g. 127.0.2.7). */
  address: string;
  /** Host names that reach it through the edge port's Host header as well (its DNSName). */
  dnsName: string;
  /** idle_timeout.timeout_seconds (ALB; default 60). */
  idleTimeoutSeconds: number;
  /** routing.http.xff_header_processing.mode etc. are not modelled; deletion protection is control-plane only. */
  listeners: ListenerConfig[];
  /** access_logs: one structured line per request, ALB's fields, to this file (absent: off). */
  accessLogPath?: string;
}

export interface ListenerConfig {
  arn: string;
  port: number;
  protocol: ListenerProtocol;
  /** PEM certificate chain and key for HTTPS/TLS listeners: the default certificate. */
  certificate?: CertificatePem;
  /**
   * Further certificates, served by SNI: a client naming a host one of them covers (its subject
   * alternative names, or its common name, wildcards included) gets it; any other gets the default.
   */
  sniCertificates?: CertificatePem[];
  /** HTTPS/TLS listeners: the protocols and ciphers of the listener's SSL policy (absent: the data plane's defaults). */
  tlsPolicy?: TlsPolicyConfig;
  /** TLS listeners: the ALPN protocol ids offered, in order of preference (absent: no ALPN). */
  alpnProtocols?: string[];
  /** Rules in evaluation order (lowest priority number first); the default rule last. */
  rules: RuleConfig[];
}

export interface CertificatePem {
  /** The certificate followed by its chain. */
  certificatePem: string;
  privateKeyPem: string;
}

/** An ELB SSL policy as OpenSSL takes it. */
export interface TlsPolicyConfig {
  /** The policy's name (ELBSecurityPolicy-…). */
  name: string;
  minVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  maxVersion: 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher list for TLS 1.2 and below, most preferred first (empty when only TLS 1.3 is allowed). */
  ciphers: string;
  /** TLS 1.3 cipher suites, colon-separated (empty when TLS 1.3 is not allowed). */
  ciphersuites: string;
}

export interface RuleConfig {
  arn: string;
  /** A number, or 'default' for the listener's default actions. */
  priority: number | 'default';
  /** All must match (AND); an empty list matches everything (the default rule). */
  conditions: ConditionConfig[];
  /** In order: authenticate actions are not supported; the last is forward, redirect or fixed-response. */
  actions: ActionConfig[];
}

export type ConditionConfig =
  | { field: 'host-header'; values: string[] }
  | { field: 'path-pattern'; values: string[] }
  | { field: 'http-header'; headerName: string; values: string[] }
  | { field: 'http-request-method'; values: string[] }
  | { field: 'query-string'; values: { key?: string; value: string }[] }
  | { field: 'source-ip'; values: string[] };

export type ActionConfig =
  | {
      type: 'forward';
      targetGroups: { targetGroupArn: string; weight: number }[];
      /** Group-level stickiness across the weighted target groups. */
      stickiness?: { enabled: boolean; durationSeconds: number };
    }
  | {
      type: 'redirect';
      protocol: string;
      host: string;
      port: string;
      path: string;
      query: string;
      statusCode: 'HTTP_301' | 'HTTP_302';
    }
  | { type: 'fixed-response'; statusCode: string; contentType?: string; messageBody?: string };

export interface TargetGroupConfig {
  arn: string;
  name: string;
  protocol: TargetProtocol;
  targetType: 'instance' | 'ip';
  /** round_robin (default), least_outstanding_requests, weighted_random. */
  algorithm: 'round_robin' | 'least_outstanding_requests' | 'weighted_random';
  stickiness: { enabled: boolean; type: 'lb_cookie' | 'app_cookie' | 'source_ip'; durationSeconds: number; appCookieName?: string };
  slowStartSeconds: number;
  deregistrationDelaySeconds: number;
  healthCheck: HealthCheckConfig;
  targets: TargetConfig[];
}

export interface HealthCheckConfig {
  enabled: boolean;
  protocol: 'HTTP' | 'HTTPS' | 'TCP';
  /** 'traffic-port' or a port number. */
  port: 'traffic-port' | number;
  path: string;
  /** HTTP codes: "200", "200,202", "200-299". */
  matcher: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export interface TargetConfig {
  /** The target's id as registered: an instance id or an IP address. */
  id: string;
  /** Where traffic goes: the instance's address (from its agent) or the IP itself. */
  address: string;
  port: number;
  /**
   * registered: in service (health decides whether it takes traffic);
   * draining: deregistered, finishing in-flight requests until `drainingUntil` (epoch ms) or none remain.
   * Once drained, health() no longer reports it (the control plane may then drop it from the configuration).
   */
  state: 'registered' | 'draining';
  drainingUntil?: number;
  /** When it was registered (epoch ms). Slow start ramps a target's share from when it turns healthy (beside other healthy targets), as ELB does. */
  registeredAt: number;
}

/** ELB's target health states and reason codes (DescribeTargetHealth). */
export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';

export interface TargetHealthReport {
  targetGroupArn: string;
  targetId: string;
  port: number;
  state: TargetHealthState;
  /** Elb.RegistrationInProgress, Elb.InitialHealthChecking, Target.ResponseCodeMismatch, Target.Timeout, Target.FailedHealthChecks, Target.DeregistrationInProgress, … */
  reason?: string;
  description?: string;
  /** When the state last changed (epoch ms). */
  since: number;
}

/** What ALB's and NLB's CloudWatch metrics count, since the data plane started, per load balancer and target group. */
export interface DataPlaneCounters {
  loadBalancers: Record<string, {
    requestCount: number;
    httpCodeElb4xx: number;
    httpCodeElb5xx: number;
    activeConnectionCount: number;
    newConnectionCount: number;
    processedBytes: number;
  }>;
  targetGroups: Record<string, {
    requestCount: number;
    httpCodeTarget2xx: number;
    httpCodeTarget3xx: number;
    httpCodeTarget4xx: number;
    httpCodeTarget5xx: number;
    /** Sum of seconds from sending the request to the target until its response headers (TargetResponseTime = sum / requestCount). */
    targetResponseTimeSum: number;
    healthyHostCount: number;
    unhealthyHostCount: number;
  }>;
}

export interface ApplyResult {
  /** Listeners that could not bind, each with words that say what to do. */
  listenerErrors: { listenerArn: string; message: string }[];
  /**
   * Listener ports not served on 127.0.0.1 as well (see shared-ports.ts): held by another program,
   * or shared by load balancers one socket cannot tell apart. Not errors: each load balancer's own
   * address still serves. Absent when there is none.
   */
  sharedPortNotices?: string[];
}

export interface DataPlane {
  readonly kind: 'embedded' | 'haproxy';
  /** Makes the running configuration this one (idempotent; whole state). */
  apply(config: DataPlaneConfig): Promise<ApplyResult>;
  /** Every target's current health as the data plane's checks see it. */
  health(): Promise<TargetHealthReport[]>;
  counters(): Promise<DataPlaneCounters>;
  /**
   * Runs every registered target's health check once, now, and resolves when the results are in
   * (each counts as the next scheduled check). For tests and tools that want a health transition
   * without waiting for intervals to pass; absent where the implementation cannot start a check
   * on demand (haproxy's runtime API has no such command).
   */
  checkHealthNow?(): Promise<void>;
  /** Detaches from the data plane, leaving it running (a control plane that stops or dies does not stop the traffic). */
  detach(): Promise<void>;
  /** Stops the data plane itself (berth down, reset, tests). */
  shutdown(): Promise<void>;
}
