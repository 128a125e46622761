/**
 * Container instances: RegisterContainerInstance, DeregisterContainerInstance,
 * DescribeContainerInstances, ListContainerInstances, UpdateContainerInstancesState.
 *
 * remainingResources is kept in the record and moved by task placement and task stop (see tasks);
 * running/pending task counts are derived at read time.
 */
import {
  ContainerInstanceField,
  ContainerInstanceStatus,
  type Attribute,
  type ContainerInstance,
  type DeregisterContainerInstanceRequest,
  type DeregisterContainerInstanceResponse,
  type DescribeContainerInstancesRequest,
  type DescribeContainerInstancesResponse,
  type ListContainerInstancesRequest,
  type ListContainerInstancesResponse,
  type RegisterContainerInstanceRequest,
  type RegisterContainerInstanceResponse,
  type UpdateContainerInstancesStateRequest,
  type UpdateContainerInstancesStateResponse,
} from '@aws-sdk/client-ecs';
import { withHelp } from '../core/errors.js';
import type { Scope } from '../core/principal.js';
import type { Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import { withVersionOf, type ClusterRecord, type ContainerInstanceRecord, type StoreTx } from '../store/types.js';
import { checkAttributeName, checkAttributeValue } from './attributes.js';
import { activeCluster } from './clusters.js';
import type { EcsDeps } from './deps.js';
import { filterInstances } from './instance-filter.js';
import { ecsArn, resolveChildArn } from './names.js';
import { nextTokenOf, pageRequest } from './pagination.js';
import { resourcesOf, totalsOf } from './resources.js';
import { checkTags } from './tags.js';
import { checkEnum, checkMaxItems, clientError, invalidParameter, requireList, requireString } from './validate.js';

interface IdentityDocument {
  instanceId?: string;
  availabilityZone?: string;
  instanceType?: string;
  architecture?: string;
  /** The AMI the instance was launched from; a host that is not an EC2 instance has none. */
  imageId?: string;
}

/** A container instance the cluster does not have: Berth's message names it; the help says where to look. */
function instanceNotFound(field: string, given: string, cluster: ClusterRecord, message: string): Error {
  return withHelp(invalidParameter(message), {
    field,
    resource: given,
    hint:
      `A container instance belongs to one cluster, and a deregistered one does not come back (its agent registers anew). ` +
      `List the instances of '${cluster.clusterName}': aws ecs list-container-instances --cluster ${cluster.clusterName}`,
  });
}

function parseIdentityDocument(text: string | undefined): IdentityDocument {
  if (text === undefined || text === '') return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as IdentityDocument;
  } catch {
    // answered below
  }
  throw invalidParameter('instanceIdentityDocument must be a JSON object such as the EC2 instance identity document.');
}

function checkTotalResources(input: Wire<RegisterContainerInstanceRequest>): void {
  (input.totalResources ?? []).forEach((resource, index) => {
    const field = `totalResources[${index}]`;
    if (!resource.name) throw invalidParameter(`${field}.name can not be blank.`);
    if (['CPU', 'MEMORY'].includes(resource.name) && (!Number.isInteger(resource.integerValue) || (resource.integerValue ?? -1) < 0)) {
      throw invalidParameter(`${field}.integerValue must be a whole number of ${resource.name === 'CPU' ? 'CPU units' : 'MiB'} of at least 0.`);
    }
    if (['PORTS', 'PORTS_UDP'].includes(resource.name)) {
      for (const port of resource.stringSetValue ?? []) {
        const value = Number(port);
        if (!Number.isInteger(value) || value < 0 || value > 65535) throw invalidParameter(`${field}.stringSetValue has '${port}', which is not a port.`);
      }
    }
  });
}

/**
 * An instance is registered with what it can run: the ECS agent always reports its CPU and MEMORY.
 * A request without them (an empty body, say) would otherwise make an instance that no task fits.
 */
