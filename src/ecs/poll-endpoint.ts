/**
 * DiscoverPollEndpoint: where an agent opens its channel. The ECS agent asks it first, with its
 * cluster and container instance, and connects to `endpoint` (acs) and `telemetryEndpoint` (tcs).
 * In Berth both are the agent channel (agent-channel-protocol/messages.ts, agentChannelPath), served by
 * the control plane itself, so both are the control plane's own URL. Service Connect is not
 * served, so there is no serviceConnectEndpoint.
 */
import type { DiscoverPollEndpointRequest, DiscoverPollEndpointResponse } from '@aws-sdk/client-ecs';
import { withHelp } from '../core/errors.js';
import type { Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import { activeCluster } from './clusters.js';
import type { EcsDeps } from './deps.js';
import { resolveChildArn } from './names.js';
import { checkLength, invalidParameter } from './validate.js';

export function pollEndpointOperations(deps: EcsDeps) {
  return {
    async DiscoverPollEndpoint(input: Wire<DiscoverPollEndpointRequest>, ctx: RequestContext): Promise<Wire<DiscoverPollEndpointResponse>> {
      checkLength(input.containerInstance, 'containerInstance', 1, 1600);
      await deps.store.read(async (tx) => {
        const cluster = await activeCluster(tx, ctx.scope, input.cluster);
        if (input.containerInstance === undefined) return;
        const arn = resolveChildArn(ctx.scope, cluster.clusterArn, input.containerInstance, 'container-instance');
        const instance = arn === undefined ? undefined : await tx.containerInstances.get(arn);
        if (!instance || instance.status === 'INACTIVE') {
          throw withHelp(invalidParameter(`containerInstance '${input.containerInstance}' is not a registered container instance of this cluster.`), {
            field: 'containerInstance',
            resource: input.containerInstance,
            hint: `Register the instance first (its agent does, with RegisterContainerInstance); list them: aws ecs list-container-instances --cluster ${cluster.clusterName}`,
          });
        }
      });
      const endpoint = `${deps.controlPlaneUrl?.() ?? 'http://127.0.0.1'}/`;
      return { endpoint, telemetryEndpoint: endpoint };
    },
  };
}
