/**
 * One container definition on its own: every field checked, and the defaults ECS fills in its
 * description applied (cpu 0, essential true, empty portMappings/environment/mountPoints/volumesFrom/
 * systemControls, port protocol tcp, hostPort = containerPort in awsvpc/host mode, health check
 * interval 30 / timeout 5 / retries 3).
 *
 * Rules that relate containers to each other or to volumes live in validate-task.ts; rules of a
 * launch type live in launch-types.ts. Messages use ECS's wording where it is known, and always
 * name the field (containerDefinitions[i]...).
 */
import {
  ApplicationProtocol,
  ContainerCondition,
  DeviceCgroupPermission,
  EnvironmentFileType,
  FirelensConfigurationType,
  LogDriver,
  ResourceType,
  TransportProtocol,
  UlimitName,
  VersionConsistency,
  type PortMapping,
} from '@aws-sdk/client-ecs';
import type { Wire } from '../../core/wire.js';
import { checkEnum, checkMaxItems, checkRange, clientError, clientErrorAt, invalidParameter, requireString } from '../validate.js';
import { nonEmpty, type Container } from './model.js';

export const containerNamePattern = /^[a-zA-Z0-9_-]{1,255}$/;
export const maxInt32 = 2_147_483_647;

export const healthCheckDefaults = { interval: 30, timeout: 5, retries: 3 };

/** Linux capabilities ECS accepts in linuxParameters.capabilities (API reference, KernelCapabilities). */
export const linuxCapabilities = [
  'ALL', 'AUDIT_CONTROL', 'AUDIT_WRITE', 'BLOCK_SUSPEND', 'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID',
  'IPC_LOCK', 'IPC_OWNER', 'KILL', 'LEASE', 'LINUX_IMMUTABLE', 'MAC_ADMIN', 'MAC_OVERRIDE', 'MKNOD', 'NET_ADMIN',
  'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_ADMIN', 'SYS_BOOT',
  'SYS_CHROOT', 'SYS_MODULE', 'SYS_NICE', 'SYS_PACCT', 'SYS_PTRACE', 'SYS_RAWIO', 'SYS_RESOURCE', 'SYS_TIME',
  'SYS_TTY_CONFIG', 'SYSLOG', 'WAKE_ALARM',
];

function requireNumber(value: number | undefined, field: string): number {
  if (value === undefined) throw invalidParameter(`${field} can not be null.`);
  return value;
}

function checkImage(image: string | undefined, at: string): string {
  if (!image) throw clientErrorAt('Container.image should not be null or empty.', `${at}.image`);
  if (/\s/.test(image)) throw clientErrorAt('Container.image contains invalid characters.', `${at}.image`, 'An image reference has no whitespace.');
  const beforeDigest = image.split('@')[0] ?? '';
  if (beforeDigest.length > 255) throw clientError(`Container.image is too long: the repository and tag can be at most 255 characters. (${at}.image)`);
  return image;
}

/** Port intervals already taken by the container, per protocol, so a port appears in one mapping only. */
class PortUse {
  private readonly taken: { protocol: string; from: number; to: number; field: string }[] = [];
  add(protocol: string, from: number, to: number, field: string, container: string): void {
    const clash = this.taken.find((used) => used.protocol === protocol && from <= used.to && used.from <= to);
    if (clash) {
      throw clientError(
        `Invalid port mappings for container '${container}': ${field} overlaps ${clash.field} (${protocol}); a port can only be included in one port mapping per container.`,
      );
    }
    this.taken.push({ protocol, from, to, field });
  }
}

