/**
 * ECS container definition → Docker Engine API container create body. Pure: everything the
 * translation needs (resolved volumes, the ids of containers to take volumes from, the pause
 * container of an awsvpc task) arrives in the input.
 *
 * Network modes: `bridge` publishes portMappings (hostPort 0 or absent → the engine picks an
 * ephemeral port); `host` and `none` publish nothing; `awsvpc` joins the task's pause container
 * (`container:<id>`), which owns the hostname, DNS (the task's dnsServers and dnsSearchDomains)
 * and address, so none of those are set here (the engine refuses them in that mode).
 */
import type { ContainerDefinition, ContainerOverride, HealthCheck, PortMapping } from '@aws-sdk/client-ecs';
import type { AssignedTask } from '../../agent-protocol/messages.js';
import type { Wire } from '../../core/wire.js';
import { labels, type ContainerRole, type CreateRequest } from './types.js';

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

export function containerCreateOptions(input: ContainerSpecInput): CreateRequest {
  const { task, containerName, network } = input;
  const definition = findDefinition(task, containerName);
  const override = task.overrides.containerOverrides?.find((entry) => entry.name === containerName);
  const command = override?.command ?? definition.command;
  const ownNetwork = network.mode !== 'awsvpc';
  const hostConfig: Record<string, unknown> = {
    NetworkMode: networkModeOf(network),
    ...resourceLimits(definition, override, taskLimits(task)),
    ...(input.cgroupParent ? { CgroupParent: input.cgroupParent } : {}),
    Binds: binds(definition, input.volumes),
    VolumesFrom: (definition.volumesFrom ?? []).map((entry) => volumeFrom(entry.sourceContainer, entry.readOnly, input.containerIds)),
    ReadonlyRootfs: definition.readonlyRootFilesystem ?? false,
    Privileged: definition.privileged ?? false,
    ...linuxParameters(definition.linuxParameters),
    ...(ownNetwork ? nameResolution(definition) : {}),
  };
  if (definition.ulimits?.length) {
    hostConfig.Ulimits = definition.ulimits.map((limit) => ({ Name: limit.name, Soft: limit.softLimit, Hard: limit.hardLimit }));
  }
  if (definition.dockerSecurityOptions?.length) hostConfig.SecurityOpt = definition.dockerSecurityOptions;
  const sysctls = systemControls([definition], (namespace) => ownNetwork || !namespace.startsWith('net.'));
  if (sysctls) hostConfig.Sysctls = sysctls;
  // Task-level namespaces; `task` (one namespace shared by the task's containers) is refused at launch.
  if (task.definition.pidMode === 'host') hostConfig.PidMode = 'host';
  if (task.definition.ipcMode === 'host' || task.definition.ipcMode === 'none') hostConfig.IpcMode = task.definition.ipcMode;
  // As ECS's agent does: the driver and its options go to Docker as given; without one, the engine's default.
  if (definition.logConfiguration?.logDriver) {
    hostConfig.LogConfig = { Type: definition.logConfiguration.logDriver, Config: definition.logConfiguration.options ?? {} };
  }

  const options: Record<string, unknown> = {
    Image: definition.image,
    Env: environment(definition.environment, override, task.secretEnvironment?.[containerName] ?? {}, input.extraEnvironment),
    Labels: { ...definition.dockerLabels, ...taskLabels(task, input.owner, containerName, 'app') },
    OpenStdin: definition.interactive ?? false,
    Tty: definition.pseudoTerminal ?? false,
    HostConfig: hostConfig,
  };
  if (command) options.Cmd = command;
  if (definition.entryPoint) options.Entrypoint = definition.entryPoint;
  if (definition.workingDirectory) options.WorkingDir = definition.workingDirectory;
  if (definition.user) options.User = definition.user;
  if (definition.hostname && ownNetwork) options.Hostname = definition.hostname;
  if (definition.disableNetworking) options.NetworkDisabled = true;
  if (definition.stopTimeout !== undefined) options.StopTimeout = definition.stopTimeout;
  if (definition.healthCheck?.command?.length) options.Healthcheck = healthcheck(definition.healthCheck);
  if (network.mode === 'bridge' && definition.portMappings?.length) {
    const { exposed, bindings } = publishedPorts(definition.portMappings);
    options.ExposedPorts = exposed;
    hostConfig.PortBindings = bindings;
  }
  return { name: input.dockerName, options };
}

