/**
 * The JSON bodies of the task metadata endpoint v4, built from the agent's view of a task. Field names,
 * casing, order and omissions follow the ECS agent's responses (Go structs with `omitempty`), including
 * where EC2 and FARGATE differ:
 *
 *   Cluster            EC2: the cluster's short name; FARGATE: its ARN.
 *   DockerName         EC2: Docker's container name; FARGATE: the task definition's container name.
 *   Limits.Memory      EC2: always present (0 when unset); FARGATE: only when set.
 *   Ports              absent on FARGATE; awsvpc on EC2 reports each port mapping with HostPort = ContainerPort.
 *   pause container    listed (Type CNI_PAUSE) on EC2 when the view has one; never on FARGATE.
 *   EphemeralStorageMetrics  FARGATE only.
 */
import { awslogsStreamName } from '../../agent-channel-protocol/awslogs.js';
import type { ContainerDefinition, ContainerOverride } from '@aws-sdk/client-ecs';
import { Arn } from '../../core/arn.js';
import type { Wire } from '../../core/wire.js';
import { labels, type ObservedContainer } from '../runtime/types.js';
import type { MetadataContainerView, MetadataTaskView } from './types.js';

export interface V4Port {
  ContainerPort?: number;
  Protocol?: string;
  HostPort?: number;
  HostIp?: string;
}

export interface V4Network {
  NetworkMode?: string;
  IPv4Addresses?: string[];
  AttachmentIndex?: number;
  MACAddress?: string;
  IPv4SubnetCIDRBlock?: string;
  PrivateDNSName?: string;
  SubnetGatewayIpv4Address?: string;
}

