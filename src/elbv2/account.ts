/**
 * DescribeAccountLimits (the quotas Berth enforces, under AWS's names and with AWS's defaults) and
 * DescribeSSLPolicies, which lists the SSL policies HTTPS and TLS listeners may use (ssl-policies.ts).
 */
import {
  SSLPolicyNotFoundException,
  type DescribeAccountLimitsInput,
  type DescribeAccountLimitsOutput,
  type DescribeSSLPoliciesInput,
  type DescribeSSLPoliciesOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { modelled, withHelp } from '../core/errors.js';
import { listenerQuota } from './listeners.js';
import { loadBalancerQuota } from './load-balancers.js';
import { pageOfList } from './pagination.js';
import { ruleQuota } from './rules.js';
import { targetGroupQuota } from './target-groups.js';
import { targetQuota } from './targets.js';
import { checkPageSize } from './validate.js';
import { conditionValueQuota } from './conditions.js';
import { listedCiphers, sslPolicies } from './ssl-policies.js';
import { certificateQuota } from './listener-tls.js';
import { validationError } from './errors.js';

const limits: [string, number][] = [
  ['application-load-balancers', loadBalancerQuota],
  ['certificates-per-application-load-balancer', certificateQuota],
  ['certificates-per-network-load-balancer', certificateQuota],
  ['condition-values-per-alb-rule', conditionValueQuota],
  ['condition-wildcards-per-alb-rule', conditionValueQuota],
  ['listeners-per-application-load-balancer', listenerQuota],
  ['listeners-per-network-load-balancer', listenerQuota],
  ['network-load-balancers', loadBalancerQuota],
  ['rules-per-application-load-balancer', ruleQuota],
  ['target-groups', targetGroupQuota],
  ['target-groups-per-action-on-application-load-balancer', 5],
  ['targets-per-application-load-balancer', targetQuota],
  ['targets-per-network-load-balancer', targetQuota],
  ['targets-per-target-group', targetQuota],
];

export function accountOperations() {
  return {
    async DescribeAccountLimits(input: DescribeAccountLimitsInput): Promise<DescribeAccountLimitsOutput> {
      const page = pageOfList(limits, input.Marker, checkPageSize(input.PageSize));
      return { Limits: page.items.map(([Name, Max]) => ({ Name, Max: String(Max) })), ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}) };
    },

    async DescribeSSLPolicies(input: DescribeSSLPoliciesInput): Promise<DescribeSSLPoliciesOutput> {
      const pageSize = checkPageSize(input.PageSize);
      const type = input.LoadBalancerType;
      if (type !== undefined && !['application', 'network', 'gateway'].includes(type)) {
        throw validationError(`1 validation error detected: Value '${type}' at 'loadBalancerType' failed to satisfy constraint: Member must satisfy enum value set: [application, network, gateway]`, { field: 'LoadBalancerType' });
      }
      const names = input.Names ?? [];
      const unknown = names.filter((name) => !sslPolicies.some((policy) => policy.name === name));
      if (unknown.length > 0) {
        throw withHelp(modelled(SSLPolicyNotFoundException, `One or more SSL policies not found`), {
          resource: unknown.join(', '),
          hint: `Berth serves these SSL policies: ${sslPolicies.map((policy) => policy.name).join(', ')}.`,
        });
      }
      // Gateway load balancers have no TLS listeners.
      const chosen = type === 'gateway' ? [] : sslPolicies.filter((policy) => names.length === 0 || names.includes(policy.name));
      const page = pageOfList(chosen, input.Marker, pageSize);
      return {
        SslPolicies: page.items.map((policy) => ({
          Name: policy.name,
          SslProtocols: policy.protocols,
          Ciphers: listedCiphers(policy),
          SupportedLoadBalancerTypes: ['application', 'network'],
        })),
        ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
      };
    },
  };
}