function checkPortMapping(
  mapping: Wire<PortMapping>,
  field: string,
  container: string,
  networkMode: string,
  ports: PortUse,
): Wire<PortMapping> {
  const protocol = checkEnum(mapping.protocol, `${field}.protocol`, TransportProtocol) ?? 'tcp';
  checkEnum(mapping.appProtocol, `${field}.appProtocol`, ApplicationProtocol);
  if (mapping.name !== undefined && !/^[a-z0-9_][a-z0-9_-]{0,63}$/.test(mapping.name)) {
    throw invalidParameter(
      `${field}.name '${mapping.name}' is invalid: up to 64 lowercase letters, numbers, underscores and hyphens, not starting with a hyphen.`,
    );
  }
  if (mapping.containerPortRange !== undefined) {
    if (mapping.containerPort !== undefined) throw clientError(`${field}: specify either containerPort or containerPortRange, not both (container '${container}').`);
    if (mapping.hostPort !== undefined) throw clientError(`${field}.hostPort must be left empty when containerPortRange is given (container '${container}').`);
    if (networkMode !== 'bridge' && networkMode !== 'awsvpc') {
      throw clientError(`${field}.containerPortRange requires networkMode bridge or awsvpc; it is ${networkMode} (container '${container}').`);
    }
    const match = /^(\d{1,5})-(\d{1,5})$/.exec(mapping.containerPortRange);
    const from = Number(match?.[1]);
    const to = Number(match?.[2]);
    if (!match || from < 1 || to > 65535 || from >= to) {
      throw clientError(
        `Invalid 'containerPortRange' setting for container '${container}': ${field}.containerPortRange must be "first-last" with 1 <= first < last <= 65535; got '${mapping.containerPortRange}'.`,
      );
    }
    ports.add(protocol, from, to, field, container);
    return { ...mapping, protocol };
  }
  const containerPort = mapping.containerPort;
  if (containerPort === undefined || !Number.isInteger(containerPort) || containerPort < 1 || containerPort > 65535) {
    throw clientError(`Invalid 'containerPort' setting for container '${container}'. ${field}.containerPort must be a whole number from 1 to 65535; got ${containerPort ?? 'nothing'}.`);
  }
  const hostPort = mapping.hostPort;
  if (hostPort !== undefined && (!Number.isInteger(hostPort) || hostPort < 0 || hostPort > 65535)) {
    throw clientError(`Invalid 'hostPort' setting for container '${container}'. ${field}.hostPort must be a whole number from 0 to 65535; got ${hostPort}.`);
  }
  ports.add(protocol, containerPort, containerPort, field, container);
  if (networkMode === 'awsvpc' || networkMode === 'host') {
    // ECS: the host port is left blank or equals the container port, and is stored as the container port.
    if (hostPort !== undefined && hostPort !== 0 && hostPort !== containerPort) {
      throw clientErrorAt(
        `When networkMode=${networkMode}, the host ports and container ports in port mappings must match.`,
        `${field}.hostPort`,
        `containerPort is ${containerPort} and hostPort ${hostPort}: leave hostPort out, or make it ${containerPort}.`,
      );
    }
    return { ...mapping, containerPort, hostPort: containerPort, protocol };
  }
  return { ...mapping, containerPort, ...(hostPort !== undefined ? { hostPort } : {}), protocol };
}

function checkHealthCheck(health: NonNullable<Container['healthCheck']>, at: string): NonNullable<Container['healthCheck']> {
  const field = `${at}.healthCheck`;
  if (!nonEmpty(health.command)) throw invalidParameter(`${field}.command can not be empty: give a command such as ["CMD-SHELL", "curl -f http://localhost/ || exit 1"].`);
  checkRange(health.interval, `${field}.interval`, 5, 300);
  checkRange(health.timeout, `${field}.timeout`, 2, 60);
  checkRange(health.retries, `${field}.retries`, 1, 10);
  checkRange(health.startPeriod, `${field}.startPeriod`, 0, 300);
  // startPeriod is off unless given, so it gets no default.
  return {
    ...health,
    interval: health.interval ?? healthCheckDefaults.interval,
    timeout: health.timeout ?? healthCheckDefaults.timeout,
    retries: health.retries ?? healthCheckDefaults.retries,
  };
}