export interface V4Container {
  DockerId: string;
  Name: string;
  DockerName: string;
  Image: string;
  ImageID: string;
  Ports?: V4Port[];
  Labels?: Record<string, string>;
  DesiredStatus: string;
  KnownStatus: string;
  ExitCode?: number;
  Limits: { CPU?: number; Memory?: number };
  CreatedAt?: string;
  StartedAt?: string;
  FinishedAt?: string;
  Type: 'NORMAL' | 'CNI_PAUSE';
  Health?: { status: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN' };
  LogDriver?: string;
  LogOptions?: Record<string, string>;
  ContainerARN?: string;
  Networks?: V4Network[];
}

export interface V4Task {
  Cluster: string;
  ServiceName?: string;
  TaskARN: string;
  Family: string;
  Revision: string;
  DesiredStatus: string;
  KnownStatus: string;
  Limits?: { CPU?: number; Memory?: number };
  PullStartedAt?: string;
  PullStoppedAt?: string;
  ExecutionStoppedAt?: string;
  AvailabilityZone?: string;
  LaunchType: string;
  Containers: V4Container[];
  ClockDrift?: { ClockErrorBound: number; ReferenceTimestamp: string; ClockSynchronizationStatus: 'SYNCHRONIZED' | 'NOT_SYNCHRONIZED' };
  EphemeralStorageMetrics?: { Utilized: number; Reserved: number };
}

/** Docker passes fewer than 2 CPU shares as 2, and the ECS agent reports what Docker got. */
const minimumCpuShares = 2;
const defaultEphemeralStorageGiB = 20;

/** Go's RFC 3339 with fractional seconds and trailing zeros dropped, as encoding/json writes time.Time. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.(\d*?)0*Z$/, (_match, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

function isFargate(view: MetadataTaskView): boolean {
  return view.task.launchType === 'FARGATE';
}

function isPause(container: MetadataContainerView): boolean {
  return container.observed?.labels[labels.role] === 'pause';
}

/** The containers ECS lists for the task, in the view's order. */
export function listedContainers(view: MetadataTaskView): MetadataContainerView[] {
  return isFargate(view) ? view.containers.filter((container) => !isPause(container)) : view.containers;
}

function definitionOf(view: MetadataTaskView, name: string): Wire<ContainerDefinition> | undefined {
  return view.task.definition.containerDefinitions?.find((definition) => definition.name === name);
}

function overrideOf(view: MetadataTaskView, name: string): Wire<ContainerOverride> | undefined {
  return view.task.overrides.containerOverrides?.find((override) => override.name === name);
}

function clusterField(view: MetadataTaskView): string {
  if (isFargate(view)) return view.task.clusterArn;
  const arn = Arn.parse(view.task.clusterArn);
  return arn?.resourcePath.join('/') || view.task.clusterArn;
}

function exited(observed: ObservedContainer | undefined): boolean {
  return observed?.state === 'exited' || observed?.state === 'dead';
}

function portsOf(view: MetadataTaskView, definition: Wire<ContainerDefinition> | undefined, observed: ObservedContainer | undefined): V4Port[] {
  if (isFargate(view)) return [];
  if (view.networkMode === 'awsvpc') {
    return (definition?.portMappings ?? [])
      .filter((mapping) => mapping.containerPort !== undefined)
      .map((mapping) => ({ ContainerPort: mapping.containerPort, Protocol: mapping.protocol ?? 'tcp', HostPort: mapping.containerPort }));
  }
  return (observed?.ports ?? []).map((port) => ({
    ContainerPort: port.containerPort,
    Protocol: port.protocol,
    HostPort: port.hostPort,
    ...(port.bindIP ? { HostIp: port.bindIP } : {}),
  }));
}

function prefixLength(cidr: string): string | undefined {
  const slash = cidr.indexOf('/');
  return slash === -1 ? undefined : cidr.slice(slash + 1);
}

function networksOf(view: MetadataTaskView, observed: ObservedContainer | undefined): V4Network[] | undefined {
  if (view.networkMode === 'awsvpc') {
    const eni = view.networkInterface;
    if (!eni) return undefined;
    const prefix = eni.subnetCidr ? prefixLength(eni.subnetCidr) : undefined;
    return [
      {
        NetworkMode: 'awsvpc',
        IPv4Addresses: [eni.privateIPv4Address],
        AttachmentIndex: 0,
        MACAddress: eni.macAddress,
        ...(eni.subnetCidr ? { IPv4SubnetCIDRBlock: eni.subnetCidr } : {}),
        ...(eni.privateDnsName ? { PrivateDNSName: eni.privateDnsName } : {}),
        ...(eni.gateway && prefix ? { SubnetGatewayIpv4Address: `${eni.gateway}/${prefix}` } : {}),
      },
    ];
  }
  if (!observed) return undefined;
  // One entry per Docker network; a container without one of its own (host, none, another's namespace)
  // reports just the mode.
  if (observed.networks.length === 0) return [{ NetworkMode: view.networkMode }];
  return observed.networks.map((network) => ({
    NetworkMode: view.networkMode,
    ...(network.ipAddress ? { IPv4Addresses: [network.ipAddress] } : {}),
  }));
}

function healthOf(definition: Wire<ContainerDefinition> | undefined, observed: ObservedContainer | undefined): V4Container['Health'] {
  if (!definition?.healthCheck) return undefined;
  switch (observed?.health) {
    case 'healthy':
      return { status: 'HEALTHY' };
    case 'unhealthy':
      return { status: 'UNHEALTHY' };
    default:
      return { status: 'UNKNOWN' };
  }
}

function visibleLabels(observed: ObservedContainer | undefined): Record<string, string> | undefined {
  if (!observed) return undefined;
  const entries = Object.entries(observed.labels).filter(([key]) => !key.startsWith('dev.berth.'));
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

/** The body of `GET ${ECS_CONTAINER_METADATA_URI_V4}` for one container, and each entry of the task's Containers. */
/** The definition's log options; for awslogs with the stream the agent writes to (`awslogs-stream`), as ECS's agent adds it. */
function logOptions(log: { logDriver?: string; options?: Record<string, string> }, containerName: string, taskArn: string, dockerId: string | undefined): Record<string, string> {
  const options = { ...log.options };
  if (log.logDriver !== 'awslogs') return options;
  const prefix = options['awslogs-stream-prefix'];
  if (prefix === undefined && dockerId === undefined) return options;
  return { ...options, 'awslogs-stream': awslogsStreamName(prefix !== undefined ? { streamPrefix: prefix } : {}, containerName, taskArn, dockerId ?? '') };
}

export function containerResponse(view: MetadataTaskView, container: MetadataContainerView): V4Container {
  const { observed } = container;
  const definition = definitionOf(view, container.name);
  const override = overrideOf(view, container.name);
  const pause = isPause(container);
  const fargate = isFargate(view);

  const cpu = Math.max(override?.cpu ?? definition?.cpu ?? 0, minimumCpuShares);
  const memory = override?.memory ?? definition?.memory;
  const exitCode = container.exitCode ?? (exited(observed) ? observed?.exitCode : undefined);
  const ports = portsOf(view, definition, observed);
  const containerLabels = visibleLabels(observed);
  const health = healthOf(definition, observed);
  const log = definition?.logConfiguration;
  const containerArn = container.containerArn ?? view.task.containers.find((known) => known.name === container.name)?.containerArn;
  const networks = networksOf(view, observed);
  const desired = view.task.desiredStatus === 'STOPPED' ? 'STOPPED' : pause ? 'RESOURCES_PROVISIONED' : 'RUNNING';

  return {
    DockerId: observed?.id ?? '',
    Name: container.name,
    DockerName: fargate ? container.name : (observed?.name ?? ''),
    Image: definition?.image ?? observed?.image ?? '',
    ImageID: observed?.imageDigest ?? '',
    ...(ports.length > 0 ? { Ports: ports } : {}),
    ...(containerLabels ? { Labels: containerLabels } : {}),
    DesiredStatus: desired,
    KnownStatus: container.knownStatus,
    ...(exitCode !== undefined ? { ExitCode: exitCode } : {}),
    Limits: fargate ? { CPU: cpu, ...(memory ? { Memory: memory } : {}) } : { CPU: cpu, Memory: memory ?? 0 },
    ...(container.createdAt ? { CreatedAt: rfc3339(container.createdAt) } : {}),
    ...(observed?.startedAt ? { StartedAt: rfc3339(observed.startedAt) } : {}),
    ...(observed?.finishedAt ? { FinishedAt: rfc3339(observed.finishedAt) } : {}),
    Type: pause ? 'CNI_PAUSE' : 'NORMAL',
    ...(health ? { Health: health } : {}),
    ...(log?.logDriver ? { LogDriver: log.logDriver } : {}),
    ...(log?.options && Object.keys(log.options).length > 0 ? { LogOptions: logOptions(log, container.name, view.task.taskArn, observed?.id) } : {}),
    ...(containerArn ? { ContainerARN: containerArn } : {}),
    ...(networks ? { Networks: networks } : {}),
  };
}

function taskLimits(view: MetadataTaskView): V4Task['Limits'] {
  const units = Number(view.task.cpu);
  const mib = Number(view.task.memory);
  const limits: NonNullable<V4Task['Limits']> = {};
  if (view.task.cpu && units > 0) limits.CPU = units / 1024;
  if (view.task.memory && mib > 0) limits.Memory = mib;
  return limits.CPU === undefined && limits.Memory === undefined ? undefined : limits;
}

function epochToDate(seconds: number | undefined): Date | undefined {
  return seconds === undefined ? undefined : new Date(seconds * 1000);
}

/** The body of `GET ${ECS_CONTAINER_METADATA_URI_V4}/task`. */
export function taskResponse(view: MetadataTaskView): V4Task {
  const { task } = view;
  const limits = taskLimits(view);
  const pullStartedAt = view.pullStartedAt ?? epochToDate(task.pullStartedAt);
  const pullStoppedAt = view.pullStoppedAt ?? epochToDate(task.pullStoppedAt);
  const reservedGiB = task.overrides.ephemeralStorage?.sizeInGiB ?? task.definition.ephemeralStorage?.sizeInGiB ?? defaultEphemeralStorageGiB;
  const drift = view.clockDrift;

  return {
    Cluster: clusterField(view),
    ...(view.serviceName ? { ServiceName: view.serviceName } : {}),
    TaskARN: task.taskArn,
    Family: task.definition.family ?? '',
    Revision: task.definition.revision === undefined ? '' : String(task.definition.revision),
    DesiredStatus: task.desiredStatus,
    KnownStatus: view.knownStatus,
    ...(limits ? { Limits: limits } : {}),
    ...(pullStartedAt ? { PullStartedAt: rfc3339(pullStartedAt) } : {}),
    ...(pullStoppedAt ? { PullStoppedAt: rfc3339(pullStoppedAt) } : {}),
    ...(view.executionStoppedAt ? { ExecutionStoppedAt: rfc3339(view.executionStoppedAt) } : {}),
    ...(task.availabilityZone ? { AvailabilityZone: task.availabilityZone } : {}),
    LaunchType: task.launchType,
    Containers: listedContainers(view).map((container) => containerResponse(view, container)),
    ...(drift
      ? {
          ClockDrift: {
            ClockErrorBound: drift.clockErrorBoundMs,
            ReferenceTimestamp: rfc3339(new Date(Math.floor(drift.referenceTimestamp.getTime() / 1000) * 1000)),
            ClockSynchronizationStatus: drift.synchronized ? 'SYNCHRONIZED' : 'NOT_SYNCHRONIZED',
          },
        }
      : {}),
    ...(isFargate(view) && view.ephemeralStorageUtilizedMiB !== undefined
      ? { EphemeralStorageMetrics: { Utilized: view.ephemeralStorageUtilizedMiB, Reserved: reservedGiB * 1024 } }
      : {}),
  };
}

/** The interface counters of a Docker stats sample, when it has any. */
export function statsNetworks(stats: Record<string, unknown>): Record<string, unknown> | undefined {
  const networks = stats['networks'];
  return networks && typeof networks === 'object' && Object.keys(networks).length > 0 ? (networks as Record<string, unknown>) : undefined;
}

/**
 * awsvpc containers share the pause container's network namespace, where Docker counts no traffic for
 * them; ECS reports the task's interface counters on every container, so borrow the pause container's.
 */
export function withTaskNetworks(stats: Record<string, unknown>, pauseStats: Record<string, unknown> | undefined): Record<string, unknown> {
  if (statsNetworks(stats) || !pauseStats) return stats;
  const networks = statsNetworks(pauseStats);
  return networks ? { ...stats, networks } : stats;
}

/** The pause container holding an awsvpc task's network namespace, if the view lists one that exists. */
export function pauseContainer(view: MetadataTaskView): MetadataContainerView | undefined {
  if (view.networkMode !== 'awsvpc') return undefined;
  return view.containers.find((container) => isPause(container) && container.observed);
}
