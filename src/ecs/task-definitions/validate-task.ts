/**
 * Task-level rules of RegisterTaskDefinition and the rules that relate containers to each other
 * and to the task's volumes: names unique, references resolvable (mountPoints, volumesFrom, links,
 * dependsOn, proxy and accelerator names), at least one essential container, container cpu and
 * memory within the task's.
 */
import {
  CPUArchitecture,
  EFSAuthorizationConfigIAM,
  EFSTransitEncryption,
  IpcMode,
  OSFamily,
  PidMode,
  ProxyConfigurationType,
  Scope as DockerVolumeScope,
  TaskDefinitionPlacementConstraintType,
} from '@aws-sdk/client-ecs';
import { validateExpression } from '../../placement/query-language/index.js';
import { checkEnum, checkMaxItems, checkRange, clientError, clientErrorAt, invalidParameter, requireString } from '../validate.js';
import { effectiveNetworkMode, type Container, type Draft, type RegisterInput, type VolumeDefinition } from './model.js';

const resourceNamePattern = /^[a-zA-Z0-9_-]{1,255}$/;
export const maxContainers = 10;

/** ECS's documented App Mesh proxy properties. */
const proxyProperties = ['IgnoredUID', 'IgnoredGID', 'AppPorts', 'ProxyIngressPort', 'ProxyEgressPort', 'EgressIgnoredPorts', 'EgressIgnoredIPs'];

export function checkVolumes(volumes: VolumeDefinition[] | undefined): VolumeDefinition[] {
  const seen = new Set<string>();
  let configuredAtLaunch = 0;
  (volumes ?? []).forEach((volume, index) => {
    const field = `volumes[${index}]`;
    const name = requireString(volume.name, `${field}.name`);
    if (!resourceNamePattern.test(name)) {
      throw invalidParameter(`${field}.name '${name}' is invalid: up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.`);
    }
    if (seen.has(name)) throw clientError(`Volume names must be unique within a Task Definition: '${name}' is given again at ${field}.name.`);
    seen.add(name);
    const kinds = (['host', 'dockerVolumeConfiguration', 'efsVolumeConfiguration', 'fsxWindowsFileServerVolumeConfiguration', 's3filesVolumeConfiguration'] as const).filter(
      (kind) => volume[kind] !== undefined,
    );
    if (kinds.length > 1) throw clientError(`${field} can use only one kind of volume; it gives ${kinds.join(' and ')}.`);
    const docker = volume.dockerVolumeConfiguration;
    if (docker) {
      const scope = checkEnum(docker.scope, `${field}.dockerVolumeConfiguration.scope`, DockerVolumeScope);
      if (docker.autoprovision === true && scope !== 'shared') {
        throw clientError(`${field}.dockerVolumeConfiguration.autoprovision can only be true when scope is 'shared'.`);
      }
    }
    const efs = volume.efsVolumeConfiguration;
    if (efs) {
      const at = `${field}.efsVolumeConfiguration`;
      requireString(efs.fileSystemId, `${at}.fileSystemId`);
      const encryption = checkEnum(efs.transitEncryption, `${at}.transitEncryption`, EFSTransitEncryption) ?? 'DISABLED';
      checkRange(efs.transitEncryptionPort, `${at}.transitEncryptionPort`, 1, 65535);
      const auth = efs.authorizationConfig;
      const iam = checkEnum(auth?.iam, `${at}.authorizationConfig.iam`, EFSAuthorizationConfigIAM);
      if ((iam === 'ENABLED' || auth?.accessPointId !== undefined) && encryption !== 'ENABLED') {
        throw clientError(`${at}.transitEncryption must be ENABLED when an EFS access point or IAM authorization is used.`);
      }
      if (auth?.accessPointId !== undefined && efs.rootDirectory !== undefined && efs.rootDirectory !== '/') {
        throw clientError(`${at}.rootDirectory must be omitted or "/" when an EFS access point is used; the access point sets the path.`);
      }
    }
    const fsx = volume.fsxWindowsFileServerVolumeConfiguration;
    if (fsx) {
      const at = `${field}.fsxWindowsFileServerVolumeConfiguration`;
      requireString(fsx.fileSystemId, `${at}.fileSystemId`);
      requireString(fsx.rootDirectory, `${at}.rootDirectory`);
      requireString(fsx.authorizationConfig?.credentialsParameter, `${at}.authorizationConfig.credentialsParameter`);
      requireString(fsx.authorizationConfig?.domain, `${at}.authorizationConfig.domain`);
    }
    if (volume.s3filesVolumeConfiguration) {
      requireString(volume.s3filesVolumeConfiguration.fileSystemArn, `${field}.s3filesVolumeConfiguration.fileSystemArn`);
    }
    if (volume.configuredAtLaunch === true) configuredAtLaunch++;
  });
  if (configuredAtLaunch > 1) throw clientError('A task definition can have only one volume with configuredAtLaunch set to true (volumes[*].configuredAtLaunch).');
  // ECS mounts an EFS file system's root when no rootDirectory is given, and its description shows "/".
  return (volumes ?? []).map((volume) =>
    volume.efsVolumeConfiguration && volume.efsVolumeConfiguration.rootDirectory === undefined
      ? { ...volume, efsVolumeConfiguration: { ...volume.efsVolumeConfiguration, rootDirectory: '/' } }
      : volume,
  );
}