/** The container holding an awsvpc task's network namespace, with the task's address on `networkName`. */
export function pauseCreateOptions(input: PauseSpecInput): CreateRequest {
  const endpoint = input.ipv4Address ? { IPAMConfig: { IPv4Address: input.ipv4Address } } : {};
  const options: Record<string, unknown> = {
    Image: input.image,
    Labels: taskLabels(input.task, input.owner, pauseContainerName, 'pause'),
    // The pause process is PID 1 with no signal handlers, so the kernel drops SIGTERM: stop kills at once.
    StopSignal: 'SIGKILL',
    HostConfig: { NetworkMode: input.networkName, ...withSysctls(networkSystemControls(input.task)), ...taskNameResolution(input.task) },
    NetworkingConfig: { EndpointsConfig: { [input.networkName]: endpoint } },
  };
  if (input.hostname) options.Hostname = input.hostname;
  return { name: input.dockerName, options };
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
): Record<string, number> {
  const cpu = override?.cpu ?? definition.cpu;
  const memory = (override?.memory ?? definition.memory) ?? limits.memory;
  const memoryReservation = override?.memoryReservation ?? definition.memoryReservation;
  const swap = definition.linuxParameters?.maxSwap;
  const swappiness = definition.linuxParameters?.swappiness;
  return {
    CpuShares: Math.max(minimumCpuShares, cpu ?? 0),
    ...(limits.cpu !== undefined && { NanoCpus: Math.round((limits.cpu / 1024) * nanosPerSecond) }),
    ...(memory !== undefined && { Memory: memory * mib }),
    ...(memoryReservation !== undefined && { MemoryReservation: memoryReservation * mib }),
    // ECS ignores maxSwap without a hard memory limit, and swappiness without maxSwap.
    ...(swap !== undefined && memory !== undefined && { MemorySwap: (memory + swap) * mib }),
    ...(swap !== undefined && memory !== undefined && swappiness !== undefined && { MemorySwappiness: swappiness }),
  };
}