function checkResourceRequirements(container: Container, at: string, name: string): void {
  const seen = new Set<string>();
  (container.resourceRequirements ?? []).forEach((requirement, index) => {
    const field = `${at}.resourceRequirements[${index}]`;
    const type = checkEnum(requireString(requirement.type, `${field}.type`), `${field}.type`, ResourceType) as string;
    if (seen.has(type)) throw clientError(`Container '${name}' gives the ${type} resource requirement more than once (${field}.type).`);
    seen.add(type);
    if (type === 'GPU') {
      const sharing = requirement.sharingStrategy;
      if (sharing !== undefined && requirement.value !== undefined) {
        throw clientError(`${field}: for a GPU requirement give either value or sharingStrategy, not both (container '${name}').`);
      }
      if (sharing !== undefined) {
        const mps = (sharing as { nvidiaMps?: { memory?: number; maxComputePercent?: number } }).nvidiaMps;
        if (!mps) throw invalidParameter(`${field}.sharingStrategy must give nvidiaMps.`);
        checkRange(requireNumber(mps.memory, `${field}.sharingStrategy.nvidiaMps.memory`), `${field}.sharingStrategy.nvidiaMps.memory`, 1, maxInt32);
        checkRange(mps.maxComputePercent, `${field}.sharingStrategy.nvidiaMps.maxComputePercent`, 1, 100);
      } else if (requirement.value === undefined || !/^([1-9]\d{0,3}|ALL)$/.test(requirement.value)) {
        throw clientError(`Invalid GPU resource requirement for container '${name}': ${field}.value must be a whole number of GPUs or ALL; got '${requirement.value ?? ''}'.`);
      }
    } else if (type === 'NeuronDevice') {
      if (requirement.value !== 'ALL') throw clientError(`${field}.value must be ALL for a NeuronDevice requirement (container '${name}').`);
    } else {
      requireString(requirement.value, `${field}.value`);
    }
  });
}

function checkLinuxParameters(container: Container, at: string): void {
  const linux = container.linuxParameters;
  if (!linux) return;
  const field = `${at}.linuxParameters`;
  for (const list of ['add', 'drop'] as const) {
    (linux.capabilities?.[list] ?? []).forEach((capability, index) => {
      if (!linuxCapabilities.includes(capability)) {
        throw invalidParameter(`${field}.capabilities.${list}[${index}] '${capability}' is not a Linux capability ECS accepts (${linuxCapabilities.join(', ')}).`);
      }
    });
  }
  (linux.devices ?? []).forEach((device, index) => {
    requireString(device.hostPath, `${field}.devices[${index}].hostPath`);
    (device.permissions ?? []).forEach((permission, p) => checkEnum(permission, `${field}.devices[${index}].permissions[${p}]`, DeviceCgroupPermission));
  });
  checkRange(linux.sharedMemorySize, `${field}.sharedMemorySize`, 1, maxInt32);
  (linux.tmpfs ?? []).forEach((mount, index) => {
    requireString(mount.containerPath, `${field}.tmpfs[${index}].containerPath`);
    checkRange(requireNumber(mount.size, `${field}.tmpfs[${index}].size`), `${field}.tmpfs[${index}].size`, 1, maxInt32);
  });
  checkRange(linux.maxSwap, `${field}.maxSwap`, 0, maxInt32);
  checkRange(linux.swappiness, `${field}.swappiness`, 0, 100);
}

function checkUlimits(container: Container, at: string, name: string): void {
  const seen = new Set<string>();
  (container.ulimits ?? []).forEach((ulimit, index) => {
    const field = `${at}.ulimits[${index}]`;
    const limit = checkEnum(requireString(ulimit.name, `${field}.name`), `${field}.name`, UlimitName) as string;
    if (seen.has(limit)) throw clientError(`Container '${name}' sets the ulimit '${limit}' more than once (${field}.name).`);
    seen.add(limit);
    const soft = requireNumber(ulimit.softLimit, `${field}.softLimit`);
    const hard = requireNumber(ulimit.hardLimit, `${field}.hardLimit`);
    checkRange(soft, `${field}.softLimit`, -1, Number.MAX_SAFE_INTEGER);
    checkRange(hard, `${field}.hardLimit`, -1, Number.MAX_SAFE_INTEGER);
    if (hard !== -1 && (soft === -1 || soft > hard)) {
      throw clientError(`Invalid ulimit '${limit}' for container '${name}': ${field}.softLimit (${soft}) can not be greater than hardLimit (${hard}).`);
    }
  });
}

