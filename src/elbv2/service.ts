/**
 * The Elastic Load Balancing v2 API over the AWS Query protocol, signed as `elasticloadbalancing`,
 * version 2015-12-01. Every operation first checks the members the model requires, then its own
 * input, then looks resources up, as AWS does.
 */
import * as elbModel from '@aws-sdk/client-elastic-load-balancing-v2';
import { defineQueryService, type QueryService } from '../edge/protocols/aws-query.js';
import { accountOperations } from './account.js';
import type { Elbv2Deps } from './deps.js';
import { listenerOperations } from './listeners.js';
import { listenerCertificateOperations } from './listener-certificates.js';
import { loadBalancerOperations } from './load-balancers.js';
import { loadBalancerSettingOperations } from './load-balancer-settings.js';
import { ruleOperations } from './rules.js';
import { tagOperations } from './tags.js';
import { targetGroupOperations } from './target-groups.js';
import { targetOperations } from './targets.js';
import { checkingRequired } from '../edge/model-check.js';

export const elbv2Version = '2015-12-01';

export function elbv2Service(deps: Elbv2Deps): QueryService {
  const service = defineQueryService(
    elbModel as Record<string, unknown>,
    {
      id: 'elbv2',
      signingName: 'elasticloadbalancing',
      version: elbv2Version,
      xmlNamespace: `http://elasticloadbalancing.amazonaws.com/doc/${elbv2Version}/`,
    },
    {
      ...loadBalancerOperations(deps),
      ...loadBalancerSettingOperations(deps),
      ...targetGroupOperations(deps),
      ...targetOperations(deps),
      ...listenerOperations(deps),
      ...listenerCertificateOperations(deps),
      ...ruleOperations(deps),
      ...tagOperations(deps),
      ...accountOperations(),
    },
  );
  return checkingRequired(service);
}