function linuxParameters(linux: Wire<ContainerDefinition>['linuxParameters']): Record<string, unknown> {
  if (!linux) return {};
  const options: Record<string, unknown> = {};
  if (linux.capabilities?.add?.length) options.CapAdd = linux.capabilities.add;
  if (linux.capabilities?.drop?.length) options.CapDrop = linux.capabilities.drop;
  if (linux.initProcessEnabled !== undefined) options.Init = linux.initProcessEnabled;
  if (linux.sharedMemorySize !== undefined) options.ShmSize = linux.sharedMemorySize * mib;
  if (linux.tmpfs?.length) options.Tmpfs = Object.fromEntries(linux.tmpfs.map((mount) => [mount.containerPath, tmpfsOptions(mount)]));
  if (linux.devices?.length) {
    options.Devices = linux.devices.map((device) => ({
      PathOnHost: device.hostPath,
      PathInContainer: device.containerPath ?? device.hostPath,
      CgroupPermissions: cgroupPermissions(device.permissions),
    }));
  }
  return options;
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
function taskNameResolution(task: AssignedTask): Record<string, string[]> {
  const definitions = task.definition.containerDefinitions ?? [];
  const servers = [...new Set(definitions.flatMap((definition) => definition.dnsServers ?? []))];
  const search = [...new Set(definitions.flatMap((definition) => definition.dnsSearchDomains ?? []))];
  return { ...(servers.length > 0 ? { Dns: servers } : {}), ...(search.length > 0 ? { DnsSearch: search } : {}) };
}

const withSysctls = (sysctls: Record<string, string> | undefined) => (sysctls ? { Sysctls: sysctls } : {});

/** Hosts and DNS: only for containers with a network namespace of their own. */
function nameResolution(definition: Wire<ContainerDefinition>): Record<string, string[]> {
  const options: Record<string, string[]> = {};
  if (definition.extraHosts?.length) options.ExtraHosts = definition.extraHosts.map((entry) => `${entry.hostname}:${entry.ipAddress}`);
  if (definition.dnsServers?.length) options.Dns = definition.dnsServers;
  if (definition.dnsSearchDomains?.length) options.DnsSearch = definition.dnsSearchDomains;
  return options;
}

function networkModeOf(network: ContainerSpecInput['network']): string {
  if (network.mode !== 'awsvpc') return network.mode;
  if (!network.pauseContainerId) throw new Error('An awsvpc container needs the id of its task\'s pause container.');
  return `container:${network.pauseContainerId}`;
}

/** Definition, then override (wins), then the container's resolved secrets, then the agent's own variables (win over all). */
function environment(
  base: Wire<ContainerDefinition>['environment'],
  override: Wire<ContainerOverride> | undefined,
  secrets: Record<string, string>,
  extra: Record<string, string>,
): string[] {
  const merged = new Map<string, string>();
  for (const entry of [...(base ?? []), ...(override?.environment ?? [])]) {
    if (entry.name) merged.set(entry.name, entry.value ?? '');
  }
  for (const [name, value] of [...Object.entries(secrets), ...Object.entries(extra)]) merged.set(name, value);
  return [...merged].map(([name, value]) => `${name}=${value}`);
}

function binds(definition: Wire<ContainerDefinition>, volumes: Map<string, ResolvedVolume>): string[] {
  return (definition.mountPoints ?? []).map((mount) => {
    const volume = mount.sourceVolume === undefined ? undefined : volumes.get(mount.sourceVolume);
    if (!volume) throw new Error(`Container '${definition.name}' mounts volume '${mount.sourceVolume}', which the task does not define or which was not prepared.`);
    const source = 'hostPath' in volume ? volume.hostPath : volume.dockerVolume;
    return `${source}:${mount.containerPath}${mount.readOnly ? ':ro' : ''}`;
  });
}

function volumeFrom(sourceContainer: string | undefined, readOnly: boolean | undefined, containerIds: Map<string, string>): string {
  const id = sourceContainer === undefined ? undefined : containerIds.get(sourceContainer);
  if (!id) throw new Error(`volumesFrom names container '${sourceContainer}', which has not been created.`);
  return readOnly ? `${id}:ro` : id;
}

function tmpfsOptions(mount: { mountOptions?: string[]; size?: number }): string {
  return [...(mount.mountOptions ?? []), ...(mount.size !== undefined ? [`size=${mount.size}m`] : [])].join(',');
}

function cgroupPermissions(permissions: string[] | undefined): string {
  if (!permissions?.length) return 'rwm';
  const letters = { read: 'r', write: 'w', mknod: 'm' } as Record<string, string>;
  return permissions.map((permission) => letters[permission] ?? '').join('');
}

function healthcheck(check: Wire<HealthCheck>): Record<string, unknown> {
  return {
    Test: check.command,
    Interval: (check.interval ?? healthCheckDefaults.interval) * nanosPerSecond,
    Timeout: (check.timeout ?? healthCheckDefaults.timeout) * nanosPerSecond,
    Retries: check.retries ?? healthCheckDefaults.retries,
    StartPeriod: (check.startPeriod ?? healthCheckDefaults.startPeriod) * nanosPerSecond,
  };
}

function publishedPorts(mappings: Wire<PortMapping>[]): {
  exposed: Record<string, Record<string, never>>;
  bindings: Record<string, { HostPort: string }[]>;
} {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, { HostPort: string }[]> = {};
  for (const mapping of mappings) {
    const protocol = mapping.protocol ?? 'tcp';
    for (const containerPort of containerPorts(mapping)) {
      const key = `${containerPort}/${protocol}`;
      exposed[key] = {};
      // An empty HostPort asks the engine for an ephemeral port; ranges always get ephemeral ports, as in ECS.
      const hostPort = mapping.containerPortRange || !mapping.hostPort ? '' : String(mapping.hostPort);
      (bindings[key] ??= []).push({ HostPort: hostPort });
    }
  }
  return { exposed, bindings };
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
