/**
 * DescribeAccountLimits (the quotas Berth enforces, under AWS's names and with AWS's defaults) and
 * DescribeSSLPolicies, which answers that no policy exists while Berth serves no HTTPS listener.
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

const limits: [string, number][] = [
  ['application-load-balancers', loadBalancerQuota],
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
      checkPageSize(input.PageSize);
      const names = input.Names ?? [];
      if (names.length > 0) {
        throw withHelp(modelled(SSLPolicyNotFoundException, `One or more SSL policies not found`), {
          resource: names.join(', '),
          hint: 'Berth serves no HTTPS or TLS listeners yet, so it has no SSL policies.',
        });
      }
      return { SslPolicies: [] };
    },
  };
}
