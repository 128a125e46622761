/** Records in the wire shapes of the ELBv2 API. */
import type {
  Listener,
  LoadBalancer,
  Rule,
  TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ElbAction, ListenerRecord, LoadBalancerRecord, RuleRecord, TargetGroupRecord } from '../store/contract/elbv2.js';

/** Berth has one zone per region; it is named as AWS names a region's first. */
export const zoneOf = (region: string) => `${region}a`;

export function presentLoadBalancer(record: LoadBalancerRecord): LoadBalancer {
  const subnets = record.subnets.length > 0 ? record.subnets : ['subnet-berth'];
  return {
    LoadBalancerArn: record.arn,
    DNSName: record.dnsName,
    CanonicalHostedZoneId: 'Z00BERTHLOCAL',
    CreatedTime: new Date(record.createdAt * 1000),
    LoadBalancerName: record.name,
    Scheme: record.scheme,
    VpcId: 'vpc-berth',
    State: { Code: record.state, ...(record.stateReason !== undefined ? { Reason: record.stateReason } : {}) },
    Type: record.type,
    AvailabilityZones: subnets.map((subnet, index) => ({
      ZoneName: zoneOf(record.region),
      SubnetId: subnet,
      // ELB lists addresses for NLBs only; Berth shows an ALB's too, since its DNS name resolves to
      // 127.0.0.1 rather than to its own address in curl and browsers (see the README).
      ...(index === 0 ? { LoadBalancerAddresses: [{ IpAddress: record.address }] } : {}),
    })),
    // A Network Load Balancer has security groups only when it was created with some, as in ELB.
    ...(record.type === 'application' || record.securityGroups.length > 0 ? { SecurityGroups: record.securityGroups } : {}),
    ...(record.type === 'network' && record.securityGroups.length > 0
      ? { EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: record.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic ?? 'on' }
      : {}),
    IpAddressType: record.ipAddressType,
  };
}

export function presentTargetGroup(record: TargetGroupRecord, loadBalancerArns: string[]): TargetGroup {
  const check = record.healthCheck;
  return {
    TargetGroupArn: record.arn,
    TargetGroupName: record.name,
    ...(record.protocol ? { Protocol: record.protocol as TargetGroup['Protocol'] } : {}),
    ...(record.port !== undefined ? { Port: record.port } : {}),
    ...(record.targetType !== 'lambda' ? { VpcId: record.vpcId ?? 'vpc-berth' } : {}),
    HealthCheckProtocol: check.protocol as TargetGroup['HealthCheckProtocol'],
    HealthCheckPort: check.port,
    HealthCheckEnabled: check.enabled,
    HealthCheckIntervalSeconds: check.intervalSeconds,
    HealthCheckTimeoutSeconds: check.timeoutSeconds,
    HealthyThresholdCount: check.healthyThresholdCount,
    UnhealthyThresholdCount: check.unhealthyThresholdCount,
    ...(check.path !== undefined ? { HealthCheckPath: check.path } : {}),
    ...(check.matcher !== undefined ? { Matcher: { HttpCode: check.matcher } } : {}),
    LoadBalancerArns: loadBalancerArns,
    TargetType: record.targetType,
    ...(record.protocolVersion ? { ProtocolVersion: record.protocolVersion } : {}),
    IpAddressType: record.ipAddressType,
  };
}

export function presentActions(actions: readonly ElbAction[]): NonNullable<Listener['DefaultActions']> {
  return actions as unknown as NonNullable<Listener['DefaultActions']>;
}

export function presentListener(record: ListenerRecord): Listener {
  return {
    ListenerArn: record.arn,
    LoadBalancerArn: record.loadBalancerArn,
    Port: record.port,
    Protocol: record.protocol as Listener['Protocol'],
    // DescribeListeners shows the default certificate only; DescribeListenerCertificates shows them all.
    ...(record.certificates ? { Certificates: record.certificates.filter((c) => c.isDefault).map((c) => ({ CertificateArn: c.certificateArn })) } : {}),
    ...(record.sslPolicy ? { SslPolicy: record.sslPolicy } : {}),
    ...(record.alpnPolicy ? { AlpnPolicy: [record.alpnPolicy] } : {}),
    DefaultActions: presentActions(record.defaultActions),
  };
}

export function presentRule(record: RuleRecord): Rule {
  return {
    RuleArn: record.arn,
    Priority: record.isDefault ? 'default' : String(record.priority),
    Conditions: record.conditions as Rule['Conditions'],
    Actions: presentActions(record.actions),
    IsDefault: record.isDefault,
  };
}
