/**
 * Services: CreateService, UpdateService, DeleteService, DescribeServices, ListServices.
 *
 * Handlers record desired state (what to run, how many, how to roll out); the service controller,
 * which watches the store, launches and stops the tasks. DeleteService only marks the service DRAINING with
 * nothing desired; the scheduler stops its tasks and then marks it INACTIVE.
 */
import {
  LaunchType,
  ResourceManagementType,
  SchedulingStrategy,
  ServiceField,
  type CreateServiceRequest,
  type CreateServiceResponse,
  type DeleteServiceRequest,
  type DeleteServiceResponse,
  type DescribeServicesRequest,
  type DescribeServicesResponse,
  type Failure,
  type ListServicesRequest,
  type ListServicesResponse,
  type Service,
  type UpdateServiceRequest,
  type UpdateServiceResponse,
} from '@aws-sdk/client-ecs';
import { epochSeconds, type Wire } from '../../core/wire.js';
import type { RequestContext } from '../../core/request-context.js';
import { serviceDeploymentStatusIsLive } from './deployments.js';
import type { ServiceRecord, StoreTx } from '../../store/types.js';
import { activeCluster } from '../clusters.js';
import type { EcsDeps } from '../deps.js';
import { nextTokenOf, pageRequest } from '../pagination.js';
import { checkEnum, checkMaxItems, invalidParameter, requireList, requireString } from '../validate.js';
import { createService } from './create.js';
import { existingService, findService, resolveServiceArn } from './lookup.js';
import { describeService } from './present.js';
import { updateService } from './update.js';

/** A live service deployment of a deleted service will not finish: it is stopped with the service. */
async function stopCurrentServiceDeployment(tx: StoreTx, service: ServiceRecord, now: number): Promise<void> {
  if (!service.currentServiceDeployment) return;
  const record = await tx.serviceDeployments.get(service.currentServiceDeployment);
  if (!record || !serviceDeploymentStatusIsLive(record.status)) return;
  await tx.serviceDeployments.put({
    ...record,
    status: 'STOPPED',
    statusReason: 'Service deployment stopped because the service was deleted.',
    stoppedAt: now,
    updatedAt: now,
  });
}

export function serviceOperations(deps: EcsDeps) {
  const { store } = deps;
  return {
    CreateService: (input: Wire<CreateServiceRequest>, ctx: RequestContext): Promise<Wire<CreateServiceResponse>> => createService(deps, input, ctx),

    UpdateService: (input: Wire<UpdateServiceRequest>, ctx: RequestContext): Promise<Wire<UpdateServiceResponse>> => updateService(deps, input, ctx),

    async DeleteService(input: Wire<DeleteServiceRequest>, ctx: RequestContext): Promise<Wire<DeleteServiceResponse>> {
      const given = requireString(input.service, 'service');
      const now = epochSeconds(ctx.now);
      const service = await store.write(async (tx) => {
        const cluster = await activeCluster(tx, ctx.scope, input.cluster);
        const service = await existingService(tx, ctx.scope, cluster.clusterArn, given);
        // ECS answers a repeated delete with the service as it is, DRAINING or INACTIVE.
        if (service.status !== 'ACTIVE') return describeService(tx, service, false);
        if (service.schedulingStrategy === 'REPLICA' && service.desiredCount > 0 && !input.force) {
          throw invalidParameter('The service cannot be stopped while it is scaled above 0.');
        }
        const draining: ServiceRecord = {
          ...service,
          status: 'DRAINING',
          desiredCount: 0,
          deployments: service.deployments.map((deployment) => ({ ...deployment, desiredCount: 0, updatedAt: now })),
          version: service.version + 1,
        };
        await stopCurrentServiceDeployment(tx, service, now);
        await tx.services.put(draining);
        return describeService(tx, draining, false);
      });
      return { service };
    },

    async DescribeServices(input: Wire<DescribeServicesRequest>, ctx: RequestContext): Promise<Wire<DescribeServicesResponse>> {
      const wanted = requireList(input.services, 'services');
      if (wanted.length < 1) throw invalidParameter('services must name at least one service.');
      checkMaxItems(wanted, 'services', 10);
      const include = (input.include ?? []).map((field, index) => checkEnum(field, `include[${index}]`, ServiceField));
      return store.read(async (tx) => {
        const cluster = await activeCluster(tx, ctx.scope, input.cluster);
        const services: Wire<Service>[] = [];
        const failures: Wire<Failure>[] = [];
        for (const given of wanted) {
          const service = await findService(tx, ctx.scope, cluster.clusterArn, given);
          if (service) services.push(await describeService(tx, service, include.includes('TAGS')));
          else failures.push({ arn: resolveServiceArn(ctx.scope, cluster.clusterArn, given) ?? given, reason: 'MISSING' });
        }
        return { services, failures };
      });
    },

    async ListServices(input: Wire<ListServicesRequest>, ctx: RequestContext): Promise<Wire<ListServicesResponse>> {
      const launchType = checkEnum(input.launchType, 'launchType', LaunchType);
      const schedulingStrategy = checkEnum(input.schedulingStrategy, 'schedulingStrategy', SchedulingStrategy);
      const management = checkEnum(input.resourceManagementType, 'resourceManagementType', ResourceManagementType);
      const page = pageRequest(input, 10);
      return store.read(async (tx) => {
        const cluster = await activeCluster(tx, ctx.scope, input.cluster);
        // Every Berth service is customer-managed; none is managed by ECS.
        if (management === 'ECS') return { serviceArns: [] };
        const result = await tx.services.list(
          {
            clusterArn: cluster.clusterArn,
            ...(launchType !== undefined ? { launchType } : {}),
            ...(schedulingStrategy !== undefined ? { schedulingStrategy } : {}),
          },
          page,
        );
        // A DRAINING service is already gone from ListServices in ECS, though DescribeServices still shows it.
        const listed = result.items.filter((service) => service.status === 'ACTIVE');
        return { serviceArns: listed.map((service) => service.serviceArn), ...nextTokenOf(result) };
      });
    },
  };
}