function checkNetworkSpecific(container: Container, at: string, name: string, networkMode: string): void {
  if (networkMode === 'awsvpc' && container.hostname !== undefined) {
    throw clientErrorAt('hostname is not supported on container when networkMode=awsvpc.', `${at}.hostname`, `Remove hostname from container '${name}'.`);
  }
  if (networkMode === 'awsvpc' && nonEmpty(container.extraHosts)) {
    throw clientErrorAt('extraHosts is not supported on container when networkMode=awsvpc.', `${at}.extraHosts`, `Remove extraHosts from container '${name}'.`);
  }
  if (networkMode !== 'bridge' && nonEmpty(container.links)) {
    throw clientError(`links is not supported on container when networkMode=${networkMode}; links need networkMode bridge. (${at}.links, container '${name}')`);
  }
  if (networkMode === 'none' && nonEmpty(container.portMappings)) {
    throw clientError(`Port mappings are not supported when networkMode=none. (${at}.portMappings, container '${name}')`);
  }
}

/** Checks one container definition and returns it with ECS's defaults filled in. */
export function checkContainer(container: Container, index: number, networkMode: string): Container {
  const at = `containerDefinitions[${index}]`;
  const name = container.name;
  if (!name) throw clientErrorAt('Container.name should not be null or empty.', `${at}.name`);
  if (!containerNamePattern.test(name)) {
    throw clientErrorAt(
      'Container.name contains invalid characters.',
      `${at}.name`,
      `'${name}' is not a container name: up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.`,
    );
  }
  checkImage(container.image, at);
  checkRange(container.cpu, `${at}.cpu`, 0, maxInt32);
  checkRange(container.memory, `${at}.memory`, 6, maxInt32);
  checkRange(container.memoryReservation, `${at}.memoryReservation`, 6, maxInt32);
  if (container.memory !== undefined && container.memoryReservation !== undefined && container.memoryReservation > container.memory) {
    throw clientErrorAt(
      `Invalid setting for container '${name}'. 'memory' must be greater than or equal to 'memoryReservation'.`,
      `${at}.memoryReservation`,
      `memory is ${container.memory} MiB, memoryReservation ${container.memoryReservation} MiB.`,
    );
  }
  checkNetworkSpecific(container, at, name, networkMode);
  const ports = new PortUse();
  const portMappings = (container.portMappings ?? []).map((mapping, j) => checkPortMapping(mapping, `${at}.portMappings[${j}]`, name, networkMode, ports));

  (container.links ?? []).forEach((link, j) => {
    if (!/^[a-zA-Z0-9_-]{1,255}(:[a-zA-Z0-9_-]{1,255})?$/.test(link)) {
      throw invalidParameter(`${at}.links[${j}] '${link}' is invalid: use "name" or "name:alias" with letters, numbers, underscores and hyphens.`);
    }
  });
  (container.environment ?? []).forEach((variable, j) => requireString(variable.name, `${at}.environment[${j}].name`));
  checkMaxItems(container.environmentFiles, `${at}.environmentFiles`, 10);
  (container.environmentFiles ?? []).forEach((file, j) => {
    requireString(file.value, `${at}.environmentFiles[${j}].value`);
    checkEnum(requireString(file.type, `${at}.environmentFiles[${j}].type`), `${at}.environmentFiles[${j}].type`, EnvironmentFileType);
  });
  (container.secrets ?? []).forEach((secret, j) => {
    requireString(secret.name, `${at}.secrets[${j}].name`);
    requireString(secret.valueFrom, `${at}.secrets[${j}].valueFrom`);
  });
  (container.mountPoints ?? []).forEach((mount, j) => {
    requireString(mount.sourceVolume, `${at}.mountPoints[${j}].sourceVolume`);
    requireString(mount.containerPath, `${at}.mountPoints[${j}].containerPath`);
  });
  (container.volumesFrom ?? []).forEach((from, j) => requireString(from.sourceContainer, `${at}.volumesFrom[${j}].sourceContainer`));
  (container.dependsOn ?? []).forEach((dependency, j) => {
    requireString(dependency.containerName, `${at}.dependsOn[${j}].containerName`);
    checkEnum(requireString(dependency.condition, `${at}.dependsOn[${j}].condition`), `${at}.dependsOn[${j}].condition`, ContainerCondition);
  });
  (container.extraHosts ?? []).forEach((entry, j) => {
    requireString(entry.hostname, `${at}.extraHosts[${j}].hostname`);
    requireString(entry.ipAddress, `${at}.extraHosts[${j}].ipAddress`);
  });
  (container.systemControls ?? []).forEach((control, j) => {
    requireString(control.namespace, `${at}.systemControls[${j}].namespace`);
    requireString(control.value, `${at}.systemControls[${j}].value`);
  });
  for (const key of Object.keys(container.dockerLabels ?? {})) {
    if (key === '') throw invalidParameter(`${at}.dockerLabels can not have an empty key.`);
  }
  if (container.logConfiguration) {
    const log = container.logConfiguration;
    checkEnum(requireString(log.logDriver, `${at}.logConfiguration.logDriver`), `${at}.logConfiguration.logDriver`, LogDriver);
    (log.secretOptions ?? []).forEach((secret, j) => {
      requireString(secret.name, `${at}.logConfiguration.secretOptions[${j}].name`);
      requireString(secret.valueFrom, `${at}.logConfiguration.secretOptions[${j}].valueFrom`);
    });
  }
  if (container.firelensConfiguration) {
    const type = container.firelensConfiguration.type;
    checkEnum(requireString(type, `${at}.firelensConfiguration.type`), `${at}.firelensConfiguration.type`, FirelensConfigurationType);
  }
  if (container.repositoryCredentials) {
    requireString(container.repositoryCredentials.credentialsParameter, `${at}.repositoryCredentials.credentialsParameter`);
  }
  if (container.restartPolicy) {
    const policy = container.restartPolicy;
    if (policy.enabled === undefined) throw invalidParameter(`${at}.restartPolicy.enabled can not be null.`);
    checkMaxItems(policy.ignoredExitCodes, `${at}.restartPolicy.ignoredExitCodes`, 50);
    checkRange(policy.restartAttemptPeriod, `${at}.restartPolicy.restartAttemptPeriod`, 60, 1800);
  }
  checkEnum(container.versionConsistency, `${at}.versionConsistency`, VersionConsistency);
  checkMaxItems(container.credentialSpecs, `${at}.credentialSpecs`, 1);
  checkRange(container.startTimeout, `${at}.startTimeout`, 0, maxInt32);
  checkRange(container.stopTimeout, `${at}.stopTimeout`, 0, maxInt32);
  checkUlimits(container, at, name);
  checkResourceRequirements(container, at, name);
  checkLinuxParameters(container, at);
  const healthCheck = container.healthCheck ? checkHealthCheck(container.healthCheck, at) : undefined;

  return {
    ...container,
    cpu: container.cpu ?? 0,
    portMappings,
    essential: container.essential ?? true,
    environment: container.environment ?? [],
    mountPoints: container.mountPoints ?? [],
    volumesFrom: container.volumesFrom ?? [],
    systemControls: container.systemControls ?? [],
    ...(healthCheck ? { healthCheck } : {}),
  };
}
