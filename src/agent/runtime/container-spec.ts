/**
 * ECS container definition → Berth's runtime-neutral ContainerSpec (spec.ts). Pure: everything the
 * translation needs (resolved volumes, the ids of containers to take volumes from, the pause
 * container of an awsvpc task) arrives in the input.
 *
 * Network modes: `bridge` publishes portMappings (hostPort 0 or absent → the engine picks an
 * ephemeral port); `host` and `none` publish nothing; `awsvpc` joins the task's pause container
 * (a `container` attachment), which owns the hostname, DNS (the task's dnsServers and dnsSearchDomains)
 * and address, so none of those are set here (the Docker engine refuses them in that mode).
 */
import type { ContainerDefinition, ContainerOverride, HealthCheck, PortMapping } from '@aws-sdk/client-ecs';
import type { AssignedTask } from '../../agent-channel-protocol/messages.js';
import type { Wire } from '../../core/wire.js';
import type { ContainerSpec, SpecHealthCheck, SpecMount, SpecNetwork, SpecPort, SpecResources, SpecVolumesFrom } from './spec.js';
import { labels, type ContainerRole } from './types.js';

export type NetworkMode = 'bridge' | 'host' | 'none' | 'awsvpc';

/** What a task volume resolved to on this host. */
export type ResolvedVolume = { hostPath: string } | { dockerVolume: string };

export interface ContainerSpecInput {
  task: AssignedTask;
  containerName: string;
  /** The owning agent's identity, for the owner label. */
  owner: string;
  dockerName: string;
  network: { mode: NetworkMode; pauseContainerId?: string };
  /** Set by the agent (ECS_CONTAINER_METADATA_URI_V4, …); wins over the definition and overrides. */
  extraEnvironment: Record<string, string>;
  /** Task volume name → what it resolved to. */
  volumes: Map<string, ResolvedVolume>;
  /** Container name → Docker id, for volumesFrom. */
  containerIds: Map<string, string>;
  /** The task's cgroup, holding its task-level limits, when the host offers one. */
  cgroupParent?: string;
}

export interface PauseSpecInput {
  task: AssignedTask;
  owner: string;
  dockerName: string;
  image: string;
  networkName: string;
  ipv4Address?: string;
  hostname?: string;
}

/** The container-name label ECS agents give an awsvpc task's pause container. */
export const pauseContainerName = '~internal~ecs~pause';

const mib = 1024 * 1024;
const nanosPerSecond = 1_000_000_000;
/** The smallest CPU share the Linux kernel accepts; ECS passes 0, 1 and no cpu as 2. */
const minimumCpuShares = 2;
const maxDockerNamePrefix = 200;
/** ECS's health check defaults (Docker's own timeout default is 30 s, ECS's is 5 s). */
const healthCheckDefaults = { interval: 30, timeout: 5, retries: 3, startPeriod: 0 };

export function containerSpec(input: ContainerSpecInput): ContainerSpec {
  const { task, containerName, network } = input;
  const definition = findDefinition(task, containerName);
  const override = task.overrides.containerOverrides?.find((entry) => entry.name === containerName);
  const command = override?.command ?? definition.command;
  const ownNetwork = network.mode !== 'awsvpc';
  const spec: ContainerSpec = {
    name: input.dockerName,
    image: definition.image!,
    environment: environment(definition.environment, override, task.secretEnvironment?.[containerName] ?? {}, input.extraEnvironment),
    labels: { ...definition.dockerLabels, ...taskLabels(task, input.owner, containerName, 'app') },
    interactive: definition.interactive ?? false,
    tty: definition.pseudoTerminal ?? false,
    network: attachmentOf(network),
    resources: { ...resourceLimits(definition, override, taskLimits(task)), ...(input.cgroupParent ? { cgroupParent: input.cgroupParent } : {}) },
    mounts: mounts(definition, input.volumes),
    volumesFrom: (definition.volumesFrom ?? []).map((entry) => volumeFrom(entry.sourceContainer, entry.readOnly, input.containerIds)),
    readonlyRootFilesystem: definition.readonlyRootFilesystem ?? false,
    privileged: definition.privileged ?? false,
    ...linuxParameters(definition.linuxParameters),
    ...(ownNetwork ? nameResolution(definition) : {}),
  };
  if (definition.linuxParameters?.sharedMemorySize !== undefined) spec.resources!.sharedMemoryBytes = definition.linuxParameters.sharedMemorySize * mib;
  if (definition.ulimits?.length) {
    spec.ulimits = definition.ulimits.map((limit) => ({ name: limit.name!, soft: limit.softLimit!, hard: limit.hardLimit! }));
  }
  if (definition.dockerSecurityOptions?.length) spec.securityOptions = definition.dockerSecurityOptions;
  const sysctls = systemControls([definition], (namespace) => ownNetwork || !namespace.startsWith('net.'));
  if (sysctls) spec.sysctls = sysctls;
  // Task-level namespaces; `task` (one namespace shared by the task's containers) is refused at launch.
  if (task.definition.pidMode === 'host') spec.pidMode = 'host';
  if (task.definition.ipcMode === 'host' || task.definition.ipcMode === 'none') spec.ipcMode = task.definition.ipcMode;
  // As ECS's agent does: the driver and its options go to the runtime as given; without one, the engine's default.
  // awslogs is not Docker's driver here: the container keeps its output in json-file and the agent
  // ships it (awslogs/collector.ts), signing with the task's execution role.
  if (definition.logConfiguration?.logDriver === 'awslogs') {
    spec.log = { driver: 'json-file', options: {} };
  } else if (definition.logConfiguration?.logDriver) {
    spec.log = { driver: definition.logConfiguration.logDriver, options: definition.logConfiguration.options ?? {} };
  }
  if (command) spec.command = command;
  if (definition.entryPoint) spec.entrypoint = definition.entryPoint;
  if (definition.workingDirectory) spec.workingDirectory = definition.workingDirectory;
  if (definition.user) spec.user = definition.user;
  if (definition.hostname && ownNetwork) spec.hostname = definition.hostname;
  if (definition.disableNetworking) spec.networkDisabled = true;
  if (definition.stopTimeout !== undefined) spec.stopTimeoutSeconds = definition.stopTimeout;
  if (definition.healthCheck?.command?.length) spec.healthCheck = healthCheck(definition.healthCheck);
  if (network.mode === 'bridge' && definition.portMappings?.length) spec.ports = publishedPorts(definition.portMappings);
  return spec;
}

