/**
 * A service's history: ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions,
 * and StopServiceDeployment, which rolls an ongoing service deployment back to the service's last
 * completed revision (the only stop type ECS offers for rolling updates).
 *
 * Service deployment states: PENDING → IN_PROGRESS → SUCCESSFUL, or → STOPPED when a newer one
 * supersedes it, or → ROLLBACK_IN_PROGRESS → ROLLBACK_SUCCESSFUL | ROLLBACK_FAILED when the circuit
 * breaker or StopServiceDeployment rolls it back. Only PENDING and IN_PROGRESS ones can be stopped;
 * one already stopping or rolling back just carries on.
 */
import {
  ConflictException,
  ServiceDeploymentNotFoundException,
  ServiceDeploymentStatus,
  StopServiceDeploymentStopType,
  type DescribeServiceDeploymentsRequest,
  type DescribeServiceDeploymentsResponse,
  type DescribeServiceRevisionsRequest,
  type DescribeServiceRevisionsResponse,
  type Failure,
  type ListServiceDeploymentsRequest,
  type ListServiceDeploymentsResponse,
  type ServiceDeployment,
  type ServiceRevision,
  type StopServiceDeploymentRequest,
  type StopServiceDeploymentResponse,
} from '@aws-sdk/client-ecs';
import { Arn } from '../../core/arn.js';
import { modelled } from '../../core/errors.js';
import type { Scope } from '../../core/principal.js';
import { epochSeconds, type Wire } from '../../core/wire.js';
import type { RequestContext } from '../../core/request-context.js';
import { rollBack, serviceDeploymentStatusIsLive } from './deployments.js';
import type { ServiceDeploymentRecord, ServiceRecord, StoreTx } from '../../store/types.js';
import { activeCluster } from '../clusters.js';
import type { EcsDeps } from '../deps.js';
import { ownEcsArn } from '../names.js';
import { nextTokenOf, pageRequest } from '../pagination.js';
import { checkEnum, checkMaxItems, invalidParameter, requireList, requireString } from '../validate.js';
import { existingService } from './lookup.js';
import { briefOf, countsOf, presentServiceDeployment, type DeploymentCounts } from './present.js';

const conflict = (message: string) => modelled(ConflictException, message);

/** Service deployment and revision ARNs are `<type>/<cluster>/<service>/<id>`. */
function checkChildArns(given: string[] | undefined, field: string): string[] {
  const list = requireList(given, field);
  if (list.length < 1) throw invalidParameter(`${field} must name at least one ARN.`);
  checkMaxItems(list, field, 20);
  list.forEach((text, index) => {
    if (!Arn.parse(text)) throw invalidParameter(`${field}[${index}] '${text}' is not an ARN.`);
  });
  return list;
}

const ownChild = (scope: Scope, text: string, type: 'service-deployment' | 'service-revision') => {
  const arn = ownEcsArn(scope, text, type);
  return arn !== undefined && arn.resourcePath.length === 3;
};

function epochOf(value: number | string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const seconds = typeof value === 'number' ? value : Number.isFinite(Number(value)) ? Number(value) : Date.parse(value) / 1000;
  if (!Number.isFinite(seconds)) throw invalidParameter(`${field} is not a timestamp.`);
  return seconds;
}

/** Whether a stop request leaves the service deployment to carry on as it is. */
const alreadyStopping = (status: string) => ['STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'].includes(status);

