/** DescribeRegistry: the caller's registry. Berth replicates nothing, so its replication configuration has no rules. */
import type { DescribeRegistryRequest, DescribeRegistryResponse } from '@aws-sdk/client-ecr';
import type { Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';

export function registryOperations() {
  return {
    async DescribeRegistry(_input: Wire<DescribeRegistryRequest>, ctx: RequestContext): Promise<Wire<DescribeRegistryResponse>> {
      return { registryId: ctx.scope.accountId, replicationConfiguration: { rules: [] } };
    },
  };
}