/** The container holding an awsvpc task's network namespace, with the task's address on `networkName`. */
export function pauseSpec(input: PauseSpecInput): ContainerSpec {
  const spec: ContainerSpec = {
    name: input.dockerName,
    image: input.image,
    labels: taskLabels(input.task, input.owner, pauseContainerName, 'pause'),
    // The pause process is PID 1 with no signal handlers, so the kernel drops SIGTERM: stop kills at once.
    stopSignal: 'SIGKILL',
    network: { mode: 'network', name: input.networkName, ...(input.ipv4Address ? { ipv4Address: input.ipv4Address } : {}) },
    ...taskNameResolution(input.task),
  };
  const sysctls = networkSystemControls(input.task);
  if (sysctls) spec.sysctls = sysctls;
  if (input.hostname) spec.hostname = input.hostname;
  return spec;
}

/** ECS-agent-like container names, `ecs-<family>-<revision>-<container>-<suffix>`, in Docker's alphabet. */
export function dockerNameFor(task: AssignedTask, containerName: string, suffix: string): string {
  const prefix = `ecs-${task.definition.family ?? 'task'}-${task.definition.revision ?? 0}-${containerName}`;
  // Families and container names may each be 255 characters long; the suffix keeps names unique.
  return `${prefix.slice(0, maxDockerNamePrefix)}-${suffix}`.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/-{2,}/g, '-');
}

function findDefinition(task: AssignedTask, containerName: string): Wire<ContainerDefinition> {
  const definition = task.definition.containerDefinitions?.find((entry) => entry.name === containerName);
  if (!definition) throw new Error(`Task ${task.taskArn} has no container definition named '${containerName}'.`);
  if (!definition.image) throw new Error(`Container '${containerName}' of task ${task.taskArn} has no image.`);
  return definition;
}

function taskLabels(task: AssignedTask, owner: string, containerName: string, role: ContainerRole): Record<string, string> {
  return {
    [labels.taskArn]: task.taskArn,
    [labels.containerName]: containerName,
    [labels.cluster]: task.clusterArn,
    [labels.family]: task.definition.family ?? '',
    [labels.revision]: String(task.definition.revision ?? ''),
    [labels.owner]: owner,
    [labels.role]: role,
  };
}

/**
 * Task-level cpu units and MiB from RunTask's overrides or the task definition; the unit forms are
 * accepted as well. Only these are limits: the task's own cpu and memory on EC2 may be sums of its
 * containers' reservations, which must not become a ceiling.
 */
export function taskLimits(task: AssignedTask): { cpu?: number; memory?: number } {
  const cpu = units(task.overrides.cpu ?? task.definition.cpu, /^(\d+(?:\.\d+)?)\s*vcpu$/i);
  const memory = units(task.overrides.memory ?? task.definition.memory, /^(\d+(?:\.\d+)?)\s*gb$/i);
  return { ...(cpu !== undefined && cpu > 0 && { cpu }), ...(memory !== undefined && memory > 0 && { memory }) };
}