export function serviceDeploymentOperations(deps: EcsDeps) {
  const { store } = deps;
  return {
    async ListServiceDeployments(input: Wire<ListServiceDeploymentsRequest>, ctx: RequestContext): Promise<Wire<ListServiceDeploymentsResponse>> {
      const given = requireString(input.service, 'service');
      const statuses = (input.status ?? []).map((status, index) => checkEnum(status, `status[${index}]`, ServiceDeploymentStatus) as string);
      const createdAfter = epochOf(input.createdAt?.after as number | string | undefined, 'createdAt.after');
      const createdBefore = epochOf(input.createdAt?.before as number | string | undefined, 'createdAt.before');
      const page = pageRequest(input, 20, 100);
      return store.read(async (tx) => {
        const cluster = await activeCluster(tx, ctx.scope, input.cluster);
        const service = await existingService(tx, ctx.scope, cluster.clusterArn, given);
        // A service re-created under an INACTIVE one's name has the same ARN; the earlier one's history is not its own.
        const after = Math.max(createdAfter ?? 0, service.createdAt);
        const result = await tx.serviceDeployments.list(
          {
            serviceArn: service.serviceArn,
            ...(statuses.length > 0 ? { statuses } : {}),
            createdAfter: after,
            ...(createdBefore !== undefined ? { createdBefore } : {}),
          },
          page,
        );
        return { serviceDeployments: result.items.map(briefOf), ...nextTokenOf(result) };
      });
    },

    async DescribeServiceDeployments(
      input: Wire<DescribeServiceDeploymentsRequest>,
      ctx: RequestContext,
    ): Promise<Wire<DescribeServiceDeploymentsResponse>> {
      const arns = checkChildArns(input.serviceDeploymentArns, 'serviceDeploymentArns');
      return store.read(async (tx) => {
        const live = new Map<string, { service: ServiceRecord; counts: DeploymentCounts } | undefined>();
        const liveOf = async (record: ServiceDeploymentRecord) => {
          if (!live.has(record.serviceArn)) {
            const service = await tx.services.get(record.serviceArn);
            live.set(record.serviceArn, service && { service, counts: await countsOf(tx, service) });
          }
          return live.get(record.serviceArn);
        };
        const serviceDeployments: Wire<ServiceDeployment>[] = [];
        const failures: Wire<Failure>[] = [];
        for (const arn of arns) {
          const record = ownChild(ctx.scope, arn, 'service-deployment') ? await tx.serviceDeployments.get(arn) : undefined;
          if (record) serviceDeployments.push(presentServiceDeployment(record, await liveOf(record)));
          else failures.push({ arn, reason: 'MISSING' });
        }
        return { serviceDeployments, failures };
      });
    },

    async DescribeServiceRevisions(input: Wire<DescribeServiceRevisionsRequest>, ctx: RequestContext): Promise<Wire<DescribeServiceRevisionsResponse>> {
      const arns = checkChildArns(input.serviceRevisionArns, 'serviceRevisionArns');
      return store.read(async (tx) => {
        const serviceRevisions: Wire<ServiceRevision>[] = [];
        const failures: Wire<Failure>[] = [];
        for (const arn of arns) {
          const record = ownChild(ctx.scope, arn, 'service-revision') ? await tx.serviceRevisions.get(arn) : undefined;
          if (record) serviceRevisions.push(record);
          else failures.push({ arn, reason: 'MISSING' });
        }
        return { serviceRevisions, failures };
      });
    },

    async StopServiceDeployment(input: Wire<StopServiceDeploymentRequest>, ctx: RequestContext): Promise<Wire<StopServiceDeploymentResponse>> {
      const arn = requireString(input.serviceDeploymentArn, 'serviceDeploymentArn');
      if (!Arn.parse(arn)) throw invalidParameter(`serviceDeploymentArn '${arn}' is not an ARN.`);
      const stopType = checkEnum(input.stopType, 'stopType', StopServiceDeploymentStopType) ?? 'ROLLBACK';
      if (stopType === 'ABORT') {
        throw invalidParameter('stopType ABORT is not supported for rolling update (ECS) deployments; use ROLLBACK.');
      }
      const now = epochSeconds(ctx.now);
      await store.write(async (tx) => {
        const record = ownChild(ctx.scope, arn, 'service-deployment') ? await tx.serviceDeployments.get(arn) : undefined;
        if (!record) throw modelled(ServiceDeploymentNotFoundException, `The service deployment '${arn}' does not exist.`);
        if (alreadyStopping(record.status)) return;
        if (!serviceDeploymentStatusIsLive(record.status)) {
          throw conflict(`The service deployment is ${record.status}; only a PENDING or IN_PROGRESS service deployment can be stopped.`);
        }
        await rollBackRequested(tx, deps, record, now);
      });
      return { serviceDeploymentArn: arn };
    },
  };
}

/** Rolls the service back to the revision of its last completed deployment, as the circuit breaker would. */
async function rollBackRequested(tx: StoreTx, deps: EcsDeps, record: ServiceDeploymentRecord, now: number): Promise<void> {
  const service = await tx.services.get(record.serviceArn);
  if (!service || service.status !== 'ACTIVE') throw conflict('The service of this service deployment is not ACTIVE.');
  if (service.currentServiceDeployment !== record.serviceDeploymentArn) {
    throw conflict('A newer service deployment of the service has superseded this one; stop that one instead.');
  }
  const target = service.lastCompletedRevisionArn ? await tx.serviceRevisions.get(service.lastCompletedRevisionArn) : undefined;
  if (!target || !service.lastCompletedDeploymentId) {
    throw conflict('The service has no completed deployment to roll back to.');
  }
  const started = await rollBack(
    tx,
    service,
    { revision: target, deploymentId: service.lastCompletedDeploymentId },
    'Service deployment rolled back by a StopServiceDeployment request.',
    {
      now,
      ids: deps.ids,
      rolloutStateReason: `Rolling back to deploymentId ${service.lastCompletedDeploymentId}, as requested by StopServiceDeployment.`,
    },
  );
  if (!started) throw conflict(`The task definition of the revision to roll back to (${target.taskDefinition}) no longer exists.`);
}