function requireCapacity(input: Wire<RegisterContainerInstanceRequest>): void {
  for (const name of ['CPU', 'MEMORY']) {
    if (!(input.totalResources ?? []).some((resource) => resource.name === name)) {
      throw withHelp(invalidParameter(`totalResources must include ${name}.`), {
        field: 'totalResources',
        hint: 'Register through the ECS agent (berth agent), which reports the machine\'s CPU, MEMORY, PORTS and PORTS_UDP.',
      });
    }
  }
}

/** The agent reports ECS's own attributes (ecs.*, com.amazonaws.ecs.capability.*) at registration, so reserved names are allowed here. */
function checkAttributes(attributes: Wire<Attribute>[] | undefined): { name: string; value?: string }[] {
  return (attributes ?? []).map((attribute, index) => {
    const name = checkAttributeName(attribute.name, `attributes[${index}].name`);
    const value = checkAttributeValue(attribute.value, `attributes[${index}].value`);
    return value === undefined ? { name } : { name, value };
  });
}

function mergeAttributes(base: { name: string; value?: string }[], added: { name: string; value?: string }[]) {
  const byName = new Map(base.map((attribute) => [attribute.name, attribute]));
  for (const attribute of added) byName.set(attribute.name, attribute);
  return [...byName.values()];
}

export async function presentInstance(tx: StoreTx, record: ContainerInstanceRecord, withTags: boolean): Promise<Wire<ContainerInstance>> {
  const counts = await tx.tasks.instanceCounts(record.containerInstanceArn);
  const { clusterArn: _cluster, agentDisconnectedAt: _disconnectedAt, tags, ...rest } = record;
  return { ...rest, runningTasksCount: counts.running, pendingTasksCount: counts.pending, ...(withTags ? { tags } : {}) };
}

async function findInstance(tx: StoreTx, scope: Scope, cluster: ClusterRecord, given: string): Promise<ContainerInstanceRecord | undefined> {
  const arn = resolveChildArn(scope, cluster.clusterArn, given, 'container-instance');
  return arn === undefined ? undefined : tx.containerInstances.get(arn);
}