function units(value: string | undefined, scaledForm: RegExp): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const scaled = scaledForm.exec(text);
  return scaled ? Math.round(Number(scaled[1]) * 1024) : undefined;
}

/**
 * CPU shares and memory after overrides. With task-level limits, a container with no memory of its
 * own is capped at the task's memory, and every container at the task's vCPUs (its own cpu is a
 * share, 0 when unset, never a limit); the task cgroup, where there is one, caps their sum.
 */
function resourceLimits(
  definition: Wire<ContainerDefinition>,
  override: Wire<ContainerOverride> | undefined,
  limits: { cpu?: number; memory?: number },
): SpecResources {
  const cpu = override?.cpu ?? definition.cpu;
  const memory = (override?.memory ?? definition.memory) ?? limits.memory;
  const memoryReservation = override?.memoryReservation ?? definition.memoryReservation;
  const swap = definition.linuxParameters?.maxSwap;
  const swappiness = definition.linuxParameters?.swappiness;
  return {
    cpuShares: Math.max(minimumCpuShares, cpu ?? 0),
    ...(limits.cpu !== undefined && { nanoCpus: Math.round((limits.cpu / 1024) * nanosPerSecond) }),
    ...(memory !== undefined && { memoryBytes: memory * mib }),
    ...(memoryReservation !== undefined && { memoryReservationBytes: memoryReservation * mib }),
    // ECS ignores maxSwap without a hard memory limit, and swappiness without maxSwap.
    ...(swap !== undefined && memory !== undefined && { memorySwapBytes: (memory + swap) * mib }),
    ...(swap !== undefined && memory !== undefined && swappiness !== undefined && { memorySwappiness: swappiness }),
  };
}

/** Capabilities, init, tmpfs and devices (sharedMemorySize is a resource, set with the others). */
function linuxParameters(linux: Wire<ContainerDefinition>['linuxParameters']): Partial<ContainerSpec> {
  if (!linux) return {};
  const spec: Partial<ContainerSpec> = {};
  const add = linux.capabilities?.add?.length ? { add: linux.capabilities.add } : {};
  const drop = linux.capabilities?.drop?.length ? { drop: linux.capabilities.drop } : {};
  if (add.add || drop.drop) spec.capabilities = { ...add, ...drop };
  if (linux.initProcessEnabled !== undefined) spec.init = linux.initProcessEnabled;
  if (linux.tmpfs?.length) {
    spec.tmpfs = linux.tmpfs.map((mount) => ({
      containerPath: mount.containerPath!,
      options: mount.mountOptions ?? [],
      ...(mount.size !== undefined ? { sizeMiB: mount.size } : {}),
    }));
  }
  if (linux.devices?.length) {
    spec.devices = linux.devices.map((device) => ({
      hostPath: device.hostPath!,
      containerPath: device.containerPath ?? device.hostPath!,
      permissions: cgroupPermissions(device.permissions),
    }));
  }
  return spec;
}

/**
 * An awsvpc task's net.* systemControls, which belong to the network namespace its pause container
 * holds: as in ECS, they apply to the whole task, and where containers disagree the last one wins.
 */
export function networkSystemControls(task: AssignedTask): Record<string, string> | undefined {
  return systemControls(task.definition.containerDefinitions ?? [], (namespace) => namespace.startsWith('net.'));
}

function systemControls(definitions: Wire<ContainerDefinition>[], keep: (namespace: string) => boolean): Record<string, string> | undefined {
  const entries = definitions.flatMap((definition) => definition.systemControls ?? []).filter((control) => control.namespace && keep(control.namespace));
  return entries.length > 0 ? Object.fromEntries(entries.map((control) => [control.namespace!, control.value ?? ''])) : undefined;
}

/**
 * An awsvpc task's dnsServers and dnsSearchDomains, set on the pause container: its containers share
 * its resolv.conf (the engine refuses DNS options on a container joining another's namespace).
 */
function taskNameResolution(task: AssignedTask): Pick<ContainerSpec, 'dnsServers' | 'dnsSearchDomains'> {
  const definitions = task.definition.containerDefinitions ?? [];
  const servers = [...new Set(definitions.flatMap((definition) => definition.dnsServers ?? []))];
  const search = [...new Set(definitions.flatMap((definition) => definition.dnsSearchDomains ?? []))];
  return { ...(servers.length > 0 ? { dnsServers: servers } : {}), ...(search.length > 0 ? { dnsSearchDomains: search } : {}) };
}

