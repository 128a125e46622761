/**
 * Berth's ContainerSpec → the Docker Engine API's container create body (ContainerCreateOptions in
 * dockerode). Pure, and the only place that knows Docker's field names and units: a member left
 * out of the spec is left out of the body, so the engine's default applies, as it did before.
 */
import { assertNever } from '../../core/assert-never.js';
import type { ContainerSpec, SpecNetwork, SpecPort, SpecResources } from './spec.js';

const nanosPerSecond = 1_000_000_000;

export function dockerCreateBody(spec: ContainerSpec): Record<string, unknown> {
  const hostConfig: Record<string, unknown> = {
    NetworkMode: networkMode(spec.network),
    ...resources(spec.resources),
  };
  const body: Record<string, unknown> = { Image: spec.image, Labels: spec.labels, HostConfig: hostConfig };
  const set = (target: Record<string, unknown>, key: string, value: unknown) => {
    if (value !== undefined) target[key] = value;
  };

  set(body, 'Cmd', spec.command);
  set(body, 'Entrypoint', spec.entrypoint);
  set(body, 'Env', spec.environment?.map(({ name, value }) => `${name}=${value}`));
  set(body, 'User', spec.user);
  set(body, 'WorkingDir', spec.workingDirectory);
  set(body, 'Hostname', spec.hostname);
  set(body, 'OpenStdin', spec.interactive);
  set(body, 'Tty', spec.tty);
  set(body, 'NetworkDisabled', spec.networkDisabled);
  set(body, 'StopSignal', spec.stopSignal);
  set(body, 'StopTimeout', spec.stopTimeoutSeconds);
  if (spec.healthCheck) {
    const check = spec.healthCheck;
    body.Healthcheck = {
      Test: check.command,
      Interval: check.intervalSeconds * nanosPerSecond,
      Timeout: check.timeoutSeconds * nanosPerSecond,
      Retries: check.retries,
      StartPeriod: check.startPeriodSeconds * nanosPerSecond,
    };
  }
  if (spec.network.mode === 'network') {
    const endpoint = spec.network.ipv4Address ? { IPAMConfig: { IPv4Address: spec.network.ipv4Address } } : {};
    body.NetworkingConfig = { EndpointsConfig: { [spec.network.name]: endpoint } };
  }
  if (spec.ports) {
    const { exposed, bindings } = publishedPorts(spec.ports);
    body.ExposedPorts = exposed;
    hostConfig.PortBindings = bindings;
  }

  set(hostConfig, 'Binds', spec.mounts?.map((mount) => {
    const source = 'hostPath' in mount.source ? mount.source.hostPath : mount.source.volume;
    return `${source}:${mount.containerPath}${mount.readOnly ? ':ro' : ''}`;
  }));
  set(hostConfig, 'VolumesFrom', spec.volumesFrom?.map((entry) => (entry.readOnly ? `${entry.containerId}:ro` : entry.containerId)));
  set(hostConfig, 'ReadonlyRootfs', spec.readonlyRootFilesystem);
  set(hostConfig, 'Privileged', spec.privileged);
  set(hostConfig, 'CapAdd', spec.capabilities?.add);
  set(hostConfig, 'CapDrop', spec.capabilities?.drop);
  set(hostConfig, 'Init', spec.init);
  if (spec.tmpfs) {
    hostConfig.Tmpfs = Object.fromEntries(
      spec.tmpfs.map((mount) => [mount.containerPath, [...mount.options, ...(mount.sizeMiB !== undefined ? [`size=${mount.sizeMiB}m`] : [])].join(',')]),
    );
  }
  set(hostConfig, 'Devices', spec.devices?.map((device) => ({
    PathOnHost: device.hostPath,
    PathInContainer: device.containerPath,
    CgroupPermissions: device.permissions,
  })));
  set(hostConfig, 'ExtraHosts', spec.extraHosts?.map((entry) => `${entry.hostname}:${entry.ipAddress}`));
  set(hostConfig, 'Dns', spec.dnsServers);
  set(hostConfig, 'DnsSearch', spec.dnsSearchDomains);
  set(hostConfig, 'Ulimits', spec.ulimits?.map((limit) => ({ Name: limit.name, Soft: limit.soft, Hard: limit.hard })));
  set(hostConfig, 'SecurityOpt', spec.securityOptions);
  set(hostConfig, 'Sysctls', spec.sysctls);
  set(hostConfig, 'PidMode', spec.pidMode);
  set(hostConfig, 'IpcMode', spec.ipcMode);
  if (spec.log) hostConfig.LogConfig = { Type: spec.log.driver, Config: spec.log.options };
  return body;
}

function networkMode(network: SpecNetwork): string {
  switch (network.mode) {
    case 'bridge':
    case 'host':
    case 'none':
      return network.mode;
    case 'network':
      return network.name;
    case 'container':
      return `container:${network.containerId}`;
    default:
      return assertNever(network, 'network attachment');
  }
}

function resources(limits: SpecResources | undefined): Record<string, unknown> {
  if (!limits) return {};
  const config: Record<string, unknown> = {};
  const entries: [string, unknown][] = [
    ['CpuShares', limits.cpuShares],
    ['NanoCpus', limits.nanoCpus],
    ['Memory', limits.memoryBytes],
    ['MemoryReservation', limits.memoryReservationBytes],
    ['MemorySwap', limits.memorySwapBytes],
    ['MemorySwappiness', limits.memorySwappiness],
    ['ShmSize', limits.sharedMemoryBytes],
    ['CgroupParent', limits.cgroupParent],
  ];
  for (const [key, value] of entries) if (value !== undefined) config[key] = value;
  return config;
}

/** Docker keys ports as `<port>/<protocol>`; an empty HostPort asks the engine for an ephemeral port. */
function publishedPorts(ports: SpecPort[]): {
  exposed: Record<string, Record<string, never>>;
  bindings: Record<string, { HostPort: string }[]>;
} {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, { HostPort: string }[]> = {};
  for (const port of ports) {
    const key = `${port.containerPort}/${port.protocol}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostPort: port.hostPort === undefined ? '' : String(port.hostPort) });
  }
  return { exposed, bindings };
}
