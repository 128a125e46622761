/**
 * The agent channel's route: `GET /_berth/agent` upgraded to a WebSocket. The request must be
 * SigV4-presigned for the `ecs` service; its query names the container instance (with its cluster)
 * or, for Fargate capacity hosts, the host. Everything is checked before the upgrade, so a refused
 * agent gets an ordinary HTTP error in the AWS JSON error shape.
 */
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { agentChannelPath } from '../../agent-channel-protocol/messages.js';
import { accessDenied, type Authorizer } from '../../core/authorize.js';
import { ApiError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import type { RegionSet } from '../../core/regions.js';
import { authenticate } from '../../edge/authenticate.js';
import { releaseFromClientBound } from '../../edge/connection-limits.js';
import { jsonError } from '../../edge/protocols/aws-json.js';
import type { Store } from '../../store/types.js';
import { fargateHostKey } from '../../store/types.js';
import { activeCluster } from '../clusters.js';
import { resolveChildArn } from '../names.js';
import type { AgentHub, AgentIdentity } from './hub.js';

export interface ChannelDeps {
  store: Store;
  clock: Clock;
  hub: AgentHub;
  /** The installation's account: only its root credentials may offer FARGATE capacity. */
  accountId: string;
  /** The regions a credential scope may name. */
  regions: RegionSet;
  /** Decides whether the agent's principal may use the channel (ecs:Poll at connect); every agent may without it. */
  authorize?: Authorizer;
}

const hostIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const zonePattern = /^[a-z0-9-]{1,64}$/;

async function identify(request: FastifyRequest, deps: ChannelDeps): Promise<AgentIdentity> {
  const auth = await authenticate(request, deps, deps.clock.now());
  if (auth.service !== 'ecs') throw new ApiError('InvalidSignatureException', "Credential should be scoped to correct service: 'ecs'.");
  const query = new URL(request.url, 'http://berth.invalid').searchParams;
  const fargateHost = query.get('fargateHost');
  if (fargateHost !== null) {
    if (!auth.principal.isRoot || auth.principal.accountId !== deps.accountId) {
      throw new ApiError('AccessDeniedException', 'Only the root credentials of the Berth installation may offer FARGATE capacity.', 403);
    }
    if (!hostIdPattern.test(fargateHost)) throw new ApiError('InvalidParameterException', 'fargateHost must be 1–100 letters, digits, dots, dashes or underscores.');
    const cpu = Number(query.get('fargateCpu'));
    const memory = Number(query.get('fargateMemory'));
    if (!Number.isInteger(cpu) || cpu <= 0 || !Number.isInteger(memory) || memory <= 0) {
      throw new ApiError('InvalidParameterException', 'fargateCpu and fargateMemory must be positive whole numbers (CPU units and MiB).');
    }
    const availabilityZone = query.get('fargateAvailabilityZone') ?? undefined;
    if (availabilityZone !== undefined && !zonePattern.test(availabilityZone)) {
      throw new ApiError('InvalidParameterException', `fargateAvailabilityZone must look like us-east-1a, got '${availabilityZone}'.`);
    }
    return { key: fargateHostKey(fargateHost), fargate: { hostId: fargateHost, cpu, memory, ...(availabilityZone ? { availabilityZone } : {}) } };
  }
  const given = query.get('containerInstance');
  if (!given) throw new ApiError('InvalidParameterException', 'containerInstance is required: the ARN RegisterContainerInstance returned.');
  const instance = await deps.store.read(async (tx) => {
    const cluster = await activeCluster(tx, auth.scope, query.get('cluster') ?? undefined);
    const arn = resolveChildArn(auth.scope, cluster.clusterArn, given, 'container-instance');
    return arn === undefined ? undefined : tx.containerInstances.get(arn);
  });
  if (!instance || instance.status === 'INACTIVE') {
    throw new ApiError('InvalidParameterException', `containerInstance '${given}' is not a registered container instance of this cluster; register it again.`);
  }
  // The channel is ECS's Poll: the agent's principal needs ecs:Poll on its container instance (AmazonEC2ContainerServiceforEC2Role grants it).
  if (deps.authorize) {
    const context = { region: auth.scope.region, rootOnly: false, keys: { 'ecs:cluster': instance.clusterArn }, sourceIp: (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '') };
    const decision = await deps.authorize(auth.principal, 'ecs:Poll', instance.containerInstanceArn, context);
    if (!decision.allowed) throw accessDenied(auth.principal, 'ecs:Poll', instance.containerInstanceArn, decision);
  }
  return { key: instance.containerInstanceArn, containerInstanceArn: instance.containerInstanceArn, clusterArn: instance.clusterArn, principal: auth.principal };
}

export async function agentChannelRoutes(app: FastifyInstance, deps: ChannelDeps): Promise<void> {
  await app.register(websocket, { options: { maxPayload: 16 * 1024 * 1024 } });
  const identities = new WeakMap<FastifyRequest, AgentIdentity>();
  app.get(
    agentChannelPath,
    {
      websocket: true,
      preValidation: async (request: FastifyRequest, reply: FastifyReply) => {
        try {
          identities.set(request, await identify(request, deps));
        } catch (error) {
          const response = jsonError({ jsonVersion: '1.1' }, error);
          return reply.code(response.statusCode).header('content-type', response.contentType).send(Buffer.from(response.body));
        }
      },
    },
    (socket, request) => {
      // TCP keepalive lets the kernel notice, between pings, a peer that is gone for good.
      request.raw.socket.setKeepAlive(true, deps.hub.pingMs);
      const identity = identities.get(request);
      if (!identity) {
        socket.close(1011, 'unidentified agent');
        return;
      }
      // A verified agent's channel lives as long as the agent: it does not use up its address's bound.
      releaseFromClientBound(request.raw.socket);
      void deps.hub.attach(socket, identity);
    },
  );
}