/** Hosts and DNS: only for containers with a network namespace of their own. */
function nameResolution(definition: Wire<ContainerDefinition>): Pick<ContainerSpec, 'extraHosts' | 'dnsServers' | 'dnsSearchDomains'> {
  const spec: Pick<ContainerSpec, 'extraHosts' | 'dnsServers' | 'dnsSearchDomains'> = {};
  if (definition.extraHosts?.length) spec.extraHosts = definition.extraHosts.map((entry) => ({ hostname: entry.hostname!, ipAddress: entry.ipAddress! }));
  if (definition.dnsServers?.length) spec.dnsServers = definition.dnsServers;
  if (definition.dnsSearchDomains?.length) spec.dnsSearchDomains = definition.dnsSearchDomains;
  return spec;
}

function attachmentOf(network: ContainerSpecInput['network']): SpecNetwork {
  if (network.mode !== 'awsvpc') return { mode: network.mode };
  if (!network.pauseContainerId) throw new Error('An awsvpc container needs the id of its task\'s pause container.');
  return { mode: 'container', containerId: network.pauseContainerId };
}

/** Definition, then override (wins), then the container's resolved secrets, then the agent's own variables (win over all). */
function environment(
  base: Wire<ContainerDefinition>['environment'],
  override: Wire<ContainerOverride> | undefined,
  secrets: Record<string, string>,
  extra: Record<string, string>,
): { name: string; value: string }[] {
  const merged = new Map<string, string>();
  for (const entry of [...(base ?? []), ...(override?.environment ?? [])]) {
    if (entry.name) merged.set(entry.name, entry.value ?? '');
  }
  for (const [name, value] of [...Object.entries(secrets), ...Object.entries(extra)]) merged.set(name, value);
  return [...merged].map(([name, value]) => ({ name, value }));
}

function mounts(definition: Wire<ContainerDefinition>, volumes: Map<string, ResolvedVolume>): SpecMount[] {
  return (definition.mountPoints ?? []).map((mount) => {
    const volume = mount.sourceVolume === undefined ? undefined : volumes.get(mount.sourceVolume);
    if (!volume) throw new Error(`Container '${definition.name}' mounts volume '${mount.sourceVolume}', which the task does not define or which was not prepared.`);
    const source = 'hostPath' in volume ? { hostPath: volume.hostPath } : { volume: volume.dockerVolume };
    return { source, containerPath: mount.containerPath!, readOnly: mount.readOnly ?? false };
  });
}

function volumeFrom(sourceContainer: string | undefined, readOnly: boolean | undefined, containerIds: Map<string, string>): SpecVolumesFrom {
  const id = sourceContainer === undefined ? undefined : containerIds.get(sourceContainer);
  if (!id) throw new Error(`volumesFrom names container '${sourceContainer}', which has not been created.`);
  return { containerId: id, readOnly: readOnly ?? false };
}

function cgroupPermissions(permissions: string[] | undefined): string {
  if (!permissions?.length) return 'rwm';
  const letters = { read: 'r', write: 'w', mknod: 'm' } as Record<string, string>;
  return permissions.map((permission) => letters[permission] ?? '').join('');
}

function healthCheck(check: Wire<HealthCheck>): SpecHealthCheck {
  return {
    command: check.command!,
    intervalSeconds: check.interval ?? healthCheckDefaults.interval,
    timeoutSeconds: check.timeout ?? healthCheckDefaults.timeout,
    retries: check.retries ?? healthCheckDefaults.retries,
    startPeriodSeconds: check.startPeriod ?? healthCheckDefaults.startPeriod,
  };
}

function publishedPorts(mappings: Wire<PortMapping>[]): SpecPort[] {
  return mappings.flatMap((mapping) => {
    const protocol = mapping.protocol === 'udp' ? 'udp' : 'tcp';
    // No host port asks the runtime for an ephemeral one; ranges always get ephemeral ports, as in ECS.
    const hostPort = mapping.containerPortRange || !mapping.hostPort ? {} : { hostPort: mapping.hostPort };
    return containerPorts(mapping).map((containerPort) => ({ containerPort, protocol, ...hostPort }));
  });
}

function containerPorts(mapping: Wire<PortMapping>): number[] {
  if (mapping.containerPortRange) {
    const range = /^(\d+)-(\d+)$/.exec(mapping.containerPortRange.trim());
    const first = Number(range?.[1]);
    const last = Number(range?.[2]);
    if (!range || first > last) throw new Error(`Invalid containerPortRange '${mapping.containerPortRange}': expected <first>-<last>.`);
    return Array.from({ length: last - first + 1 }, (_, index) => first + index);
  }
  if (mapping.containerPort === undefined) throw new Error('A port mapping has neither containerPort nor containerPortRange.');
  return [mapping.containerPort];
}