export function checkPlacementConstraints(constraints: RegisterInput['placementConstraints']): void {
  checkMaxItems(constraints, 'placementConstraints', 10);
  (constraints ?? []).forEach((constraint, index) => {
    const field = `placementConstraints[${index}]`;
    const type = requireString(constraint.type, `${field}.type`);
    if (type === 'distinctInstance') {
      throw clientError(`${field}.type: distinctInstance constraints are not supported in task definitions; give them to RunTask or CreateService.`);
    }
    checkEnum(type, `${field}.type`, TaskDefinitionPlacementConstraintType);
    const problem = validateExpression(requireString(constraint.expression, `${field}.expression`));
    if (problem) throw invalidParameter(`${field}.expression: ${problem}`);
  });
}

/** Task-level fields that stand on their own. */
export function checkTaskFields(input: RegisterInput): void {
  checkEnum(input.pidMode, 'pidMode', PidMode);
  checkEnum(input.ipcMode, 'ipcMode', IpcMode);
  if (input.taskRoleArn !== undefined) requireString(input.taskRoleArn, 'taskRoleArn');
  if (input.executionRoleArn !== undefined) requireString(input.executionRoleArn, 'executionRoleArn');
  if (input.ephemeralStorage) {
    const size = input.ephemeralStorage.sizeInGiB;
    if (size === undefined) throw invalidParameter('ephemeralStorage.sizeInGiB can not be null.');
    checkRange(size, 'ephemeralStorage.sizeInGiB', 21, 200);
  }
  if (input.runtimePlatform) {
    checkEnum(input.runtimePlatform.cpuArchitecture, 'runtimePlatform.cpuArchitecture', CPUArchitecture);
    checkEnum(input.runtimePlatform.operatingSystemFamily, 'runtimePlatform.operatingSystemFamily', OSFamily);
  }
  const proxy = input.proxyConfiguration;
  if (proxy) {
    checkEnum(proxy.type, 'proxyConfiguration.type', ProxyConfigurationType);
    requireString(proxy.containerName, 'proxyConfiguration.containerName');
    (proxy.properties ?? []).forEach((property, index) => {
      const name = requireString(property.name, `proxyConfiguration.properties[${index}].name`);
      if (!proxyProperties.includes(name)) {
        throw invalidParameter(`proxyConfiguration.properties[${index}].name '${name}' is not a proxy property; use ${proxyProperties.join(', ')}.`);
      }
    });
    if (input.networkMode !== 'awsvpc') {
      throw clientError(`proxyConfiguration requires networkMode awsvpc; it is ${input.networkMode ?? 'not set (bridge)'}.`);
    }
  }
  const deviceNames = new Set<string>();
  (input.inferenceAccelerators ?? []).forEach((accelerator, index) => {
    const name = requireString(accelerator.deviceName, `inferenceAccelerators[${index}].deviceName`);
    requireString(accelerator.deviceType, `inferenceAccelerators[${index}].deviceType`);
    if (deviceNames.has(name)) throw clientError(`inferenceAccelerators[${index}].deviceName '${name}' is given more than once.`);
    deviceNames.add(name);
  });
}