export function containerInstanceOperations(deps: EcsDeps) {
  const { store, ids } = deps;
  return {
    async RegisterContainerInstance(input: Wire<RegisterContainerInstanceRequest>, ctx: RequestContext): Promise<Wire<RegisterContainerInstanceResponse>> {
      const identity = parseIdentityDocument(input.instanceIdentityDocument);
      checkTotalResources(input);
      const attributes = checkAttributes(input.attributes);
      const tags = checkTags(input.tags);
      requireCapacity(input);
      const totals = totalsOf(input.totalResources);
      return store.write(async (tx) => {
        const cluster = await activeCluster(tx, ctx.scope, input.cluster);
        const existing = input.containerInstanceArn
          ? await findInstance(tx, ctx.scope, cluster, input.containerInstanceArn)
          : identity.instanceId
            ? (await tx.containerInstances.all(cluster.clusterArn)).find(
                (instance) => instance.ec2InstanceId === identity.instanceId && instance.status !== 'INACTIVE',
              )
            : undefined;
        if (input.containerInstanceArn && !existing) {
          throw instanceNotFound('containerInstanceArn', input.containerInstanceArn, cluster, `containerInstanceArn '${input.containerInstanceArn}' is not a container instance of this cluster.`);
        }
        const arn = existing?.containerInstanceArn ?? ecsArn(ctx.scope, `container-instance/${cluster.clusterName}/${ids.hex32()}`);
        const ec2InstanceId = identity.instanceId ?? existing?.ec2InstanceId ?? `i-${ids.hex32().slice(0, 17)}`;
        const defaults = [
          { name: 'ecs.os-type', value: 'linux' },
          ...(identity.availabilityZone ? [{ name: 'ecs.availability-zone', value: identity.availabilityZone }] : []),
          ...(identity.instanceType ? [{ name: 'ecs.instance-type', value: identity.instanceType }] : []),
          // ECS takes ecs.ami-id from the identity document; Berth's own agent runs on hosts with no AMI and leaves it out.
          ...(typeof identity.imageId === 'string' && identity.imageId !== '' ? [{ name: 'ecs.ami-id', value: identity.imageId }] : []),
          ...(identity.architecture ? [{ name: 'ecs.cpu-architecture', value: identity.architecture === 'arm64' ? 'arm64' : 'x86_64' }] : []),
        ];
        // A re-registration updates the instance read above: the write compares its version.
        const record: ContainerInstanceRecord = withVersionOf({
          containerInstanceArn: arn,
          clusterArn: cluster.clusterArn,
          ec2InstanceId,
          version: (existing?.version ?? 0) + 1,
          versionInfo: input.versionInfo ?? existing?.versionInfo ?? {},
          registeredResources: resourcesOf(totals),
          // A re-registration keeps what running tasks hold: remaining = new totals less their reservations.
          remainingResources: resourcesOf(
            existing ? reduceByHeld(totals, totalsOf(existing.registeredResources), totalsOf(existing.remainingResources)) : totals,
          ),
          status: 'ACTIVE',
          // The registering agent connects next; the agent hub turns this false if it does not (ecs/agent-channel/hub.ts).
          agentConnected: true,
          attributes: mergeAttributes(mergeAttributes(existing?.attributes as { name: string; value?: string }[] ?? [], defaults), attributes),
          registeredAt: existing?.registeredAt ?? ctx.now.getTime() / 1000,
          attachments: [],
          tags: tags.length > 0 ? tags : (existing?.tags ?? []),
        }, existing);
        await tx.containerInstances.put(record);
        return { containerInstance: await presentInstance(tx, record, true) };
      });
    },

    async DeregisterContainerInstance(input: Wire<DeregisterContainerInstanceRequest>, ctx: RequestContext): Promise<Wire<DeregisterContainerInstanceResponse>> {
      const given = requireString(input.containerInstance, 'containerInstance');
      return store.write(async (tx) => {
        const cluster = await activeCluster(tx, ctx.scope, input.cluster);
        const record = await findInstance(tx, ctx.scope, cluster, given);
        if (!record || record.status === 'INACTIVE') {
          throw instanceNotFound('containerInstance', given, cluster, `containerInstance '${given}' is not a registered container instance of this cluster.`);
        }
        const counts = await tx.tasks.instanceCounts(record.containerInstanceArn);
        if (counts.running + counts.pending > 0 && !input.force) {
          throw invalidParameter(
            `The container instance has ${counts.running + counts.pending} active tasks. Stop them first, or pass force to deregister it anyway (its tasks are then orphaned, as in ECS).`,
          );
        }
        const updated: ContainerInstanceRecord = { ...record, status: 'INACTIVE', agentConnected: false, version: (record.version ?? 0) + 1 };
        await tx.containerInstances.put(updated);
        return { containerInstance: await presentInstance(tx, updated, true) };
      });
    },

    async DescribeContainerInstances(input: Wire<DescribeContainerInstancesRequest>, ctx: RequestContext): Promise<Wire<DescribeContainerInstancesResponse>> {
      const wanted = requireList(input.containerInstances, 'containerInstances');
      // ECS answers this one as a ClientException (DescribeTasks' empty list is an InvalidParameterException).
      if (wanted.length === 0) throw withHelp(clientError('Container Instances cannot be empty.'), { field: 'containerInstances' });
      checkMaxItems(wanted, 'containerInstances', 100);
      const include = (input.include ?? []).map((field, index) => checkEnum(field, `include[${index}]`, ContainerInstanceField));
      return store.read(async (tx) => {
        const cluster = await activeCluster(tx, ctx.scope, input.cluster);
        const containerInstances: Wire<ContainerInstance>[] = [];
        const failures: { arn: string; reason: string }[] = [];
        for (const given of wanted) {
          const record = await findInstance(tx, ctx.scope, cluster, given);
          if (record) containerInstances.push(await presentInstance(tx, record, include.includes('TAGS')));
          else failures.push({ arn: resolveChildArn(ctx.scope, cluster.clusterArn, given, 'container-instance') ?? given, reason: 'MISSING' });
        }
        return { containerInstances, failures };
      });
    },

    async ListContainerInstances(input: Wire<ListContainerInstancesRequest>, ctx: RequestContext): Promise<Wire<ListContainerInstancesResponse>> {
      const status = checkEnum(input.status, 'status', ContainerInstanceStatus);
      const page = pageRequest(input);
      return store.read(async (tx) => {
        const cluster = await activeCluster(tx, ctx.scope, input.cluster);
        if (input.filter !== undefined && input.filter !== '') {
          // The query language needs every instance and its task groups; page over the matches.
          const instances = (await tx.containerInstances.all(cluster.clusterArn)).filter((instance) =>
            status ? instance.status === status : instance.status !== 'INACTIVE',
          );
          const groups = await tx.tasks.activeGroups(cluster.clusterArn);
          const matching = filterInstances(input.filter, instances, groups);
          const start = page.after === undefined ? 0 : Math.max(0, matching.findIndex((i) => i.containerInstanceArn === page.after) + 1);
          const slice = matching.slice(start, start + page.limit);
          const more = start + page.limit < matching.length;
          return {
            containerInstanceArns: slice.map((instance) => instance.containerInstanceArn),
            ...nextTokenOf({ items: slice, ...(more ? { next: slice[slice.length - 1]?.containerInstanceArn } : {}) }),
          };
        }
        const result = await tx.containerInstances.list(cluster.clusterArn, page, status);
        const items = status ? result.items : result.items.filter((instance) => instance.status !== 'INACTIVE');
        return { containerInstanceArns: items.map((instance) => instance.containerInstanceArn), ...nextTokenOf(result) };
      });
    },

    async UpdateContainerInstancesState(
      input: Wire<UpdateContainerInstancesStateRequest>,
      ctx: RequestContext,
    ): Promise<Wire<UpdateContainerInstancesStateResponse>> {
      const wanted = requireList(input.containerInstances, 'containerInstances');
      checkMaxItems(wanted, 'containerInstances', 10);
      const status = checkEnum(requireString(input.status, 'status'), 'status', ContainerInstanceStatus);
      if (status !== 'ACTIVE' && status !== 'DRAINING') throw invalidParameter(`status must be ACTIVE or DRAINING; got '${status}'.`);
      return store.write(async (tx) => {
        const cluster = await activeCluster(tx, ctx.scope, input.cluster);
        const containerInstances: Wire<ContainerInstance>[] = [];
        const failures: { arn: string; reason: string }[] = [];
        for (const given of wanted) {
          const record = await findInstance(tx, ctx.scope, cluster, given);
          if (!record || record.status === 'INACTIVE') {
            failures.push({ arn: resolveChildArn(ctx.scope, cluster.clusterArn, given, 'container-instance') ?? given, reason: 'MISSING' });
            continue;
          }
          const updated = record.status === status ? record : { ...record, status, version: (record.version ?? 0) + 1 };
          if (updated !== record) await tx.containerInstances.put(updated);
          containerInstances.push(await presentInstance(tx, updated, false));
        }
        return { containerInstances, failures };
      });
    },
  };
}

/** New totals less what tasks hold now (old totals minus old remaining). */
function reduceByHeld(totals: ReturnType<typeof totalsOf>, oldTotals: ReturnType<typeof totalsOf>, oldRemaining: ReturnType<typeof totalsOf>) {
  const heldTcp = oldRemaining.tcpPorts.filter((port) => !oldTotals.tcpPorts.includes(port));
  const heldUdp = oldRemaining.udpPorts.filter((port) => !oldTotals.udpPorts.includes(port));
  const heldGpus = oldTotals.gpuIds.filter((id) => !oldRemaining.gpuIds.includes(id));
  return {
    cpu: totals.cpu - (oldTotals.cpu - oldRemaining.cpu),
    memory: totals.memory - (oldTotals.memory - oldRemaining.memory),
    tcpPorts: [...totals.tcpPorts, ...heldTcp],
    udpPorts: [...totals.udpPorts, ...heldUdp],
    gpuIds: totals.gpuIds.filter((id) => !heldGpus.includes(id)),
  };
}