const ipcSysctls = ['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced'];

function checkDependencyCycles(containers: Container[]): void {
  const edges = new Map(containers.map((container) => [container.name as string, (container.dependsOn ?? []).map((d) => d.containerName as string)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name];
      throw clientError(`Container dependencies can not form a cycle: ${cycle.join(' -> ')} (containerDefinitions[*].dependsOn).`);
    }
    state.set(name, 'visiting');
    for (const next of edges.get(name) ?? []) visit(next, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of edges.keys()) visit(name, []);
}

/** Rules between containers, and between containers and the task's volumes, proxy and accelerators. */
export function checkReferences(draft: Draft): void {
  const { containers, input } = draft;
  const networkMode = effectiveNetworkMode(draft);
  const indexOf = new Map<string, number>();
  containers.forEach((container, index) => {
    const name = container.name as string;
    const first = indexOf.get(name);
    if (first !== undefined) {
      throw clientError(`Container names must be unique within a Task Definition: '${name}' is used by containerDefinitions[${first}] and containerDefinitions[${index}].`);
    }
    indexOf.set(name, index);
  });
  if (!containers.some((container) => container.essential !== false)) {
    throw clientError('A task definition must have at least one essential container: every containerDefinitions[*].essential is false.');
  }
  const byName = (name: string) => containers[indexOf.get(name) ?? -1];
  const volumeNames = new Set(draft.volumes.map((volume) => volume.name));
  const deviceNames = new Set((input.inferenceAccelerators ?? []).map((accelerator) => accelerator.deviceName));
  const portNames = new Map<string, string>();
  const firelens = containers.filter((container) => container.firelensConfiguration !== undefined);
  if (firelens.length > 1) throw clientError('Only one container in a task definition can have a firelensConfiguration (containerDefinitions[*].firelensConfiguration).');
  const neuron = containers.filter((container) => (container.resourceRequirements ?? []).some((r) => r.type === 'NeuronDevice'));
  if (neuron.length > 1) throw clientError('Only one container in a task definition can specify NeuronDevice resources (containerDefinitions[*].resourceRequirements).');
  const gpuStyles = new Set(
    containers.flatMap((container) => (container.resourceRequirements ?? []).filter((r) => r.type === 'GPU').map((r) => (r.sharingStrategy ? 'sharingStrategy' : 'value'))),
  );
  if (gpuStyles.size > 1) throw clientError('The containers in a task that request GPUs must all use the same option: value, or sharingStrategy (containerDefinitions[*].resourceRequirements).');

  containers.forEach((container, index) => {
    const at = `containerDefinitions[${index}]`;
    const name = container.name as string;
    (container.mountPoints ?? []).forEach((mount, j) => {
      if (!volumeNames.has(mount.sourceVolume)) {
        throw clientError(
          `Invalid 'mountPoints' setting for container '${name}': ${at}.mountPoints[${j}].sourceVolume '${mount.sourceVolume}' is not a volume of this task definition; declare it in volumes.`,
        );
      }
    });
    (container.volumesFrom ?? []).forEach((from, j) => {
      const source = from.sourceContainer as string;
      if (source === name || !byName(source)) {
        throw clientError(`Invalid 'volumesFrom' setting for container '${name}': ${at}.volumesFrom[${j}].sourceContainer '${source}' must be another container of this task definition.`);
      }
    });
    (container.links ?? []).forEach((link, j) => {
      const target = link.split(':')[0] as string;
      if (target === name || !byName(target)) {
        throw clientError(`Invalid 'links' setting for container '${name}': ${at}.links[${j}] '${link}' must name another container of this task definition.`);
      }
    });
    (container.dependsOn ?? []).forEach((dependency, j) => {
      const field = `${at}.dependsOn[${j}]`;
      const target = byName(dependency.containerName as string);
      if (dependency.containerName === name || !target) {
        throw clientError(`Invalid 'dependsOn' setting for container '${name}': ${field}.containerName '${dependency.containerName}' must be another container of this task definition.`);
      }
      if (dependency.condition === 'HEALTHY' && !target.healthCheck) {
        throw clientError(`${field}: the HEALTHY condition requires container '${dependency.containerName}' to have a healthCheck.`);
      }
      if ((dependency.condition === 'COMPLETE' || dependency.condition === 'SUCCESS') && target.essential !== false) {
        throw clientErrorAt(
          'A dependency container with SUCCESS or COMPLETE condition cannot be an essential container.',
          `${field}.condition`,
          `Container '${dependency.containerName}' is essential: set its essential to false, or depend on it with START or HEALTHY.`,
        );
      }
    });
    (container.resourceRequirements ?? []).forEach((requirement, j) => {
      if (requirement.type === 'InferenceAccelerator' && !deviceNames.has(requirement.value)) {
        throw clientError(`${at}.resourceRequirements[${j}].value '${requirement.value ?? ''}' is not the deviceName of one of the task's inferenceAccelerators.`);
      }
    });
    if (container.logConfiguration?.logDriver === 'awsfirelens' && firelens.length === 0) {
      throw clientError(`${at}.logConfiguration.logDriver awsfirelens needs a log router: another container of the task must have a firelensConfiguration.`);
    }
    (container.portMappings ?? []).forEach((mapping, j) => {
      if (mapping.name === undefined) return;
      const other = portNames.get(mapping.name);
      if (other) throw clientError(`Port mapping names must be unique within a task definition: '${mapping.name}' is used by ${other} and ${at}.portMappings[${j}].`);
      portNames.set(mapping.name, `${at}.portMappings[${j}]`);
    });
    (container.systemControls ?? []).forEach((control, j) => {
      const namespace = control.namespace as string;
      if (networkMode === 'host' && namespace.startsWith('net.')) {
        throw clientError(`${at}.systemControls[${j}]: network namespace system controls (${namespace}) are not supported when networkMode=host.`);
      }
      if (input.ipcMode === 'host' && (ipcSysctls.includes(namespace) || namespace.startsWith('fs.mqueue.'))) {
        throw clientError(`${at}.systemControls[${j}]: IPC namespace system controls (${namespace}) are not supported when ipcMode=host.`);
      }
    });
  });
  checkDependencyCycles(containers);
  const proxyContainer = input.proxyConfiguration?.containerName;
  if (proxyContainer !== undefined && !byName(proxyContainer)) {
    throw clientError(`proxyConfiguration.containerName '${proxyContainer}' is not a container of this task definition.`);
  }
}

/** Container cpu and memory must fit within the task-level values, when those are set. */
export function checkWithinTask(draft: Draft): void {
  const { containers, cpu, memory } = draft;
  if (memory !== undefined) {
    containers.forEach((container, index) => {
      if (container.memory !== undefined && container.memory > memory) {
        throw clientErrorAt(
          `The 'memory' setting for container '${container.name}' is greater than for the task.`,
          `containerDefinitions[${index}].memory`,
          `The container has ${container.memory} MiB, the task ${memory} MiB.`,
        );
      }
    });
    const reserved = containers.reduce((sum, container) => sum + (container.memoryReservation ?? 0), 0);
    if (reserved > memory) {
      throw clientErrorAt(
        "The sum of all container 'memoryReservation' values cannot be greater than the value of the task 'memory'.",
        'containerDefinitions[*].memoryReservation',
        `The containers reserve ${reserved} MiB, the task has ${memory} MiB.`,
      );
    }
  }
  if (cpu !== undefined) {
    const total = containers.reduce((sum, container) => sum + (container.cpu ?? 0), 0);
    if (total > cpu) {
      throw clientErrorAt(
        "The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.",
        'containerDefinitions[*].cpu',
        `The containers ask for ${total} CPU units, the task has ${cpu}.`,
      );
    }
  }
}

export function checkContainerCount(containers: Container[] | undefined): Container[] {
  if (containers === undefined) throw invalidParameter('containerDefinitions can not be null.');
  if (containers.length === 0) throw clientErrorAt('Container list cannot be empty.', 'containerDefinitions');
  if (containers.length > maxContainers) {
    throw clientErrorAt('Too many containers.', 'containerDefinitions', `It has ${containers.length}; a task definition has at most ${maxContainers}.`);
  }
  return containers;
}
